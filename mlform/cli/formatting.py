"""`mlform fmt`: find the files, refuse those with syntax errors, write or report changes."""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Callable
from pathlib import Path

from mlform.diagnostics import Diagnostic
from mlform.errors import MlformError
from mlform.views.terminal import Terminal

EXIT_CHANGED = 3
SUFFIXES = (".mlf.hcl", ".mlfvars")


def _files(paths: list[str], recursive: bool) -> list[Path]:
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            pattern = "**/*" if recursive else "*"
            found.extend(
                p
                for p in sorted(path.glob(pattern))
                if p.is_file() and p.name.endswith(SUFFIXES) and ".venv" not in p.parts
            )
        else:
            raise MlformError(f'"{name}" does not exist; give a configuration file or directory')
    return found


def _lines_of(lines: list[str]) -> Callable[[Diagnostic], str | None]:
    def line(diagnostic: Diagnostic) -> str | None:
        r = diagnostic.range
        return lines[r.line - 1] if r is not None and 0 < r.line <= len(lines) else None

    return line


def format_paths(args: argparse.Namespace) -> int:
    from mlform.fmt import format_source
    from mlform.language.loader import display_path
    from mlform.language.syntax import SyntaxFailure, parse_file
    from mlform.views import diagnostics as view

    out = Terminal(color=False if args.no_color else None)
    err = Terminal(sys.stderr, color=False if args.no_color else None)
    changed = False
    failed = False
    for path in _files(args.paths, args.recursive):
        name = display_path(path)
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            err.print(
                f"{name}: the file is not valid UTF-8 (byte {exc.start}); save it as UTF-8",
                "bold red",
            )
            failed = True
            continue
        lines = text.splitlines()
        try:
            _, problems = parse_file(text, name)
        except SyntaxFailure as failure:
            problems = failure.diagnostics
        if problems:
            view.render(
                problems,
                err,
                _lines_of(lines),
            )
            failed = True
            continue
        formatted = format_source(text)
        if formatted == text:
            continue
        changed = True
        out.print(name)
        if args.diff:
            diff = difflib.unified_diff(
                text.splitlines(keepends=True),
                formatted.splitlines(keepends=True),
                fromfile=f"old/{name}",
                tofile=f"new/{name}",
            )
            out.write("".join(diff))
        if not args.check:
            path.write_text(formatted, encoding="utf-8")
    if failed:
        err.print("\nSome files were not formatted: fix the errors above first.", "bold red")
        return 1
    return EXIT_CHANGED if (changed and args.check) else 0
