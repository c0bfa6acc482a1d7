evaluation "churn" {
  model                  = model.baseline.id
  split                  = split.churn.id
  metrics                = ["accuracy", "roc_auc"]
  threshold_for_accuracy = 0.8

  a                   = 1
  long_attribute_name = 2
  nested {
    x     = 1
    yyyyy = 2
  }
  after_block = 3
  z           = 4
  multi = [
    1,
  ]
  also = 5
}
