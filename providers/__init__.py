"""The built-in providers, one package per resource kind: dataset, split, model,
evaluation and endpoint.

Each package defines `provider`, registered in the `mlform.providers` entry-point group
exactly like a third-party provider; the core never imports this package by name. Importing a
provider is cheap: the ML libraries it drives (pandas, xgboost, tensorflow, docker) are
imported inside the methods that need them.
"""
