
a      = 1 # foo
bungle = 2
