split "s" { ratios = { train = 0.8, eval = 0.2 } }
model "m" { split = split.s.id }
x = { a = 1 }
y = {
  a = 1, b = 2
}
