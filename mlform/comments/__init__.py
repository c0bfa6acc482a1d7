"""Posting a plan on the pull request it belongs to, and keeping it up to date.

`mlform comment PLANFILE` renders the saved plan as markdown and posts it through the
code host's REST API: GitHub's issue comments (`github`) or GitLab's merge-request notes
(`gitlab`), both over the standard library's HTTP client (`http`). The comment opens with a
hidden marker naming the workspace; a later run finds the comment by that marker and edits
it instead of adding another, so a pull request holds one plan comment per workspace
(`post`). Imported only by the comment command: nothing here slows `mlform --help`.
"""
