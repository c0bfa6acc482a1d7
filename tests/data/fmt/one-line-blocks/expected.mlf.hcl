model "baseline" {
  split     = split.churn.id
  algorithm = "logistic_regression"
  features {
    one_hot { columns = ["plan"] }
    scale { columns = ["tenure", "monthly_charges"] }
    passthrough {}
    drop {}
  }
}
