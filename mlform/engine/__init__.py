"""Running plans against a workspace: where its state lives (`workspace`), reading it for a
plan (`reading`), and the apply and destroy walks (`apply`, `work`, `events`).

`mlform/plans` decides; this package carries the decisions out. It talks to providers only
through the SDK's requests and to the state only through `StateStore`.
"""
