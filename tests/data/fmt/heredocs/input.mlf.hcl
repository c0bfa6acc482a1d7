endpoint "churn" {
model = model.baseline.id
description = <<EOT
Serves the churn model.
    Indented line stays.
  ${ var.region } and %{ if var.debug }debug%{ endif }
EOT
notes = <<-EOT
    Stripped indentation.
      ${upper( "x" )}
    EOT
script = <<EOF
#!/bin/sh
echo "hello"   
EOF
short = "after"
}
