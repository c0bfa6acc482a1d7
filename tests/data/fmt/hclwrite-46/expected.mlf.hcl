
foo {
  bar = {
    # ...
  }
}
