output "auc" {
  value = evaluation.churn.metrics.auc

output "rows" {
  value = dataset.churn.rows
}
