dataset "churn" {
  source = "churn.csv"
}

split "churn" {
  dataset = dataset.churn
  ratio   = { train = 0.75, test = 0.25 }
  seed    = 42
}

model "churn" {
  type   = "xgboost"
  split  = split.churn
  label  = "churned"
  params = { max_depth = 6, eta = 0.1 }
  rounds = 50
}

evaluation "churn" {
  model   = model.churn
  metrics = ["auc", "accuracy"]
}

endpoint "churn" {
  model      = model.churn
  evaluation = evaluation.churn
  runtime    = "local"
  port       = 8080
}

output "auc" {
  value = evaluation.churn.metrics.auc
}
