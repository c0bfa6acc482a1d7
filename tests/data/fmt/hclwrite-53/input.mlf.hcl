
foo {
  bar = <<-EOT
  ${a}${b}${ c } ${d}
EOT
}
