resource   "aws_instance"   "web"   {
ami="ami-123"
  tags = {
Name="web"  # the name
    Env = "prod"
  }
}
provider "aws" { region = "us-east-1" }
data "x" "y" {}
