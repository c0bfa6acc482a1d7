# mlform quickstart: the configuration of DESIGN.md §1, runnable as it stands.
#
#   mlform validate examples/quickstart
#   mlform plan examples/quickstart
#   mlform apply examples/quickstart
#
# data/churn.csv is a synthetic churn data set made by make_data.py (committed, so nothing
# needs to be generated); metrics.py holds the custom "lift" metric; the serving token comes
# from quickstart.auto.mlfvars (a demo value).

variable "max_depth" {
  type    = number
  default = 6
  validation {
    condition     = var.max_depth > 0
    error_message = "max_depth must be positive."
  }
}

variable "serving_token" {
  type      = string
  sensitive = true # never printed, never in a PR comment
}

dataset "churn" {
  source  = "data/churn.csv" # csv, parquet, jsonl; or a SQLAlchemy URL with `query`
  columns = ["customer_id", "tenure", "plan", "monthly", "region", "signup", "churned"]
  where   = "tenure > 0" # SQL, run by a real engine; never Python eval
  sample  = { fraction = 0.5, seed = 7 }
}

split "churn" {
  dataset = dataset.churn
  ratio   = { train = 0.7, valid = 0.1, test = 0.2 }
  seed    = 42
  # or: index_by = "signup" (time-ordered), categorize_by = "region",
  #     hash_by = "customer_id" (stable as rows are added), stratify_by = "churned"

  fill {
    columns = ["monthly"]
    method  = "mean"
  }
  standardize {
    columns = ["monthly", "tenure"]
  }
  one_hot {
    columns = ["plan", "region"]
  }
}

model "churn" {
  type                  = "xgboost" # or "tensorflow", or "python" with injected code
  split                 = split.churn
  label                 = "churned"
  params                = { max_depth = var.max_depth, eta = 0.1, objective = "binary:logistic" }
  rounds                = 200
  early_stopping_rounds = 20 # watches the split's "valid" part
}

# A neural network beside the trees, on the same split: its evaluation compares the two.
model "churn_nn" {
  type                  = "tensorflow"
  split                 = split.churn
  label                 = "churned"
  learning_rate         = 0.005
  epochs                = 30
  batch_size            = 64
  early_stopping_rounds = 4
  seed                  = 42

  layer "dense" {
    units      = 32
    activation = "relu"
  }
  layer "dropout" {
    rate = 0.1
  }
  layer "dense" {
    units      = 16
    activation = "relu"
  }
}

evaluation "churn" {
  model    = model.churn
  part     = "test" # the default when the split has a test part
  metrics  = ["auc", "accuracy", "logloss"]
  slice_by = ["plan"]
  metric "lift" {
    function = "metrics.py:top_decile_lift" # custom metric, injected and hashed
  }
  threshold {
    metric = "auc"
    min    = 0.80
  }
}

evaluation "churn_nn" {
  model    = model.churn_nn
  metrics  = ["auc", "accuracy", "logloss"]
  slice_by = ["plan"]
  threshold {
    metric = "auc"
    min    = 0.75
  }
}

endpoint "churn" {
  model      = model.churn
  evaluation = evaluation.churn # only a model that passed its gate is served
  runtime    = "local"          # or "docker"
  port       = 8080
  token      = var.serving_token
}

output "endpoint_url" {
  value = endpoint.churn.url
}

output "auc" {
  value = evaluation.churn.metrics.auc
}

output "auc_nn" {
  value = evaluation.churn_nn.metrics.auc
}
