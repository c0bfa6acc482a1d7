
a      = 1       # foo
bungle = "bonce" # baz
