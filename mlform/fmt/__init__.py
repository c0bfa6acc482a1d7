"""`mlform fmt`: lay HCL configuration out exactly as HashiCorp's `hclwrite.Format` does.

The formatter works on tokens, never on a syntax tree, and changes only the spaces between
tokens: indentation by bracket nesting (two spaces a level), canonical spacing inside a line,
and alignment of the `=` of consecutive attributes and of trailing comments. Comments are kept
and expressions are never rewritten, so the output of `terraform fmt` and of `mlform fmt`
agree byte for byte. The public API is `format_source(text) -> str`; it never prints or
touches files, and raises `mlform.errors.MlformError` naming the line on text it cannot
tokenise.
"""

from __future__ import annotations

from mlform.fmt.layout import format_source

__all__ = ["format_source"]
