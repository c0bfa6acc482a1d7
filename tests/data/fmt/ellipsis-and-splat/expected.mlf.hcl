locals {
  ids    = aws_instance.web[*].id
  legacy = aws_instance.web.*.id
  args   = concat(var.a, var.b...)
  index  = var.list[0]
  attr   = var.obj.attr
}
