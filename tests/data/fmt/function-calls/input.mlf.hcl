locals {
  joined = join( ",", var.list )
  file = file("${path.module}/schema.json")
  nested = merge( { a = 1 }, lookup(var.m, "k", {}) )
  multi = format(
  "%s-%s",
  var.a,
  var.b
  )
  chained = split(",", var.s)[0]
}
