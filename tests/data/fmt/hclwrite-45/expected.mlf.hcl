
foo {
  bar {
    # ...
  }
}
