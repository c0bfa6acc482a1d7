dataset "customers" {
  source = "customers.csv"
}

split "customers" {
  dataset = dataset.customers
  ratio   = { train = 0.5, test = 0.5 }
  seed    = 1
}
