a = 1
bb = 2 # no newline at end