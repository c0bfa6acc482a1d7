dataset "x" {
  source = "x.csv"
}

