locals {
  rounds = length(model.churn.history) + 10
}
