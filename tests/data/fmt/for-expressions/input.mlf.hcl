locals {
  upper_names = [for n in var.names: upper(n)]
  by_key = {for k,v in var.map : k => v if v != null}
  grouped = {for x in var.items : x.kind => x.name...}
  literal_tuple = [for x in [1,2,3] : x*2]
  multi_line = [
    for s in var.splits :
    s.name
    if s.enabled
  ]
}
