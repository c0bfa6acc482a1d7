"""The layout passes of hclwrite's formatter, applied to an mlform token stream.

The formatter changes only the spaces before each token. It splits the tokens into lines and
each line into up to three cells (the lead, an `= value` assignment, a trailing comment), then
runs three passes: indentation by bracket nesting, spacing between the tokens of a cell, and
vertical alignment of the assignment and comment cells of consecutive lines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from mlform.fmt.tokens import Kind, Token, tokenize
from mlform.fmt.width import columns

_OPENERS = frozenset(
    [Kind.OBRACE, Kind.OBRACK, Kind.OPAREN, Kind.TEMPLATE_INTERP, Kind.TEMPLATE_CONTROL]
)
_CLOSERS = frozenset([Kind.CBRACE, Kind.CBRACK, Kind.CPAREN, Kind.TEMPLATE_SEQ_END])

# A minus after one of these is a negation, not a subtraction.
_NEGATION_CONTEXT = frozenset(
    [
        Kind.OPAREN,
        Kind.OBRACE,
        Kind.OBRACK,
        Kind.EQUAL,
        Kind.COLON,
        Kind.COMMA,
        Kind.QUESTION,
        Kind.PLUS,
        Kind.STAR,
        Kind.SLASH,
        Kind.PERCENT,
        Kind.MINUS,
        Kind.EQUAL_OP,
        Kind.NOT_EQUAL,
        Kind.GREATER_THAN,
        Kind.GREATER_THAN_EQ,
        Kind.LESS_THAN,
        Kind.LESS_THAN_EQ,
        Kind.AND,
        Kind.OR,
        Kind.BANG,
    ]
)
_TEMPLATE_TEXT_SUBJECT = frozenset([Kind.QUOTED_LIT, Kind.STRING_LIT, Kind.OQUOTE, Kind.OHEREDOC])
_TEMPLATE_TEXT_AFTER = frozenset([Kind.QUOTED_LIT, Kind.STRING_LIT, Kind.CQUOTE, Kind.CHEREDOC])


@dataclass
class _Line:
    lead: list[Token]
    assign: list[Token] = field(default_factory=list)
    comment: list[Token] = field(default_factory=list)


def _bracket_change(token: Token) -> int:
    if token.kind in _OPENERS:
        return 1
    if token.kind in _CLOSERS:
        return -1
    return 0


def _width(tokens: Sequence[Token]) -> int:
    return sum(token.spaces + columns(token.text) for token in tokens)


def _ends_line(token: Token) -> bool:
    """Newlines end a line, and so do `#` and `//` comments, which include their newline."""
    return token.kind is Kind.NEWLINE or (token.kind is Kind.COMMENT and token.text.endswith("\n"))


def _split_lines(tokens: list[Token]) -> list[_Line]:
    lines: list[_Line] = []
    start = 0
    for index, token in enumerate(tokens):
        if _ends_line(token):
            lines.append(_Line(tokens[start : index + 1]))
            start = index + 1
    lines.append(_Line(tokens[start:]))
    for line in lines:
        lead = line.lead
        if len(lead) > 1 and lead[-1].kind is Kind.COMMENT:
            line.comment, line.lead = lead[-1:], lead[:-1]
            lead = line.lead
        for index, token in enumerate(lead):
            if index > 0 and token.kind is Kind.EQUAL:
                # Only a whole expression on this line makes an alignable assignment.
                if sum(_bracket_change(t) for t in lead[index:]) == 0:
                    line.assign, line.lead = lead[index:], lead[:index]
                break
    return lines


def _indent(lines: list[_Line]) -> None:
    stack: list[int] = []
    for line in lines:
        if not line.lead:
            continue
        first = line.lead[0]
        if first.kind is Kind.NEWLINE:
            first.spaces = 0
            continue
        net = 0
        for token in line.lead:
            net += _bracket_change(token)
            if token.kind is Kind.OHEREDOC:
                break
        net += sum(_bracket_change(token) for token in line.assign)
        if net > 0:
            first.spaces = 2 * len(stack)
            stack.append(net)
            continue
        closed = -net
        while closed > 0 and stack:
            if closed >= stack[-1]:
                closed -= stack.pop()
            else:
                stack[-1] -= closed
                closed = 0
        first.spaces = 2 * len(stack)


def _space_after(subject: Token, before: Token | None, after: Token) -> bool:
    """Whether one space separates `subject` from the `after` token (hclwrite's rules)."""
    kind, next_kind = subject.kind, after.kind
    if next_kind is Kind.NEWLINE:
        return False
    if kind is Kind.IDENT and next_kind is Kind.OPAREN:
        return False
    if Kind.DOT in (kind, next_kind):
        return False
    if next_kind in (Kind.COMMA, Kind.ELLIPSIS):
        return False
    if kind is Kind.COMMA:
        return True
    if kind in _TEMPLATE_TEXT_SUBJECT or next_kind in _TEMPLATE_TEXT_AFTER:
        return False
    if kind is Kind.IDENT and subject.text == "in" and before and before.kind is Kind.IDENT:
        return True  # the `in` keyword of a for expression: `for x in [y]`
    if next_kind is Kind.OBRACK and (
        kind in (Kind.IDENT, Kind.NUMBER_LIT) or _bracket_change(subject) < 0
    ):
        return False
    if kind is Kind.BANG:
        return False
    if kind is Kind.MINUS:
        return before is not None and before.kind not in _NEGATION_CONTEXT
    if kind is Kind.OBRACE or next_kind is Kind.CBRACE:
        return not (kind is Kind.OBRACE and next_kind is Kind.CBRACE)
    if kind in (Kind.TEMPLATE_INTERP, Kind.TEMPLATE_CONTROL) and next_kind is Kind.OBRACE:
        return True
    if kind is Kind.CBRACE and next_kind is Kind.TEMPLATE_SEQ_END:
        return True
    if kind is Kind.TEMPLATE_SEQ_END and next_kind in (
        Kind.TEMPLATE_INTERP,
        Kind.TEMPLATE_CONTROL,
    ):
        return False
    return _bracket_change(subject) <= 0 and _bracket_change(after) >= 0


def _space_cell(cell: list[Token]) -> None:
    for index in range(len(cell) - 1):
        before = cell[index - 1] if index > 0 else None
        cell[index + 1].spaces = 1 if _space_after(cell[index], before, cell[index + 1]) else 0


def _spaces(lines: list[_Line]) -> None:
    for line in lines:
        _space_cell(line.lead)
        if line.assign:
            line.assign[0].spaces = 1
            _space_cell(line.assign)


def _align(
    lines: list[_Line], cell: Callable[[_Line], list[Token]], width: Callable[[_Line], int]
) -> None:
    """Align the first token of `cell` across each run of consecutive lines that have one."""
    run: list[_Line] = []
    for line in [*lines, _Line([])]:
        if cell(line):
            run.append(line)
            continue
        widest = max((width(member) for member in run), default=0)
        for member in run:
            cell(member)[0].spaces = widest - width(member) + 1
        run = []


def format_tokens(tokens: list[Token]) -> str:
    """Reset the spaces before every token as hclwrite does, and return the laid-out text.

    The end-of-file token belongs to no line, so the spaces after the last token survive.
    """
    lines = _split_lines(tokens[:-1] if tokens and tokens[-1].kind is Kind.EOF else tokens)
    _indent(lines)
    _spaces(lines)
    _align(lines, lambda line: line.assign, lambda line: _width(line.lead))
    _align(lines, lambda line: line.comment, lambda line: _width(line.lead) + _width(line.assign))
    return "".join(" " * token.spaces + token.text for token in tokens)


def format_source(text: str) -> str:
    """The text laid out as hclwrite.Format lays it out. Comments kept, expressions not rewritten."""
    return format_tokens(tokenize(text))
