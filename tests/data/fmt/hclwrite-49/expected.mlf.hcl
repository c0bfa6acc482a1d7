
foo {
  bar = <<-EOT
Foo bar baz
EOT
}
