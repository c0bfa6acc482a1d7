
a = 1

bungle = 2
