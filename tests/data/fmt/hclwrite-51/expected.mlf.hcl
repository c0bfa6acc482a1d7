
foo {
  bar = <<-EOT
  blahblahblah = x
EOT
}
