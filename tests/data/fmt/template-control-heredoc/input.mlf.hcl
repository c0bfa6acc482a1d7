locals {
  report = <<-EOT
    %{ for m in var.metrics ~}
    ${ m.name }: ${ m.value }
    %{ endfor ~}
  EOT
  after = 1
}
