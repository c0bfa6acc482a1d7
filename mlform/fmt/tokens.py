"""An HCL tokenizer that produces the token stream hclwrite's formatter works on.

The token kinds and their boundaries follow the hclsyntax scanner (`scan_tokens.rl`) closely
enough that formatting by token gives byte-identical results: identifiers may contain dashes,
quoted strings and heredocs are split into literal pieces and `${ }` / `%{ }` sequences, and
`#` / `//` comments carry their terminating newline. Text the scanner would mark invalid
(stray characters, unterminated strings, heredocs or block comments) raises `MlformError`.
"""

from __future__ import annotations

import bisect
import enum
import re
from dataclasses import dataclass

from mlform.errors import MlformError


class Kind(enum.Enum):
    """Token kinds, one per hclsyntax (2.14) token type the formatter can meet."""

    OBRACE = "{"
    CBRACE = "}"
    OBRACK = "["
    CBRACK = "]"
    OPAREN = "("
    CPAREN = ")"
    OQUOTE = "open quote"
    CQUOTE = "close quote"
    OHEREDOC = "heredoc opener"
    CHEREDOC = "heredoc closer"
    TEMPLATE_INTERP = "${"
    TEMPLATE_CONTROL = "%{"
    TEMPLATE_SEQ_END = "template sequence end"
    QUOTED_LIT = "quoted literal"
    STRING_LIT = "string literal"
    NUMBER_LIT = "number"
    IDENT = "identifier"
    COMMENT = "comment"
    NEWLINE = "newline"
    EOF = "end of file"
    STAR = "*"
    SLASH = "/"
    PERCENT = "%"
    PLUS = "+"
    MINUS = "-"
    EQUAL = "="
    LESS_THAN = "<"
    GREATER_THAN = ">"
    BANG = "!"
    QUESTION = "?"
    COLON = ":"
    DOT = "."
    COMMA = ","
    EQUAL_OP = "=="
    NOT_EQUAL = "!="
    GREATER_THAN_EQ = ">="
    LESS_THAN_EQ = "<="
    AND = "&&"
    OR = "||"
    ELLIPSIS = "..."
    FAT_ARROW = "=>"
    BITWISE_AND = "&"
    BITWISE_OR = "|"
    BITWISE_NOT = "~"
    BITWISE_XOR = "^"
    SEMICOLON = ";"
    BACKTICK = "`"
    APOSTROPHE = "'"


@dataclass(slots=True)
class Token:
    """One token: its kind, its exact text, and the spaces to write before it."""

    kind: Kind
    text: str
    spaces: int = 0


_OPERATORS: dict[str, Kind] = {
    kind.value: kind
    for kind in Kind
    if len(kind.value) <= 3 and kind.value not in ("${", "%{", "{", "}")
}
_NUMBER = re.compile(r"[0-9](?:(?:[0-9.]|[eE][+-]?[0-9])*(?:[0-9]|[eE][+-]?[0-9]))?")
_BOM = "\ufeff"

_MAIN, _STRING, _HEREDOC = "main", "string", "heredoc"
_CONSTRUCT = {_STRING: "string", _HEREDOC: "heredoc", _MAIN: "template interpolation"}

# The characters Go's bytes.TrimSpace removes (unicode.IsSpace).
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def _ident_start(ch: str) -> bool:
    return ch == "_" or ch.isidentifier()


def _ident_continue(ch: str) -> bool:
    return ch == "-" or ("a" + ch).isidentifier()


@dataclass(slots=True)
class _Heredoc:
    marker: str
    start_of_line: bool = True


class _Scanner:
    """A direct-coded version of the hclsyntax scanner's modes (main, string, heredoc)."""

    def __init__(self, text: str, offset: int) -> None:
        self.text = text
        self.pos = 0
        self.last_end = -offset  # a stripped byte order mark counts as spaces, as in Go
        self.tokens: list[Token] = []
        self.modes: list[tuple[str, int]] = [(_MAIN, 0)]
        self.braces = 0
        self.ret_braces: list[int] = []
        self.heredocs: list[_Heredoc] = []
        self.newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def line_of(self, pos: int) -> int:
        return bisect.bisect_left(self.newlines, pos) + 1

    def fail(self, pos: int, what: str) -> MlformError:
        return MlformError(f"line {self.line_of(pos)}: cannot format: {what}")

    def emit(self, kind: Kind, end: int) -> None:
        spaces = self.pos - self.last_end
        self.tokens.append(Token(kind, self.text[self.pos : end], spaces))
        self.pos = self.last_end = end

    def run(self) -> list[Token]:
        steps = {_MAIN: self.main, _STRING: self.string, _HEREDOC: self.heredoc}
        while self.pos < len(self.text):
            before = self.pos
            steps[self.modes[-1][0]]()
            if self.pos <= before:  # pragma: no cover - a scanner bug, never a user error
                raise self.fail(before, "the tokenizer made no progress")
        if len(self.modes) > 1:
            mode, start = self.modes[1]
            raise self.fail(start, f"unterminated {_CONSTRUCT[mode]}")
        self.emit(Kind.EOF, self.pos)
        return self.tokens

    def ident_end(self, pos: int) -> int:
        text = self.text
        if pos < len(text) and _ident_start(text[pos]):
            pos += 1
            while pos < len(text) and _ident_continue(text[pos]):
                pos += 1
        return pos

    def main(self) -> None:
        text, pos = self.text, self.pos
        ch = text[pos]
        if ch in " \t":
            end = pos
            while end < len(text) and text[end] in " \t":
                end += 1
            self.pos = end
        elif ch.isdigit() and ch.isascii():
            match = _NUMBER.match(text, pos)
            assert match is not None
            self.emit(Kind.NUMBER_LIT, match.end())
        elif _ident_start(ch):
            self.emit(Kind.IDENT, self.ident_end(pos))
        elif ch == "#" or text.startswith("//", pos):
            end = text.find("\n", pos)
            self.emit(Kind.COMMENT, len(text) if end < 0 else end + 1)
        elif text.startswith("/*", pos):
            end = text.find("*/", pos + 2)
            if end < 0:
                raise self.fail(pos, "unterminated /* comment")
            self.emit(Kind.COMMENT, end + 2)
        elif ch == "\n" or text.startswith("\r\n", pos):
            self.emit(Kind.NEWLINE, pos + (1 if ch == "\n" else 2))
        elif ch == '"':
            self.modes.append((_STRING, pos))
            self.emit(Kind.OQUOTE, pos + 1)
        elif ch == "{":
            self.braces += 1
            self.emit(Kind.OBRACE, pos + 1)
        elif ch == "}" or text.startswith("~}", pos):
            self.close_brace(tilde=ch == "~")
        elif not self.heredoc_start():
            self.operator()

    def close_brace(self, *, tilde: bool) -> None:
        matches = bool(self.ret_braces) and self.ret_braces[-1] == self.braces
        kind = Kind.TEMPLATE_SEQ_END if matches or tilde else Kind.CBRACE
        self.emit(kind, self.pos + (2 if tilde else 1))
        self.braces -= 1
        if matches:
            self.ret_braces.pop()
            self.modes.pop()

    def heredoc_start(self) -> bool:
        text, pos = self.text, self.pos
        if not text.startswith("<<", pos):
            return False
        name_start = pos + 3 if text.startswith("-", pos + 2) else pos + 2
        name_end = self.ident_end(name_start)
        if name_end == name_start:
            return False
        newline = 1 if text.startswith("\n", name_end) else 0
        if not newline and text.startswith("\r\n", name_end):
            newline = 2
        if not newline:
            return False
        self.heredocs.append(_Heredoc(text[name_start:name_end]))
        self.modes.append((_HEREDOC, pos))
        self.emit(Kind.OHEREDOC, name_end + newline)
        return True

    def operator(self) -> None:
        text, pos = self.text, self.pos
        for size in (3, 2, 1):
            kind = _OPERATORS.get(text[pos : pos + size])
            if kind is not None:
                self.emit(kind, pos + size)
                return
        if text[pos] == "\r":
            raise self.fail(pos, "a carriage return not followed by a newline")
        raise self.fail(pos, f"unexpected character {text[pos]!r}")

    def template_sequence(self) -> bool:
        """Start a `${` or `%{` sequence if one begins here."""
        text, pos = self.text, self.pos
        if not (text.startswith("${", pos) or text.startswith("%{", pos)):
            return False
        kind = Kind.TEMPLATE_INTERP if text[pos] == "$" else Kind.TEMPLATE_CONTROL
        self.braces += 1
        self.ret_braces.append(self.braces)
        if self.heredocs:
            self.heredocs[-1].start_of_line = False
        self.modes.append((_MAIN, pos))
        self.emit(kind, pos + (3 if text.startswith("~", pos + 2) else 2))
        return True

    def literal_end(self, *, quoted: bool) -> int:
        """Where a run of literal template text starting here ends."""
        text, end = self.text, self.pos
        while end < len(text):
            ch = text[end]
            if ch in "\r\n" or (quoted and ch == '"'):
                break
            if ch in "$%":
                if text.startswith("{", end + 1):
                    break
                escaped = text.startswith(ch + "{", end + 1)
                end += 3 if escaped else 1
            elif quoted and ch == "\\":
                if end + 1 >= len(text) or text[end + 1] in "\r\n":
                    break
                end += 2
            else:
                end += 1
        return end

    def string(self) -> None:
        text, pos = self.text, self.pos
        if text[pos] == '"':
            self.modes.pop()
            self.emit(Kind.CQUOTE, pos + 1)
        elif not self.template_sequence():
            end = self.literal_end(quoted=True)
            if end == pos:
                raise self.fail(self.modes[-1][1], "unterminated string")
            self.emit(Kind.QUOTED_LIT, end)

    def heredoc(self) -> None:
        if self.template_sequence():
            return
        text, pos = self.text, self.pos
        doc = self.heredocs[-1]
        end = self.literal_end(quoted=False)
        if end >= len(text):
            raise self.fail(self.modes[-1][1], "unterminated heredoc")
        newline = 1 if text[end] == "\n" else 2 if text.startswith("\r\n", end) else 0
        if text[end] in "\r\n" and not newline:
            raise self.fail(end, "a carriage return not followed by a newline")
        if not newline:
            doc.start_of_line = False
            self.emit(Kind.STRING_LIT, end)
        elif doc.start_of_line and text[pos:end].strip(_GO_SPACE) == doc.marker:
            self.emit(Kind.CHEREDOC, end)
            self.emit(Kind.NEWLINE, end + newline)
            self.heredocs.pop()
            self.modes.pop()
        else:
            doc.start_of_line = True
            self.emit(Kind.STRING_LIT, end + newline)


def tokenize(text: str) -> list[Token]:
    """The tokens of `text`, in order, ending with an end-of-file token.

    Each token's `spaces` is the width of the spaces and tabs before it in the text, as in
    hclwrite's writer tokens. Raises `MlformError` naming the line when the text cannot be tokenised.
    """
    for index, ch in enumerate(text):
        if "\ud800" <= ch <= "\udfff":
            line = text.count("\n", 0, index) + 1
            raise MlformError(f"line {line}: cannot format: the text is not valid UTF-8")
    stripped = text.removeprefix(_BOM)
    return _Scanner(stripped, 3 if len(stripped) < len(text) else 0).run()
