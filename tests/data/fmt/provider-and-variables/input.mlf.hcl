terraform {
required_version = ">= 1.0"
}
variable "region" {
type = string
default = "eu-west-1"
validation {
condition = length(var.region) > 0
error_message = "Region must not be empty."
}
}
output "endpoint_url" {
value = endpoint.churn.url
sensitive=true
}
