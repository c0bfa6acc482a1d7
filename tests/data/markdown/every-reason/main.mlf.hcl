dataset "tainted" {
  source = "churn.csv"
}

dataset "requested" {
  source = "churn.csv"
}

dataset "described" {
  source      = "churn.csv"
  description = "Customers, cleaned"
}

dataset "regional" {
  for_each = toset(["north", "south"])
  source   = "churn.csv"
  where    = "plan = '${each.key}'"
}

dataset "sampled" {
  count  = 1
  source = "churn.csv"
  limit  = 2
}

dataset "filtered" {
  source = "churn.csv"
  where  = "tenure > 6"
}
