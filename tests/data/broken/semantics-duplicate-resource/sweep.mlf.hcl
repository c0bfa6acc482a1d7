model "churn" {
  type   = "xgboost"
  split  = split.churn
  label  = "churned"
  rounds = 50
}
