locals {
  outer = <<EOT
before ${join(",", [<<INNER
inner ${var.x}
INNER
, "b"])} after
EOT
call = foo(<<EOT
arg
EOT
, 2)
list = [
  <<-EOT
  item
  EOT
  ,
]
}
