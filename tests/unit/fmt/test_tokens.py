"""The tokenizer: token kinds and boundaries as hclsyntax's scanner has them, and clean errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlform.errors import MlformError
from mlform.fmt import format_source
from mlform.fmt.tokens import Kind, Token, tokenize


def kinds(text: str) -> list[tuple[Kind, str]]:
    return [(token.kind, token.text) for token in tokenize(text)[:-1]]


def test_identifiers_numbers_and_operators() -> None:
    assert kinds("my-attr_2 = 1.5e+3 ...") == [
        (Kind.IDENT, "my-attr_2"),
        (Kind.EQUAL, "="),
        (Kind.NUMBER_LIT, "1.5e+3"),
        (Kind.ELLIPSIS, "..."),
    ]
    assert [kind for kind, _ in kinds("a==b!=c>=d<=e&&f||g=>h")][1::2] == [
        Kind.EQUAL_OP,
        Kind.NOT_EQUAL,
        Kind.GREATER_THAN_EQ,
        Kind.LESS_THAN_EQ,
        Kind.AND,
        Kind.OR,
        Kind.FAT_ARROW,
    ]


def test_a_number_never_ends_with_a_dot() -> None:
    assert kinds("1.") == [(Kind.NUMBER_LIT, "1"), (Kind.DOT, ".")]
    assert kinds("list.0.a") == [
        (Kind.IDENT, "list"),
        (Kind.DOT, "."),
        (Kind.NUMBER_LIT, "0"),
        (Kind.DOT, "."),
        (Kind.IDENT, "a"),
    ]


def test_line_comments_carry_their_newline() -> None:
    assert kinds("a # note\r\n// two\n/* three */\n") == [
        (Kind.IDENT, "a"),
        (Kind.COMMENT, "# note\r\n"),
        (Kind.COMMENT, "// two\n"),
        (Kind.COMMENT, "/* three */"),
        (Kind.NEWLINE, "\n"),
    ]


def test_quoted_templates() -> None:
    assert kinds('"a ${ b } $${c} %{ if d ~}e%{ endif }"') == [
        (Kind.OQUOTE, '"'),
        (Kind.QUOTED_LIT, "a "),
        (Kind.TEMPLATE_INTERP, "${"),
        (Kind.IDENT, "b"),
        (Kind.TEMPLATE_SEQ_END, "}"),
        (Kind.QUOTED_LIT, " $${c} "),
        (Kind.TEMPLATE_CONTROL, "%{"),
        (Kind.IDENT, "if"),
        (Kind.IDENT, "d"),
        (Kind.TEMPLATE_SEQ_END, "~}"),
        (Kind.QUOTED_LIT, "e"),
        (Kind.TEMPLATE_CONTROL, "%{"),
        (Kind.IDENT, "endif"),
        (Kind.TEMPLATE_SEQ_END, "}"),
        (Kind.CQUOTE, '"'),
    ]


def test_braces_inside_an_interpolation_are_not_its_end() -> None:
    assert [kind for kind, _ in kinds('"${ {a = 1}.a }"')] == [
        Kind.OQUOTE,
        Kind.TEMPLATE_INTERP,
        Kind.OBRACE,
        Kind.IDENT,
        Kind.EQUAL,
        Kind.NUMBER_LIT,
        Kind.CBRACE,
        Kind.DOT,
        Kind.IDENT,
        Kind.TEMPLATE_SEQ_END,
        Kind.CQUOTE,
    ]


def test_heredocs() -> None:
    assert kinds("x = <<-EOT\n  body ${v}\n  EOT\n") == [
        (Kind.IDENT, "x"),
        (Kind.EQUAL, "="),
        (Kind.OHEREDOC, "<<-EOT\n"),
        (Kind.STRING_LIT, "  body "),
        (Kind.TEMPLATE_INTERP, "${"),
        (Kind.IDENT, "v"),
        (Kind.TEMPLATE_SEQ_END, "}"),
        (Kind.STRING_LIT, "\n"),
        (Kind.CHEREDOC, "  EOT"),
        (Kind.NEWLINE, "\n"),
    ]
    # A line that merely contains the marker does not close the heredoc.
    assert (Kind.STRING_LIT, "EOT is here\n") in kinds("x = <<EOT\nEOT is here\nEOT\n")


def test_spaces_before_each_token_are_recorded() -> None:
    tokens = tokenize("a \t= 1  ")
    assert [token.spaces for token in tokens] == [0, 2, 1, 2]
    assert tokens[-1] == Token(Kind.EOF, "", 2)


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ('a = 1\nb = "open', 2, "unterminated string"),
        ('a = "one\ntwo"', 1, "unterminated string"),
        ("a = 1\n\nb = <<EOT\nbody\n", 3, "unterminated heredoc"),
        ("a = <<EOT\nbody\nEOT", 1, "unterminated heredoc"),
        ("a = 1 /* open", 1, "unterminated /* comment"),
        ("a = 1\nb = $", 2, "unexpected character '$'"),
        ("a = 1\nb = 2\r", 2, "carriage return"),
        ('x = "${ a ', 1, "unterminated string"),
        ("a = \ud800", 1, "not valid UTF-8"),
    ],
)
def test_text_that_cannot_be_tokenised_names_its_line(text: str, line: int, what: str) -> None:
    with pytest.raises(MlformError) as caught:
        format_source(text)
    assert str(caught.value).startswith(f"line {line}: cannot format: ")
    assert what in str(caught.value)


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=60) | st.text(alphabet='ab1 \n{}[]()"=$%~<-EOT\\#/*', max_size=60))
def test_any_text_formats_or_raises_mlform_error(text: str) -> None:
    try:
        result = format_source(text)
    except MlformError:
        return
    assert isinstance(result, str)
