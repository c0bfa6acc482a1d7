
foo {
bar {
# ...
}
}
