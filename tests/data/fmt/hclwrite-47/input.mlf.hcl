
foo {
bar = [
# ...
]
}
