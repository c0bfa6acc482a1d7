# only comments
# indented comment
/* block */ # then hash
