# file header comment
// another header style
/* block header */

dataset "churn" { # after the opening brace
  # leading comment in a block
  source = "data/churn.csv" # trailing hash
  format = "csv"            // trailing slashes
  target = "churned" /* trailing block */
  /* standalone block comment */
  columns = [
    "a",  # first
    "bb", # second
    # between elements
    "ccc" // third
  ]
  ratio = /* inline */ 0.5
  /*
   * multi-line block comment
   */
  seed = 1
} # after the closing brace
# trailing comment at end of file
