dataset "churn" {
  source = "data/churn.csv" # where it lives
  format = "csv" # its format
  sep = "," # separator

  seed = 1 # standalone run
  block { a = 1 } # block with a comment
  x = 2 # after block
}
