"""Diagnostics as text (`FILE:LINE:COL: ADDRESS: message`, the source line, a caret) and as
JSON in the shape of `terraform validate -json`."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Protocol

from mlform.diagnostics import Diagnostic, Severity, SourceRange
from mlform.views.terminal import Terminal

SourceLine = Callable[[Diagnostic], str | None]


class HasSources(Protocol):
    def source_line(self, range: SourceRange) -> str | None: ...


def lines_of(config: HasSources) -> SourceLine:
    """The source line each diagnostic points at, from the configuration's files."""

    def line(diagnostic: Diagnostic) -> str | None:
        return config.source_line(diagnostic.range) if diagnostic.range else None

    return line


def render(diagnostics: Sequence[Diagnostic], terminal: Terminal, source_line: SourceLine) -> None:
    for diagnostic in diagnostics:
        is_error = diagnostic.severity is Severity.ERROR
        head = str(diagnostic)
        if not is_error:
            prefix = f"{diagnostic.range}: " if diagnostic.range else ""
            address = f"{diagnostic.address}: " if diagnostic.address else ""
            head = f"{prefix}{address}warning: {diagnostic.message}"
        elif diagnostic.range is None:
            head = (
                "" if not diagnostic.address else f"{diagnostic.address}: "
            ) + diagnostic.message
            head = f"error: {head}"
        terminal.print(head, "bold red" if is_error else "bold yellow")
        line = source_line(diagnostic)
        if line is not None and diagnostic.range is not None:
            number = str(diagnostic.range.line)
            gutter = " " * len(number)
            text = line.expandtabs(1).replace("\r", " ").rstrip()
            terminal.print(f"  {number} | {text}")
            caret_column = max(diagnostic.range.column - 1, 0)
            width = 1
            if (
                diagnostic.range.end_line == diagnostic.range.line
                and diagnostic.range.end_column > diagnostic.range.column
            ):
                width = diagnostic.range.end_column - diagnostic.range.column
            width = max(1, min(width, len(text) - caret_column)) if len(text) > caret_column else 1
            terminal.print(
                f"  {gutter} | {' ' * caret_column}{'^' * width}", "red" if is_error else "yellow"
            )


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return " and ".join(parts)


def to_json(diagnostics: Sequence[Diagnostic], source_line: SourceLine) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    items = []
    for diagnostic in diagnostics:
        item: dict[str, object] = {
            "severity": diagnostic.severity.value,
            "summary": diagnostic.message,
            "detail": "",
        }
        if diagnostic.address:
            item["address"] = diagnostic.address
        if diagnostic.range is not None:
            r = diagnostic.range
            item["range"] = {
                "filename": r.filename,
                "start": {"line": r.line, "column": r.column},
                "end": {"line": r.end_line or r.line, "column": r.end_column or r.column},
            }
            line = source_line(diagnostic)
            if line is not None:
                item["snippet"] = {"code": line, "start_line": r.line}
        items.append(item)
    document = {
        "format_version": "1.0",
        "valid": errors == 0,
        "error_count": errors,
        "warning_count": len(diagnostics) - errors,
        "diagnostics": items,
    }
    return json.dumps(document, indent=2)
