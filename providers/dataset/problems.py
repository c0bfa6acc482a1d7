"""A user's mistake found while reading or building a dataset, on its way to a diagnostic.

Reading a source goes several calls deep (resolve the path, open, parse, filter); raising
`DatasetProblem` there and turning it into `ProviderDiagnostic`s at the verb keeps each step
simple. It never leaves the provider: the verbs return its diagnostics instead.
"""

from __future__ import annotations

from mlform.sdk import AttributePath, ProviderDiagnostic


class DatasetProblem(Exception):
    """One or more errors, each pointing at the attribute at fault."""

    def __init__(self, diagnostics: list[ProviderDiagnostic]):
        self.diagnostics = diagnostics
        super().__init__("; ".join(d.message for d in diagnostics))

    @classmethod
    def at(cls, path: AttributePath, message: str) -> DatasetProblem:
        return cls([ProviderDiagnostic.error(message, path)])


def first_lines(message: str) -> str:
    """A library's error message without the echo of the SQL it parsed (`LINE 1: ...` and
    the caret under it), which shows mlform's wrapping rather than the user's text."""
    kept = []
    for line in str(message).splitlines():
        if line.startswith("LINE "):
            break
        if line.strip():
            kept.append(line.strip())
    return " ".join(kept).rstrip(".!")
