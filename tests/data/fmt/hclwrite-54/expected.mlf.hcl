
foo {
  bar = <<EOT
Foo bar baz
EOT
}

baz {
  default = "string"
}
