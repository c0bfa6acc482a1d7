# churn: train, evaluate and serve# owner: data platform team

variable "max_depth" {
  type    = number
  default = 6
}

dataset "churn" {
  source  = "data/churn.csv"
  columns = ["customer_id", "tenure", "plan", "monthly", "region", "signup", "churned"]
  where   = "tenure > 0"
}

split "churn" {
  dataset = dataset.churn
  ratio   = { train = 0.7, valid = 0.1, test = 0.2 }  seed    = 42

  standardize {
    columns = ["monthly", "tenure"]
  }
  one_hot {
    columns = ["plan", "region"]
  }
}

model "churn" {
  type                  = "xgboost"
  split                 = split.churn
  label                 = "churned"
  params                = { max_depth = var.max_depth, eta = 0.1, objective = "binary:logistic" }
  rounds                = 200
  early_stopping_rounds = 20
}

evaluation "churn" {
  model   = model.churn
  metrics = ["auc", "accuracy"]
  threshold {
    metric = "auc"
    min    = 0.8
  }
}

endpoint "churn" {
  model      = model.churn
  evaluation = evaluation.churn
  port       = 8080
}

output "auc" {
  value = evaluation.churn.metrics.auc
}
