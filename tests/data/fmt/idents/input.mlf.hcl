résumé-v2 = 1
my-attr_name-2 = "x"
_private = true
données = null
