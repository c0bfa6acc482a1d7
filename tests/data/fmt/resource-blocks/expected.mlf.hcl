dataset "churn" {
  source        = "data/churn.csv"
  format        = "csv"
  target_column = "churned"
  schema {
    column "tenure" { type = "number" }
    column "plan" {
      type = "string"
    }
  }
}

split "churn" {
  dataset = dataset.churn.id
  ratios  = { train = 0.7, eval = 0.3 }
  seed    = 42
}
