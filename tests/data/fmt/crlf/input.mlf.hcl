dataset "x" {
source = "x.csv" # c
  notes = <<EOT
line
  EOT
long_name = 1
}
