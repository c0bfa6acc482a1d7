
foo {} # here we go
a = 1 # foo
bungle = "bonce" # baz
