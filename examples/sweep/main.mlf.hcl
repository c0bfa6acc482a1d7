# A parameter sweep in plain HCL: one model per entry of a map, one evaluation per model, and
# their metrics side by side in one output.
#
#   mlform apply examples/sweep
#   mlform output --json auc        # {"deep": 0.99..., "shallow": 0.99..., "stump": 0.97...}
#
# Adding an entry trains and evaluates only that one; the others stay as they are.

locals {
  depths = { stump = 1, shallow = 3, deep = 8 }
}

dataset "cancer" {
  source = "sklearn:breast_cancer" # bundled with scikit-learn: no network
}

split "cancer" {
  dataset     = dataset.cancer
  ratio       = { train = 0.7, valid = 0.1, test = 0.2 }
  stratify_by = "target"
  label       = "target"
  seed        = 7
}

model "sweep" {
  for_each = local.depths

  type                  = "xgboost"
  split                 = split.cancer
  label                 = "target"
  params                = { max_depth = each.value, eta = 0.2, objective = "binary:logistic" }
  rounds                = 60
  early_stopping_rounds = 10
  seed                  = 7
}

evaluation "sweep" {
  for_each = model.sweep

  model   = each.value
  metrics = ["auc", "accuracy", "logloss"]
  plots   = ["roc"]
}

output "auc" {
  value = { for name, evaluation in evaluation.sweep : name => evaluation.metrics.auc }
}
