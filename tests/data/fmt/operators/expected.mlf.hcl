locals {
  a = 1 + 2
  b = 3 - 1
  c = -1
  d = var.x * -2
  e = !var.enabled
  f = var.a && var.b || !var.c
  g = var.a == var.b
  h = var.a != var.b
  i = var.a >= 1 ? "big" : "small"
  j = (var.a + var.b) / 2 % 3
  k = var.list[0].name
  l = var.map["key"]
  m = var.list[*].id
  n = var.list.*.id
  o = max(1, 2, 3)
  p = concat(var.a, var.b...)
  q = -var.x
  r = [-1, -2]
  s = var.a < var.b
  t = var.a <= var.b
}
