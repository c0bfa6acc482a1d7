"""String templates: `${ ... }` interpolations and `%{ if }` / `%{ for }` directives.

python-hcl2 splits quoted strings into parts but leaves directives flat and heredoc bodies
as raw text. This module scans heredoc text into parts and nests the directives of both
into `TemplateIf` and `TemplateFor`, applying the `~` strip markers as HCL does.
"""

from __future__ import annotations

import re
from typing import Any

from mlform.diagnostics import SourceRange, error
from mlform.language import ast

_FOR_RE = re.compile(
    r"^for\s+([A-Za-z_][\w-]*)(?:\s*,\s*([A-Za-z_][\w-]*))?\s+in\s+(.*)$", re.DOTALL
)

Directive = tuple[
    str, Any, SourceRange, bool, bool
]  # kind, payload, range, strip_left, strip_right


def _failure(message: str, range: SourceRange) -> Exception:
    from mlform.language.syntax import SyntaxFailure

    return SyntaxFailure([error(message, range)])


def parse_template_text(
    text: str, filename: str, line: int, column: int
) -> tuple[ast.TemplatePart, ...]:
    """Scan template text (a heredoc body) that starts at `line:column`."""
    from mlform.language.syntax import parse_expression

    flat: list[Any] = []
    buffer: list[str] = []
    buffer_start = (line, column)
    i = 0
    here_line, here_column = line, column

    def advance(count: int) -> None:
        nonlocal i, here_line, here_column
        for ch in text[i : i + count]:
            if ch == "\n":
                here_line, here_column = here_line + 1, 1
            else:
                here_column += 1
        i += count

    def flush() -> None:
        if buffer:
            start_line, start_column = buffer_start
            flat.append(
                ast.TemplateText(SourceRange(filename, start_line, start_column), "".join(buffer))
            )
            buffer.clear()

    while i < len(text):
        two = text[i : i + 2]
        three = text[i : i + 3]
        if three in ("$${", "%%{"):
            if not buffer:
                buffer_start = (here_line, here_column)
            buffer.append(three[1:])
            advance(3)
            continue
        if two in ("${", "%{"):
            flush()
            start = (here_line, here_column)
            end = _matching_brace(text, i + 2)
            if end < 0:
                raise _failure(
                    f'"{two}" is never closed; add the matching "}}"', SourceRange(filename, *start)
                )
            inner = text[i + 2 : end]
            strip_left = inner.startswith("~")
            strip_right = inner.endswith("~")
            inner_start = i + 2 + (1 if strip_left else 0)
            body = inner[1 if strip_left else 0 : len(inner) - (1 if strip_right else 0)]
            advance(inner_start - i)
            body_line, body_column = here_line, here_column
            range = SourceRange(filename, *start)
            if two == "${":
                expression = parse_expression(body, filename, body_line, body_column)
                flat.append(
                    _strip_marked(
                        ast.TemplateInterpolation(range, expression, strip_left, strip_right)
                    )
                )
            else:
                flat.append(
                    _directive(
                        body,
                        range,
                        strip_left,
                        strip_right,
                        filename,
                        body_line,
                        body_column,
                        parse_expression,
                    )
                )
            advance(end + 1 - i)
            buffer_start = (here_line, here_column)
            continue
        if not buffer:
            buffer_start = (here_line, here_column)
        buffer.append(text[i])
        advance(1)
    flush()
    return assemble_directives(flat, filename)


def _strip_marked(part: ast.TemplateInterpolation) -> Any:
    if part.strip_left or part.strip_right:
        return ("interp", part, part.range, part.strip_left, part.strip_right)
    return part


def _directive(
    body: str,
    range: SourceRange,
    strip_left: bool,
    strip_right: bool,
    filename: str,
    line: int,
    column: int,
    parse_expression: Any,
) -> Directive:
    stripped = body.strip()
    offset = len(body) - len(body.lstrip())
    if stripped in ("else", "endif", "endfor"):
        return (stripped, None, range, strip_left, strip_right)
    if stripped.startswith("if ") or stripped.startswith("if\t"):
        expression_text = stripped[2:]
        return (
            "if_start",
            parse_expression(expression_text, filename, line, column + offset + 2),
            range,
            strip_left,
            strip_right,
        )
    match = _FOR_RE.match(stripped)
    if match:
        first, second, collection_text = match.groups()
        names = [first, second] if second else [first]
        collection_column = column + offset + match.start(3)
        collection = parse_expression(collection_text, filename, line, collection_column)
        return ("for_start", (names, collection), range, strip_left, strip_right)
    raise _failure(
        f'unknown template directive "%{{{stripped}}}"; use %{{if ...}}, %{{else}}, %{{endif}}, %{{for ... in ...}} or %{{endfor}}',
        range,
    )


def _matching_brace(text: str, start: int) -> int:
    depth = 0
    i = start
    in_string = False
    while i < len(text):
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


def assemble_directives(flat: list[Any], filename: str) -> tuple[ast.TemplatePart, ...]:
    """Nest directive markers, then apply strip markers to the neighbouring text."""
    _apply_strip_markers(flat)
    parts, rest = _nest(flat, 0, filename, closers=())
    assert rest == len(flat)
    return parts


def _apply_strip_markers(flat: list[Any]) -> None:
    for index, item in enumerate(flat):
        if not isinstance(item, tuple):
            continue
        _kind, _payload, _range, strip_left, strip_right = item
        if strip_left and index > 0 and isinstance(flat[index - 1], ast.TemplateText):
            previous = flat[index - 1]
            flat[index - 1] = ast.TemplateText(previous.range, previous.text.rstrip())
        if strip_right and index + 1 < len(flat) and isinstance(flat[index + 1], ast.TemplateText):
            following = flat[index + 1]
            flat[index + 1] = ast.TemplateText(following.range, following.text.lstrip())


_MAX_DIRECTIVE_NESTING = 64


def _nest(
    flat: list[Any], index: int, filename: str, closers: tuple[str, ...], depth: int = 0
) -> tuple[tuple[ast.TemplatePart, ...], int]:
    parts: list[ast.TemplatePart] = []
    if depth > _MAX_DIRECTIVE_NESTING:
        # the evaluator renders nested directives recursively
        raise _failure(
            f"template directives are nested more than {_MAX_DIRECTIVE_NESTING} deep; "
            "split the template up",
            flat[index - 1][2],
        )
    while index < len(flat):
        item = flat[index]
        if not isinstance(item, tuple):
            parts.append(item)
            index += 1
            continue
        kind, payload, range, _sl, _sr = item
        if kind == "interp":
            parts.append(payload)
            index += 1
        elif kind in closers:
            return tuple(parts), index
        elif kind == "if_start":
            then_parts, index = _nest(flat, index + 1, filename, ("else", "endif"), depth + 1)
            else_parts: tuple[ast.TemplatePart, ...] = ()
            if index < len(flat) and flat[index][0] == "else":
                else_parts, index = _nest(flat, index + 1, filename, ("endif",), depth + 1)
            if index >= len(flat) or flat[index][0] != "endif":
                raise _failure("%{if} has no matching %{endif}", range)
            parts.append(ast.TemplateIf(range, payload, then_parts, else_parts))
            index += 1
        elif kind == "for_start":
            names, collection = payload
            body, index = _nest(flat, index + 1, filename, ("endfor",), depth + 1)
            if index >= len(flat):
                raise _failure("%{for} has no matching %{endfor}", range)
            key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
            parts.append(ast.TemplateFor(range, key_var, value_var, collection, body))
            index += 1
        else:
            raise _failure(f"%{{{kind}}} without a matching opening directive", range)
    if closers:
        return tuple(parts), index
    return tuple(parts), index
