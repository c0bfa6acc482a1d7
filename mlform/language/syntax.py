"""From source text to `ast` nodes: python-hcl2 parses, this module reads its tree.

python-hcl2 accepts some text that HCL rejects (FACTS.md): a duplicate argument, two
arguments on one line, an operator continuing an expression on the next line outside
brackets, a block whose `{` sits on the next line, a carriage return not followed by a
newline. HashiCorp's parser refuses all of these, and so does this module, with the message
HCL users know.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from mlform.diagnostics import Diagnostic, Diagnostics, SourceRange, error
from mlform.language import ast
from mlform.language.templates import _strip_marked, parse_template_text


class SyntaxFailure(Exception):
    """Carries the diagnostics of a file that could not be parsed at all."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(str(d) for d in diagnostics))
        self.diagnostics = diagnostics


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)

MAX_NESTING = 256
"""How deeply the syntax tree may nest (counted in parser nodes, a few per level of brackets
or blocks): deeper is surely a mistake, and the evaluator and the checks walk the tree
recursively."""


def _too_deep(range: SourceRange) -> Diagnostic:
    return error(
        "this is nested too deeply for mlform to read; split it up, with locals for parts "
        "of an expression",
        range,
    )


_TERMINAL_NAMES = {
    "RBRACE": "}",
    "LBRACE": "{",
    "RSQB": "]",
    "LSQB": "[",
    "RPAR": ")",
    "LPAR": "(",
    "EQ": "=",
    "COMMA": ",",
    "COLON": ":",
    "DBLQUOTE": '"',
    "NAME": "a name",
    "NL_OR_COMMENT": "a newline",
    "$END": "the end of the file",
}


def parse_file(text: str, filename: str) -> tuple[ast.File, list[Diagnostic]]:
    """Parse one file; raises `SyntaxFailure` when python-hcl2 cannot parse it at all."""
    from hcl2 import parses_to_tree  # imported here: only commands that read HCL pay for it

    if text.startswith("\ufeff"):
        text = text[1:]  # a byte order mark, as some editors on Windows write
    stray = _stray_carriage_return(text)  # before the final newline below makes "\r" a CRLF
    if stray is not None:
        raise SyntaxFailure([_stray_carriage_return_error(text, *stray, filename)])
    if not text.endswith("\n"):
        text += "\n"  # python-hcl2 needs a final newline after the last item
    try:
        prepared, strip_markers = _prepare(text)
        tree = parses_to_tree(prepared)
    except UnexpectedInput as exc:
        raise SyntaxFailure([_syntax_error(exc, text, filename)]) from None
    except (LarkError, RecursionError) as exc:
        raise SyntaxFailure(
            [error(f"this file cannot be parsed: {exc}", SourceRange(filename, 1, 1))]
        ) from None
    reader = _Reader(filename)
    reader.strip_markers = strip_markers
    try:
        body = reader.body(tree.children[0], SourceRange(filename, 1, 1))
    except RecursionError:
        raise SyntaxFailure([_too_deep(SourceRange(filename, 1, 1))]) from None
    return ast.File(filename, body, source_lines(text)), reader.diagnostics.items


def source_lines(text: str) -> tuple[str, ...]:
    """The lines of a file as HCL counts them: split at "\n" only (str.splitlines would also
    split at form feeds and Unicode line separators, and quote the wrong line)."""
    lines = text.removeprefix("\ufeff").split("\n")
    if lines and not lines[-1]:
        lines.pop()
    return tuple(line.removesuffix("\r") for line in lines)


def _prepare(text: str) -> tuple[str, frozenset[tuple[int, int]]]:
    """The text as python-hcl2 can read it, with every position kept as it was.

    `/* ... */` comments that open and close on one line become spaces: HCL takes them
    wherever whitespace may be; python-hcl2 refuses some (`x = /* c */ 1`) and misreads
    others (`(1 /* c */ + 2)`). The `~` strip markers of interpolations in quoted strings
    (`"a ${~ x ~} b"`), which python-hcl2 cannot read, become spaces too; their positions
    (line, column) are returned for the reader to apply.
    """
    if "/*" not in text and "~" not in text:
        return text, frozenset()
    out = list(text)
    markers: list[int] = []
    modes: list[list[Any]] = []  # per open string: [brace depth of its ${ }, "$" or "%"]
    in_string = False
    i, n = 0, len(text)
    while i < n:
        ch, nxt = text[i], text[i + 1 : i + 2]
        if in_string:
            if ch == "\\":
                i += 2
                continue
            if ch == '"' or ch == "\n":
                in_string = False
                modes.pop()
            elif ch in "$%" and nxt == "{" and text[i - 1 : i] != ch:  # not `$${` nor `%%{`
                in_string = False
                modes[-1][1] = ch
                if ch == "$" and text[i + 2 : i + 3] == "~":
                    markers.append(i + 2)
                i += 2
                continue
            i += 1
            continue
        if ch == '"':
            in_string = True
            modes.append([0, ""])
        elif ch == "{" and modes:
            modes[-1][0] += 1
        elif ch == "}" and modes:
            if modes[-1][0] == 0:
                in_string = True  # the end of an interpolation: back in its string
                if modes[-1][1] == "$" and text[i - 1 : i] == "~" and i - 1 not in markers:
                    markers.append(i - 1)
            else:
                modes[-1][0] -= 1
        elif ch == "#" or (ch == "/" and nxt == "/"):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif ch == "/" and nxt == "*":
            end = text.find("*/", i + 2)
            if end < 0:
                break
            if "\n" not in text[i:end]:
                out[i : end + 2] = " " * (end + 2 - i)
            i = end + 2
            continue
        elif ch == "<" and nxt == "<" and (heredoc := _HEREDOC_RE.match(text, i)):
            marker, i = heredoc.group(1), heredoc.end()
            while i < n:
                line_end = text.find("\n", i)
                line_end = n if line_end < 0 else line_end + 1
                done = text[i:line_end].strip() == marker
                i = line_end
                if done:
                    break
            continue
        i += 1
    positions = set()
    for offset in markers:
        out[offset] = " "
        start = text.rfind("\n", 0, offset) + 1
        positions.add((text.count("\n", 0, offset) + 1, offset - start + 1))
    return "".join(out), frozenset(positions)


_LONE_CARRIAGE_RETURN_RE = re.compile(r"\r(?!\n)")


def _stray_carriage_return(text: str) -> tuple[int, str] | None:
    """The offset of the first carriage return that HCL rejects, and what holds it: "" (the
    code between tokens), "string" or "heredoc".

    HCL ends lines at "\n" or "\r\n" only. A "\r" not followed by "\n" is an invalid
    character everywhere but in a comment (in a quoted string it ends the string, as a
    newline would), while python-hcl2 takes it for a space. Comments may also sit inside the
    interpolations of strings and heredocs, so those are followed too.
    """
    if _LONE_CARRIAGE_RETURN_RE.search(text) is None:
        return None
    stack: list[list[Any]] = [["code", 0]]  # ["code", brace depth], ["string"], ["heredoc", marker]
    i, n = 0, len(text)
    while i < n:
        ch, nxt = text[i], text[i + 1 : i + 2]
        kind = stack[-1][0]
        if kind == "heredoc" and (i == 0 or text[i - 1] == "\n"):
            end = text.find("\n", i)
            line = text[i:] if end < 0 else text[i:end].removesuffix("\r")
            if line.strip(" \t") == stack[-1][1]:
                stack.pop()
                i = n if end < 0 else end + 1
                continue
        if ch == "\r" and nxt != "\n":
            return i, "" if kind == "code" else kind
        if kind == "code":
            if ch == "#" or (ch == "/" and nxt == "/"):
                end = text.find("\n", i)
                i = n if end < 0 else end
                continue
            if ch == "/" and nxt == "*":
                end = text.find("*/", i + 2)
                i = n if end < 0 else end + 2
                continue
            if ch == "<" and nxt == "<" and (heredoc := _HEREDOC_RE.match(text, i)):
                stack.append(["heredoc", heredoc.group(1)])
                i = heredoc.end()
                continue
            if ch == '"':
                stack.append(["string"])
            elif ch == "{":
                stack[-1][1] += 1
            elif ch == "}" and stack[-1][1] > 0:
                stack[-1][1] -= 1
            elif ch == "}" and len(stack) > 1:
                stack.pop()  # the end of an interpolation: back in its string or heredoc
            i += 1
            continue
        if ch in "$%" and text[i + 1 : i + 3] == ch + "{":
            i += 3  # `$${` and `%%{` are text
            continue
        if ch in "$%" and nxt == "{":
            stack.append(["code", 0])
            i += 2
            continue
        if kind == "string" and ch == "\\":
            i += 1 if nxt == "\r" else 2
            continue
        if kind == "string" and ch in '"\n':
            stack.pop()  # the string ends (a newline in it is reported by the parser)
        i += 1
    return None


def _stray_carriage_return_error(text: str, offset: int, inside: str, filename: str) -> Diagnostic:
    line_start = text.rfind("\n", 0, offset) + 1
    where = SourceRange(filename, text.count("\n", 0, offset) + 1, offset - line_start + 1)
    advice = {
        "string": "; for a carriage return in the string, write \\r",
        "heredoc": "; for a carriage return in a value, write \\r in a quoted string "
        "(a heredoc cannot hold one)",
    }.get(inside, "")
    return error(
        'this carriage return ("\\r") is not followed by a newline, and HCL accepts one only '
        "in a comment: save the file with LF or CRLF line endings" + advice,
        where,
    )


def parse_expression(text: str, filename: str, line: int, column: int) -> ast.Expression:
    """Parse a standalone expression whose first character sits at `line:column`."""
    from hcl2 import parses_to_tree

    prefix = "__x = ("
    prepared, strip_markers = _prepare(prefix + text + ")\n")
    try:
        tree = parses_to_tree(prepared)
    except UnexpectedInput as exc:
        shifted_col = exc.column - len(prefix) + column - 1 if exc.line == 1 else exc.column
        raise SyntaxFailure(
            [
                error(
                    f"invalid expression: {_describe(exc)}",
                    SourceRange(filename, line + exc.line - 1, max(shifted_col, 1)),
                )
            ]
        ) from None
    except (LarkError, RecursionError) as exc:
        raise SyntaxFailure(
            [error(f"this expression cannot be parsed: {exc}", SourceRange(filename, line, column))]
        ) from None
    reader = _Reader(filename, line - 1, column - 1 - len(prefix))
    reader.strip_markers = frozenset(reader._pos(*marker) for marker in strip_markers)
    attribute = tree.children[0].children[0]
    expression = reader.expression(attribute.children[2])
    if reader.diagnostics.has_errors:
        raise SyntaxFailure(reader.diagnostics.items)
    assert isinstance(expression, ast.Parenthesized)
    return expression.expression


def _unclosed_string(at: SourceRange) -> Diagnostic:
    return error(
        'this string is never closed; add the closing " on the same line '
        "(a quoted string cannot span lines: use a heredoc for several lines)",
        at,
    )


def _got(found: Token) -> str:
    return "the end of the file" if found.type == "$END" else f'"{str(found).strip() or "newline"}"'


def _expected(exc: UnexpectedToken) -> str:
    """What the parser expected, when that is a short list."""
    expected = sorted({_TERMINAL_NAMES.get(e, e.lower()) for e in exc.expected})
    return " or ".join(expected) if len(expected) <= 4 else ""


def _describe(exc: UnexpectedInput) -> str:
    if isinstance(exc, UnexpectedToken):
        got = _got(exc.token)
        expected = _expected(exc)
        if expected:
            return f"unexpected {got}; expected {expected}"
        return f"unexpected {got}"
    if isinstance(exc, UnexpectedCharacters):
        return f'unexpected character "{exc.char}"'
    return "unexpected end of input"


def _syntax_error(exc: UnexpectedInput, text: str, filename: str) -> Diagnostic:
    line, column = getattr(exc, "line", 1), getattr(exc, "column", 1)
    message = _describe(exc)
    token = getattr(exc, "token", None)
    if (token is not None and token.type == "$END") or line < 1:
        unclosed = _find_unclosed(text)
        if unclosed is not None:
            line, column, opener = unclosed
            closer = {"{": "}", "[": "]", "(": ")", '"': '"'}[opener]
            if opener == '"':
                return _unclosed_string(SourceRange(filename, line, column))
            return error(
                f'"{opener}" is never closed; add the matching "{closer}"',
                SourceRange(filename, line, column),
            )
        line, column = max(line, 1), max(column, 1)
    unclosed = _find_unclosed(text)
    if unclosed is not None and unclosed[2] == '"' and unclosed[:2] < (line, column):
        # python-hcl2 reads on past the end of the line, and fails somewhere later
        return _unclosed_string(SourceRange(filename, unclosed[0], unclosed[1]))
    if isinstance(exc, UnexpectedToken) and exc.token.type == "STRING_CHARS":
        return _stray_text_error(exc, text, filename)
    if isinstance(exc, UnexpectedToken) and set(exc.expected) == {"LBRACE"}:
        # `source "a.csv"`: python-hcl2 read a block header, HCL would stop at its line end
        header_line, header_column = _end_of_previous_text(text, line, column)
        if _BLOCK_HEADER_RE.match(text.split("\n")[header_line - 1]):
            return error(
                'expected "{" after this block header, on the same line; to set an argument, '
                "write name = value",
                SourceRange(filename, header_line, header_column),
            )
    lines = text.split("\n")
    before = lines[line - 1][: column - 1] if 0 < line <= len(lines) else ""
    if (
        isinstance(exc, UnexpectedToken)
        and not set(exc.expected) & {"NL_OR_COMMENT", "$END", "LBRACE"}
        and not before.strip()
        and line > 1
    ):
        # python-hcl2 went on to the next line where HCL would stop at this one's end
        end_line, end_column = _end_of_previous_text(text, line, column)
        expected = _expected(exc)
        return error(
            "syntax error: the expression is incomplete at the end of this line"
            + (f"; expected {expected}" if expected else ""),
            SourceRange(filename, end_line, end_column),
        )
    if (
        isinstance(exc, UnexpectedToken)
        and exc.token.type == "EQ"
        and '"' in before
        and _BLOCK_HEADER_RE.match(before)
    ):
        return error(
            'a block takes no "=" after its labels: write TYPE "NAME" { ... }',
            SourceRange(filename, line, column),
        )
    if isinstance(exc, UnexpectedToken):
        name = re.fullmatch(r"\s*([A-Za-z_][\w-]*)\s+", before)
        if name is not None and exc.token.type not in ("EQ", "LBRACE", "DBLQUOTE", "NAME"):
            return error(
                f'syntax error: unexpected {_got(exc.token)} after "{name.group(1)}"; to set an '
                f"argument, write {name.group(1)} = value",
                SourceRange(filename, line, column),
            )
    hint = ""
    if isinstance(exc, UnexpectedToken) and exc.token.type == "NL_OR_COMMENT":
        hint = "; an expression must end on its line unless it is inside ( ), [ ] or { }"
    return error(f"syntax error: {message}{hint}", SourceRange(filename, line, column))


_OPERATOR_RE = re.compile(r"(==|!=|<=|>=|&&|\|\||[-+*/%<>])\s*$")
_BLOCK_HEADER_RE = re.compile(r'^\s*[A-Za-z_][\w-]*(\s+("[^"\n]*"|[A-Za-z_][\w-]*))*\s*$')
_DIRECTIVE_KEYWORDS = {"IF", "FOR", "ELSE", "ENDIF", "ENDFOR"}
_HEREDOC_RE = re.compile(r"<<-?([A-Za-z_][\w-]*)\r?\n")


def _stray_text_error(exc: UnexpectedToken, text: str, filename: str) -> Diagnostic:
    """python-hcl2 reports text its lexer could not split as one token up to the end of the
    file; say what is wrong with its first characters instead of quoting all of it."""
    raw = str(exc.token)
    line, column = exc.line, exc.column
    at = SourceRange(filename, line, column)
    lines = text.split("\n")
    before = lines[line - 1][: column - 1] if 0 < line <= len(lines) else ""
    if raw.startswith("<<"):
        match = _HEREDOC_RE.match(raw)
        if match is None:
            return error(
                "a heredoc starts with <<MARKER or <<-MARKER and a newline, as in <<EOT", at
            )
        marker = match.group(1)
        if not any(rest.strip() == marker for rest in raw[match.end() :].splitlines()):
            return error(
                f'the heredoc "<<{marker}" is never closed; end it with a line holding only "{marker}"',
                at,
            )
    if raw.startswith("*") and before.endswith("/"):
        return error(
            'the comment "/*" is never closed; end it with "*/"',
            SourceRange(filename, line, column - 1),
        )
    if raw.startswith("'"):
        return error('strings are written in double quotes ("), not single quotes', at)
    if set(exc.expected) & _DIRECTIVE_KEYWORDS:
        word = raw.split()[0] if raw.split() else raw
        return error(
            f'unknown template directive "{word}"; use %{{if ...}}, %{{else}}, %{{endif}}, '
            "%{for ... in ...} or %{endfor}",
            at,
        )
    first = raw[:1]
    if first in ("\n", "\r"):
        return error("syntax error: expected a value before the end of the line", at)
    if "NAME" in exc.expected and first and not first.isascii():
        return error(
            f'"{first}" cannot start a name: mlform names are ASCII letters, digits, "_" and "-"',
            at,
        )
    shown = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(first, first)
    return error(f'syntax error: unexpected character "{shown}"', at)


def _end_of_previous_text(text: str, line: int, column: int) -> tuple[int, int]:
    """The position just after the last non-blank character before `line:column`."""
    lines = text.split("\n")
    current = lines[line - 1][: column - 1] if 0 < line <= len(lines) else ""
    while not current.strip() and line > 1:
        line -= 1
        current = lines[line - 1]
    stripped = current.rstrip()
    return line, len(stripped) + 1 if stripped else column


def _find_unclosed(text: str) -> tuple[int, int, str] | None:
    """The position of the first bracket or quote that is never closed."""
    stack: list[tuple[int, int, str]] = []
    line, column, i = 1, 1, 0
    in_string = False
    while i < len(text):
        ch = text[i]
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if in_string:
            if ch == "\\":
                i += 2
                column += 2
                continue
            if ch == '"':
                in_string = False
                stack.pop()
            elif ch in "$%" and nxt == "{":
                stack.append((line, column, "{"))
                in_string = False
                i += 2
                column += 2
                continue
            elif ch == "\n":
                return stack[-1]
        elif ch == "#" or (ch == "/" and nxt == "/"):
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        elif ch == "/" and nxt == "*":
            end = text.find("*/", i + 2)
            end = len(text) if end < 0 else end + 2
            for c in text[i:end]:
                line, column = (line + 1, 1) if c == "\n" else (line, column + 1)
            i = end
            continue
        elif ch == "<" and nxt == "<" and (heredoc := _HEREDOC_RE.match(text, i)):
            # skip a heredoc's body: quotes and brackets in it are text
            marker, end = heredoc.group(1), heredoc.end()
            while end < len(text):
                line_end = text.find("\n", end)
                line_end = len(text) if line_end < 0 else line_end + 1
                done = text[end:line_end].strip() == marker
                end = line_end
                if done:
                    break
            line += text.count("\n", i, end)
            column = 1
            i = end
            continue
        elif ch == '"':
            in_string = True
            stack.append((line, column, '"'))
        elif ch in "{[(":
            stack.append((line, column, ch))
        elif ch in "}])" and stack:
            stack.pop()
            if stack and stack[-1][2] == '"':
                in_string = True
        if ch == "\n":
            line, column = line + 1, 1
        else:
            column += 1
        i += 1
    return stack[-1] if stack else None


def _has_newline(node: Any) -> bool:
    if isinstance(node, Token):
        return "\n" in node
    if node.data == "new_line_or_comment":
        return any("\n" in tok for tok in node.children)
    return _ends_line(node)


def _ends_line(node: Tree) -> bool:
    """Whether an item swallowed the newline that ends it (a heredoc, a trailing newline)."""
    last: Any = node
    while isinstance(last, Tree):
        children = [c for c in last.children if c is not None]
        if not children:
            return False
        last = children[-1]
    return "\n" in last


def _is_keyword(node: Tree, word: str) -> bool:
    inner = node.children[0] if node.children else None
    return isinstance(inner, Tree) and inner.data == "keyword" and str(inner.children[0]) == word


def _content_end(node: Tree | Token) -> tuple[int, int] | None:
    """Where a node's text ends, leaving out the newlines and comments it swallowed."""
    while isinstance(node, Tree):
        children = [
            c
            for c in node.children
            if c is not None and not (isinstance(c, Tree) and c.data == "new_line_or_comment")
        ]
        if not children:
            return None
        node = children[-1]
    if node.end_line is None or node.end_column is None:
        return None
    return node.end_line, node.end_column


class _Reader:
    """Walks python-hcl2's lark tree, building `ast` nodes and collecting diagnostics."""

    def __init__(self, filename: str, line_offset: int = 0, first_line_column_offset: int = 0):
        self.filename = filename
        self.line_offset = line_offset
        self.column_offset = first_line_column_offset
        self.diagnostics = Diagnostics()
        self.newlines_allowed = 0  # depth inside ( ) and [ ]
        self.depth = 0  # nesting of expressions and blocks, limited to MAX_NESTING
        self.strip_markers: frozenset[tuple[int, int]] = frozenset()  # see _prepare
        self._expression_readers: dict[str, Callable[[Tree], ast.Expression]] = {
            "expr_term": self._expr_term,
            "conditional": self._conditional,
            "binary_op": self._binary_op,
            "unary_op": self._unary_op,
            "int_lit": self._number,
            "float_lit": self._number,
            "string": self._string,
            "template_string": self._template_string,
            "tuple": self._tuple,
            "object": self._object,
            "identifier": self._identifier,
            "literal_value": self._literal_value,
            "function_call": self._function_call,
            "heredoc_template": self._heredoc,
            "heredoc_template_trim": self._heredoc,
            "index_expr_term": self._index,
            "get_attr_expr_term": self._get_attr,
            "attr_splat_expr_term": self._splat,
            "full_splat_expr_term": self._splat,
            "for_tuple_expr": self._for_tuple,
            "for_object_expr": self._for_object,
        }

    # positions -----------------------------------------------------------------------------

    def _pos(self, line: int, column: int) -> tuple[int, int]:
        if line == 1:
            column += self.column_offset
        return line + self.line_offset, column

    def range_of(self, node: Tree | Token) -> SourceRange:
        if isinstance(node, Token):
            line, column = self._pos(node.line or 1, node.column or 1)
            end_line, end_column = self._pos(node.end_line or 1, node.end_column or 1)
        else:
            meta = node.meta
            if getattr(meta, "empty", True):
                return SourceRange(self.filename, 1 + self.line_offset, 1)
            line, column = self._pos(meta.line, meta.column)
            # python-hcl2 lets some nodes swallow the newline (and comment) that follows them
            end_line, end_column = self._pos(
                *(_content_end(node) or (meta.end_line, meta.end_column))
            )
        return SourceRange(self.filename, line, column, end_line, end_column)

    def fail(self, message: str, node: Tree | Token) -> None:
        self.diagnostics.add(error(message, self.range_of(node)))

    # structure -----------------------------------------------------------------------------

    def body(self, tree: Tree, fallback: SourceRange) -> ast.Body:
        attributes: dict[str, ast.Attribute] = {}
        blocks: list[ast.Block] = []
        previous: Tree | None = None
        separated = True
        for child in tree.children:
            if child is None:
                continue
            if child.data == "new_line_or_comment":
                separated = separated or _has_newline(child)
                continue
            if not separated and previous is not None:
                what = "argument" if child.data == "attribute" else "block"
                self.fail(
                    f"each argument and block must start on a new line; put this {what} on a line of its own",
                    child,
                )
            ends_line = _ends_line(child)
            if child.data == "attribute":
                attribute = self.attribute(child)
                if attribute.name in attributes:
                    first = attributes[attribute.name].name_range
                    self.diagnostics.add(
                        error(
                            f'argument "{attribute.name}" was already set at line {first.line}; each argument may be set only once',
                            attribute.name_range,
                        )
                    )
                else:
                    attributes[attribute.name] = attribute
            else:
                blocks.append(self.block(child))
            previous = child
            separated = ends_line
        has_meta = not getattr(tree.meta, "empty", True)
        return ast.Body(attributes, tuple(blocks), self.range_of(tree) if has_meta else fallback)

    def _name(self, node: Tree) -> str:
        token = node.children[0]
        return str(token)

    def attribute(self, tree: Tree) -> ast.Attribute:
        name_node, _eq, value = tree.children
        self.newlines_allowed = 0
        expression = self.expression(value)
        return ast.Attribute(
            self._name(name_node), expression, self.range_of(tree), self.range_of(name_node)
        )

    def block(self, tree: Tree) -> ast.Block:
        children = [c for c in tree.children if c is not None]
        type_node = children[0]
        labels: list[str] = []
        label_ranges: list[SourceRange] = []
        index = 1
        while isinstance(children[index], Tree) and children[index].data in (
            "identifier",
            "keyword",
            "literal_value",
            "string",
            "new_line_or_comment",
        ):
            node = children[index]
            if node.data == "new_line_or_comment":
                if not _has_newline(node):
                    index += 1  # `locals /* note */ {` is fine
                    continue
                self.fail(
                    'the opening brace "{" of a block must be on the same line as its type and labels',
                    node,
                )
            elif node.data == "string":
                label = self._string(node)
                if not isinstance(label, ast.Literal):
                    self.fail("a block label cannot contain interpolations or directives", node)
                labels.append(str(label.value) if isinstance(label, ast.Literal) else "")
                label_ranges.append(self.range_of(node))
            else:
                labels.append(self._name(node))
                label_ranges.append(self.range_of(node))
            index += 1
        lbrace, body_tree, rbrace = children[index], children[index + 1], children[index + 2]
        assert isinstance(lbrace, Token) and isinstance(rbrace, Token)
        if self.depth >= MAX_NESTING:
            self.diagnostics.add(_too_deep(self.range_of(type_node)))
            body = ast.Body({}, (), self.range_of(lbrace))
        else:
            self.depth += 1
            try:
                body = self.body(body_tree, self.range_of(lbrace))
            finally:
                self.depth -= 1
        self._check_block_layout(body_tree, body, lbrace, rbrace)
        return ast.Block(
            self._name(type_node),
            tuple(labels),
            body,
            self.range_of(tree),
            self.range_of(type_node),
            tuple(label_ranges),
        )

    def _check_block_layout(
        self, body_tree: Tree, body: ast.Body, lbrace: Token, rbrace: Token
    ) -> None:
        items = [c for c in body_tree.children if c is not None]
        if not items:
            return
        first, last = items[0], items[-1]
        if _has_newline(first):
            if not _has_newline(last) and last.data in ("attribute", "block"):
                self.fail('the closing brace "}" of a block must be on a line of its own', rbrace)
            return
        # `name { arg = value }`: a single-line block holds one argument and nothing else
        content = [c for c in items if c.data != "new_line_or_comment"]
        if len(content) > 1 or content[0].data == "block" or _has_newline(last):
            self.fail(
                "a block written on one line may hold only a single argument, closed on the same line; "
                'put a newline after "{"',
                lbrace,
            )

    # expressions ---------------------------------------------------------------------------

    def expression(self, node: Tree | Token) -> ast.Expression:
        if isinstance(node, Token):
            return ast.Literal(self.range_of(node), str(node))
        reader = self._expression_readers.get(str(node.data))
        if reader is None:
            self.fail(f"unsupported syntax ({node.data})", node)
            return ast.Literal(self.range_of(node), None)
        if self.depth >= MAX_NESTING:
            # everything downstream (evaluation, reference checks) recurses on the tree
            self.diagnostics.add(_too_deep(self.range_of(node)))
            return ast.Literal(self.range_of(node), None)
        self.depth += 1
        try:
            return reader(node)
        finally:
            self.depth -= 1

    def _significant(self, tree: Tree) -> list[Any]:
        """Children without comments and newlines, complaining about newlines where HCL would."""
        result = []
        for child in tree.children:
            if child is None:
                continue
            if isinstance(child, Tree) and child.data == "new_line_or_comment":
                if self.newlines_allowed == 0 and _has_newline(child):
                    self._newline_error(child)
                continue
            result.append(child)
        return result

    def _newline_error(self, node: Tree | Token) -> None:
        self.fail(
            "an expression cannot continue on the next line here; "
            "wrap a multi-line expression in parentheses",
            node,
        )

    def _nested(self, tree: Tree) -> list[Any]:
        """Children of a bracketed construct, inside which newlines are insignificant."""
        self.newlines_allowed += 1
        try:
            return [
                c
                for c in tree.children
                if c is not None and not (isinstance(c, Tree) and c.data == "new_line_or_comment")
            ]
        finally:
            self.newlines_allowed -= 1

    def _bracketed(self, node: Tree) -> ast.Expression:
        self.newlines_allowed += 1
        try:
            return self.expression(node)
        finally:
            self.newlines_allowed -= 1

    def _expr_term(self, tree: Tree) -> ast.Expression:
        children = [c for c in tree.children if c is not None]
        if isinstance(children[0], Token) and children[0].type == "LPAR":
            inner = next(
                c for c in children[1:] if isinstance(c, Tree) and c.data != "new_line_or_comment"
            )
            return ast.Parenthesized(self.range_of(tree), self._bracketed(inner))
        return self.expression(children[0])

    def _conditional(self, tree: Tree) -> ast.Expression:
        parts = self._significant(tree)
        condition, qmark, true_result, _colon, false_result = parts
        if self.newlines_allowed == 0 and _has_newline(qmark):
            self._newline_error(qmark)
        return ast.Conditional(
            self.range_of(tree),
            self.expression(condition),
            self.expression(true_result),
            self.expression(false_result),
        )

    def _binary_op(self, tree: Tree) -> ast.Expression:
        # a newline after the right operand ends the line: only the term's own count
        left, term = [
            c for c in tree.children if isinstance(c, Tree) and c.data != "new_line_or_comment"
        ][:2]
        term_parts = self._significant(term)
        operator_tree, right = term_parts[0], term_parts[1]
        operator_token = operator_tree.children[0]
        if self.newlines_allowed == 0 and _has_newline(operator_token):
            self._newline_error(operator_token)
        # python-hcl2's operator token takes in the comments and newlines before it
        operator = _OPERATOR_RE.search(str(operator_token))
        return ast.BinaryOp(
            self.range_of(tree),
            operator.group(1) if operator else str(operator_token).strip(),
            self.expression(left),
            self.expression(right),
        )

    def _unary_op(self, tree: Tree) -> ast.Expression:
        operator, operand = tree.children
        return ast.UnaryOp(self.range_of(tree), str(operator), self.expression(operand))

    def _number(self, tree: Tree) -> ast.Expression:
        text = str(tree.children[0])
        value: int | float = int(text) if tree.data == "int_lit" else float(text)
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            value = int(value)
        return ast.Literal(self.range_of(tree), value)

    def _identifier(self, tree: Tree) -> ast.Expression:
        return ast.Variable(self.range_of(tree), str(tree.children[0]))

    def _literal_value(self, tree: Tree) -> ast.Expression:
        text = str(tree.children[0])
        value = {"true": True, "false": False, "null": None}[text]
        return ast.Literal(self.range_of(tree), value)

    def _template_string(self, tree: Tree) -> ast.Expression:
        raw = str(tree.children[0])[2:-2]
        return ast.Literal(self.range_of(tree), self._unescape(raw, tree.children[0]))

    def _unescape(self, raw: str, node: Tree | Token) -> str:
        def replace(match: re.Match[str]) -> str:
            code = match.group(1)
            if code in _ESCAPES:
                return _ESCAPES[code]
            if code[0] in "uU" and len(code) > 1:
                return chr(int(code[1:], 16))
            self.fail(f'invalid escape sequence "\\{code}"; write "\\\\" for a backslash', node)
            return code

        return _ESCAPE_RE.sub(replace, raw) if "\\" in raw else raw

    def _string(self, tree: Tree) -> ast.Expression:
        flat: list[Any] = []  # TemplatePart or directive markers, assembled below
        for child in tree.children:
            if not (isinstance(child, Tree) and child.data == "string_part"):
                continue
            part = child.children[0]
            if isinstance(part, Token):
                text = str(part)
                if part.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                    text = text[1:]
                else:
                    if "\n" in text:
                        self.fail(
                            "a quoted string cannot span lines; write \\n for a newline, "
                            "or use a heredoc (<<EOT)",
                            part,
                        )
                    text = self._unescape(text, part)
                flat.append(ast.TemplateText(self.range_of(part), text))
            elif part.data == "interpolation":
                self.newlines_allowed += 1
                expression = self.expression(part.children[1])
                self.newlines_allowed -= 1
                where = self.range_of(part)
                strip_left = (where.line, where.column + 2) in self.strip_markers
                strip_right = (where.end_line, where.end_column - 2) in self.strip_markers
                flat.append(
                    _strip_marked(
                        ast.TemplateInterpolation(where, expression, strip_left, strip_right)
                    )
                )
            else:
                flat.append(self._directive(part))
        parts = _assemble(flat, self, tree)
        return _template_or_literal(self.range_of(tree), parts)

    def _directive(self, tree: Tree) -> tuple[str, Any, SourceRange, bool, bool]:
        children = [c for c in tree.children if c is not None]
        strip_left = (
            len(children) > 1
            and isinstance(children[1], Token)
            and children[1].type == "STRIP_MARKER"
        )
        strip_right = isinstance(children[-2], Token) and children[-2].type == "STRIP_MARKER"
        kind = str(tree.data).removeprefix("template_")
        payload: Any = None
        self.newlines_allowed += 1
        try:
            if kind == "if_start":
                payload = self.expression(next(c for c in children if isinstance(c, Tree)))
            elif kind == "for_start":
                names = [
                    str(c.children[0])
                    for c in children
                    if isinstance(c, Tree) and c.data == "identifier"
                ]
                collection = [
                    c for c in children if isinstance(c, Tree) and c.data != "identifier"
                ][-1]
                payload = (names, self.expression(collection))
        finally:
            self.newlines_allowed -= 1
        return (kind, payload, self.range_of(tree), strip_left, strip_right)

    def _heredoc(self, tree: Tree) -> ast.Expression:
        token = tree.children[0]
        raw = str(token)
        header, _, rest = raw.partition("\n")
        marker = header.lstrip("<-")
        body_lines = rest.split("\n")
        # the last two items are the marker line and the empty string after its newline
        lines = body_lines[:-2]
        if header.startswith("<<-"):
            # as HCL does: blank lines neither count nor lose their spaces
            indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
            cut = min(indents, default=0)
            lines = [line[cut:] if line.strip() else line for line in lines]
        text = "".join(line + "\n" for line in lines)
        assert marker and isinstance(token, Token)
        start_line = (token.line or 1) + 1 + self.line_offset
        try:
            parts = parse_template_text(text, self.filename, start_line, 1)
        except SyntaxFailure as failure:
            self.diagnostics.extend(failure.diagnostics)
            return ast.Literal(self.range_of(tree), text)
        return _template_or_literal(self.range_of(tree), parts)

    def _tuple(self, tree: Tree) -> ast.Expression:
        children = self._nested(tree)
        self.newlines_allowed += 1
        try:
            items = tuple(self.expression(c) for c in children if isinstance(c, Tree))
        finally:
            self.newlines_allowed -= 1
        return ast.TupleCons(self.range_of(tree), items)

    def _object(self, tree: Tree) -> ast.Expression:
        items: list[ast.ObjectItem] = []
        separated = True
        saved = self.newlines_allowed
        self.newlines_allowed = 0  # inside braces newlines separate items again
        try:
            for child in tree.children[1:-1]:
                if child is None:
                    continue
                if isinstance(child, Token):  # COMMA
                    separated = True
                    continue
                if child.data == "new_line_or_comment":
                    separated = separated or _has_newline(child)
                    continue
                if not separated:
                    self.fail("object items must be separated by a comma or a newline", child)
                key_node, _sep, value_node = child.children
                if not items and _is_keyword(key_node, "for"):
                    self.fail(
                        'HCL reads "{ for" as the start of a for expression; '
                        'quote the key to use it as a name: "for" = ...',
                        key_node,
                    )
                items.append(
                    ast.ObjectItem(self._object_key(key_node), self.expression(value_node))
                )
                separated = _ends_line(child)  # `a = 1 + 2` takes in the newline after it
        finally:
            self.newlines_allowed = saved
        return ast.ObjectCons(self.range_of(tree), tuple(items))

    def _object_key(self, tree: Tree) -> ast.Expression:
        inner = tree.children[0]
        if isinstance(inner, Tree) and inner.data == "keyword":
            return ast.Literal(self.range_of(inner), str(inner.children[0]))
        if isinstance(inner, Tree) and inner.data == "expr_term":
            term = [c for c in inner.children if c is not None]
            if (
                len(term) == 1
                and isinstance(term[0], Tree)
                and term[0].data in ("identifier", "literal_value")
            ):
                # a bare name is the key itself, never a variable
                return ast.Literal(self.range_of(term[0]), str(term[0].children[0]))
        return self.expression(inner)

    def _function_call(self, tree: Tree) -> ast.Expression:
        children = self._nested(tree)
        names = [c for c in children if isinstance(c, Tree) and c.data == "identifier"]
        name = "::".join(str(n.children[0]) for n in names)
        arguments_tree = next(
            (c for c in children if isinstance(c, Tree) and c.data == "arguments"), None
        )
        arguments: list[ast.Expression] = []
        expand = False
        if arguments_tree is not None:
            self.newlines_allowed += 1
            try:
                for child in arguments_tree.children:
                    if isinstance(child, Token):
                        expand = expand or child.type == "ELLIPSIS"
                    elif child is not None and child.data != "new_line_or_comment":
                        arguments.append(self.expression(child))
            finally:
                self.newlines_allowed -= 1
        return ast.FunctionCall(
            self.range_of(tree), name, tuple(arguments), expand, self.range_of(names[0])
        )

    def _index(self, tree: Tree) -> ast.Expression:
        source, index = tree.children
        return ast.Index(self.range_of(tree), self.expression(source), self._index_key(index))

    def _index_key(self, index: Tree) -> ast.Expression:
        if index.data == "short_index":
            token = index.children[1]
            return ast.Literal(self.range_of(token), int(str(token)))
        inner = next(c for c in self._nested(index) if isinstance(c, Tree))
        return self._bracketed(inner)

    def _get_attr(self, tree: Tree) -> ast.Expression:
        source, get_attr = tree.children
        name = str(get_attr.children[1].children[0])
        return ast.GetAttr(self.range_of(tree), self.expression(source), name)

    def _splat(self, tree: Tree) -> ast.Expression:
        source, splat = tree.children
        steps: list[ast.SplatStep] = []
        for step in splat.children[1:]:
            if step is None:
                continue
            if step.data == "get_attr":
                steps.append(ast.SplatStep(str(step.children[1].children[0]), None))
            else:
                steps.append(ast.SplatStep(None, self._index_key(step)))
        return ast.Splat(
            self.range_of(tree),
            self.expression(source),
            tuple(steps),
            full=tree.data == "full_splat_expr_term",
        )

    def _for_intro(self, tree: Tree) -> tuple[str | None, str, ast.Expression]:
        names = [
            str(c.children[0])
            for c in tree.children
            if isinstance(c, Tree) and c.data == "identifier"
        ]
        collection = [
            c
            for c in tree.children
            if isinstance(c, Tree) and c.data not in ("identifier", "new_line_or_comment")
        ][-1]
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        return key_var, value_var, self.expression(collection)

    def _for_parts(
        self, tree: Tree
    ) -> tuple[tuple[str | None, str, ast.Expression], list[Tree], Tree | None, bool]:
        children = [c for c in tree.children if c is not None]
        self.newlines_allowed += 1
        try:
            intro = self._for_intro(
                next(c for c in children if isinstance(c, Tree) and c.data == "for_intro")
            )
        finally:
            self.newlines_allowed -= 1
        expressions = [
            c
            for c in children
            if isinstance(c, Tree)
            and c.data not in ("for_intro", "for_cond", "new_line_or_comment")
        ]
        condition = next(
            (c for c in children if isinstance(c, Tree) and c.data == "for_cond"), None
        )
        grouping = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in children)
        return intro, expressions, condition, grouping

    def _for_condition(self, condition: Tree | None) -> ast.Expression | None:
        if condition is None:
            return None
        inner = next(
            c for c in condition.children if isinstance(c, Tree) and c.data != "new_line_or_comment"
        )
        return self._bracketed(inner)

    def _for_tuple(self, tree: Tree) -> ast.Expression:
        (key_var, value_var, collection), expressions, condition, _ = self._for_parts(tree)
        return ast.ForExpr(
            self.range_of(tree),
            key_var,
            value_var,
            collection,
            None,
            self._bracketed(expressions[0]),
            self._for_condition(condition),
            False,
        )

    def _for_object(self, tree: Tree) -> ast.Expression:
        (key_var, value_var, collection), expressions, condition, grouping = self._for_parts(tree)
        return ast.ForExpr(
            self.range_of(tree),
            key_var,
            value_var,
            collection,
            self._bracketed(expressions[0]),
            self._bracketed(expressions[1]),
            self._for_condition(condition),
            grouping,
        )


def _template_or_literal(range: SourceRange, parts: tuple[ast.TemplatePart, ...]) -> ast.Expression:
    if all(isinstance(p, ast.TemplateText) for p in parts):
        return ast.Literal(range, "".join(p.text for p in parts if isinstance(p, ast.TemplateText)))
    return ast.TemplateExpr(range, parts)


def _assemble(flat: list[Any], reader: _Reader, node: Tree) -> tuple[ast.TemplatePart, ...]:
    """Nest the flat directive markers of a quoted template into `TemplateIf`/`TemplateFor`."""
    from mlform.language.templates import assemble_directives

    try:
        return assemble_directives(flat, reader.filename)
    except SyntaxFailure as failure:
        reader.diagnostics.extend(failure.diagnostics)
        return (ast.TemplateText(reader.range_of(node), ""),)
