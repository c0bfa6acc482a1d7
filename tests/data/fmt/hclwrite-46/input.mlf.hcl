
foo {
bar = {
# ...
}
}
