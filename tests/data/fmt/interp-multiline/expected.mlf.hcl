locals {
  msg = "value: ${
    var.a +
    var.b
  } end"
  doc = <<EOT
  ${
  upper(var.c)
}
EOT
}
