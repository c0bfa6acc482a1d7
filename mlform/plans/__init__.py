"""Plans: what an apply will do to each resource instance, and why.

`action` holds the closed set of actions and reasons, `decide` the one pure function that
chooses them, and `changes` the frozen values a plan is made of (`ResourceChange`, `Plan`),
which the views render and apply carries out. Nothing here reads state or touches files.
"""
