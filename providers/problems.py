"""A user's mistake found deep inside a provider's work, on its way to a diagnostic.

Splitting, fitting and training go several calls deep; raising `Problem` there and turning
it into `ProviderDiagnostic`s at the verb keeps each step simple. It never leaves a provider:
the verbs return its diagnostics instead.
"""

from __future__ import annotations

from mlform.sdk import AttributePath, ProviderDiagnostic


class Problem(Exception):
    """One or more errors, each pointing at the attribute at fault (`()`: the resource)."""

    def __init__(self, diagnostics: list[ProviderDiagnostic]):
        self.diagnostics = diagnostics
        super().__init__("; ".join(d.message for d in diagnostics))

    @classmethod
    def at(cls, path: AttributePath, message: str) -> Problem:
        return cls([ProviderDiagnostic.error(message, path)])
