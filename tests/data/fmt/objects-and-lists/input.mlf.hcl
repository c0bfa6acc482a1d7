locals {
  ratios = {train=0.7,eval=0.3}
  nested = { a = { b = [1,2,3] }, c = [ { d = 1 } ] }
  empty_object = {  }
  empty_list = [ ]
  multi = [
  "a",
      "b",
    "c",
  ]
  multi_object = {
  learning_rate = 0.01
      max_depth = 6
    n_estimators = 100
  }
  mixed = {
    "quoted key" = 1
    (local.dynamic) = 2
    plain: 3
  }
}
