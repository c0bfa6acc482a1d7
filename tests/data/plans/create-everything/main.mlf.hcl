dataset "churn" {
  source      = "sklearn:breast_cancer"
  description = "Tumour measurements"
}

split "churn" {
  dataset = dataset.churn
  ratio   = { train = 0.8, test = 0.2 }
  seed    = 42
  standardize {
    columns = ["mean radius"]
  }
}
