"""Diagnostics: positioned findings about a configuration, errors and warnings alike.

Every check in mlform reports through `Diagnostic` rather than raising, so that one run can
report every problem at once. A diagnostic knows its source range (file, line, column), the
resource address it concerns when there is one, and a message that says what to do.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from mlform.errors import MlformError


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class SourceRange:
    """A span of a configuration file; lines and columns count from 1."""

    filename: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    message: str
    range: SourceRange | None = None
    address: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.range is not None:
            parts.append(str(self.range))
        if self.address:
            parts.append(self.address)
        parts.append(self.message)
        return ": ".join(parts)

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"severity": self.severity.value, "message": self.message}
        if self.address:
            data["address"] = self.address
        if self.range is not None:
            data["range"] = {
                "filename": self.range.filename,
                "start": {"line": self.range.line, "column": self.range.column},
                "end": {"line": self.range.end_line, "column": self.range.end_column},
            }
        return data


def error(message: str, range: SourceRange | None = None, address: str | None = None) -> Diagnostic:
    return Diagnostic(Severity.ERROR, message, range, address)


def warning(
    message: str, range: SourceRange | None = None, address: str | None = None
) -> Diagnostic:
    return Diagnostic(Severity.WARNING, message, range, address)


@dataclass
class Diagnostics:
    """An ordered collection that checks append to; duplicates are kept out."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        """Keep the first diagnostic reported at a position: a later one is its echo
        (a reference check and the evaluation of the same reference, say)."""
        if diagnostic in self.items:
            return
        if diagnostic.range is not None and any(
            d.range is not None
            and (d.range.filename, d.range.line, d.range.column)
            == (diagnostic.range.filename, diagnostic.range.line, diagnostic.range.column)
            and d.severity is diagnostic.severity
            for d in self.items
        ):
            return
        self.items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            self.add(diagnostic)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        """Errors before warnings, each in file and line order."""

        def key(d: Diagnostic) -> tuple[int, str, int, int]:
            r = d.range
            position = (r.filename, r.line, r.column) if r else ("", 0, 0)
            return (0 if d.severity is Severity.ERROR else 1, *position)

        return sorted(self.items, key=key)


class DiagnosticsError(MlformError):
    """Raised where a command cannot go on past the errors it found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))
