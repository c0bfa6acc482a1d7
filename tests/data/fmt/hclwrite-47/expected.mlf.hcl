
foo {
  bar = [
    # ...
  ]
}
