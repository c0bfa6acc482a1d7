variable "token" {
  type      = string
  sensitive = true
}

dataset "secured" {
  source      = "churn.csv"
  description = "token ${var.token}"
  tags        = { owner = "ml", secret = var.token }
}

dataset "derived" {
  source = "churn.csv"
  where  = "plan = '${var.token}'"
}

output "token" {
  value     = var.token
  sensitive = true
}

output "greeting" {
  value     = "hello ${var.token}"
  sensitive = true
}
