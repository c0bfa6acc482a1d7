"""syntax.parse_file: positions on every node, templates and heredocs, and the text HCL
rejects (python-hcl2 accepting it or not), checked against HashiCorp's parser when built."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from mlform.language import ast
from mlform.language.evaluator import Scope, evaluate
from mlform.language.syntax import MAX_NESTING, SyntaxFailure, parse_expression, parse_file
from mlform.language.values import UNKNOWN


def parse(text: str) -> ast.File:
    file, diagnostics = parse_file(text, "main.mlf.hcl")
    assert not diagnostics, [str(d) for d in diagnostics]
    return file


def problems(text: str) -> list[tuple[int, int, str]]:
    """(line, column, message) of every diagnostic, whether the parse failed or not."""
    try:
        _, diagnostics = parse_file(text, "main.mlf.hcl")
    except SyntaxFailure as failure:
        diagnostics = failure.diagnostics
    return [(d.range.line, d.range.column, d.message) for d in diagnostics if d.range]


def value_of(text: str, **names: Any) -> Any:
    file = parse(f"x = {text}\n")
    return evaluate(file.body.attributes["x"].expression, Scope(names))


def span(node: Any) -> tuple[int, int, int, int]:
    r = node.range
    return (r.line, r.column, r.end_line, r.end_column)


def oracle_rejects(hclcheck: Path, tmp_path: Path, text: str) -> bool:
    path = tmp_path / "main.mlf.hcl"
    path.write_text(text, encoding="utf-8")
    completed = subprocess.run(
        [str(hclcheck), "parse", str(path)], capture_output=True, text=True, timeout=30
    )
    return completed.returncode != 0


# positions ------------------------------------------------------------------------------------

CONFIG = """\
# a comment
variable "max_depth" {
  type    = number
  default = 6
}

model "churn" {
  rounds = var.max_depth * 20 + 1 # trailing comment
  params = {
    eta = 0.1
  }
  label  = "churned"
  layer "dense" {
    units = 8
  }
}
"""


def test_block_positions() -> None:
    file = parse(CONFIG)
    variable, model = file.body.blocks
    assert (variable.type, variable.labels) == ("variable", ("max_depth",))
    assert variable.type_range.line == 2 and variable.type_range.column == 1
    assert (variable.label_ranges[0].line, variable.label_ranges[0].column) == (2, 10)
    assert (variable.range.line, variable.range.column, variable.range.end_line) == (2, 1, 5)
    layer = model.body.blocks[0]
    assert (layer.type, layer.labels) == ("layer", ("dense",))
    assert (layer.type_range.line, layer.type_range.column) == (13, 3)
    assert (layer.label_ranges[0].line, layer.label_ranges[0].column) == (13, 9)
    assert layer.range.end_line == 15


def test_attribute_positions() -> None:
    model = parse(CONFIG).body.blocks[1]
    rounds = model.body.attributes["rounds"]
    assert (rounds.name_range.line, rounds.name_range.column) == (8, 3)
    assert (rounds.name_range.end_line, rounds.name_range.end_column) == (8, 9)
    # the expression ends where its text does, not after the comment and newline
    assert span(rounds.expression) == (8, 12, 8, 34)
    params = model.body.attributes["params"]
    assert span(params.expression) == (9, 12, 11, 4)
    assert span(model.body.attributes["label"].expression) == (12, 12, 12, 21)


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("x = 1 + 2 * 3\n", ast.BinaryOp, (1, 5, 1, 14)),
        ("x = a ? b : c\n", ast.Conditional, (1, 5, 1, 14)),
        ("x = !a\n", ast.UnaryOp, (1, 5, 1, 7)),
        ("x = a.b[0].c\n", ast.GetAttr, (1, 5, 1, 13)),
        ("x = a[*].b\n", ast.Splat, (1, 5, 1, 11)),
        ('x = "${a}b"\n', ast.TemplateExpr, (1, 5, 1, 12)),
        ("x = f(1, 2)\n", ast.FunctionCall, (1, 5, 1, 12)),
        ("x = [for v in l : v]\n", ast.ForExpr, (1, 5, 1, 21)),
        ("x = (1)\n", ast.Parenthesized, (1, 5, 1, 8)),
        ("x = [\n  1,\n]\n", ast.TupleCons, (1, 5, 3, 2)),
        ("x = 1 + 2 # c\n", ast.BinaryOp, (1, 5, 1, 10)),
    ],
)
def test_expression_ranges(text: str, kind: type, expected: tuple[int, int, int, int]) -> None:
    expression = parse(text).body.attributes["x"].expression
    assert isinstance(expression, kind)
    assert span(expression) == expected


def test_sub_expression_positions() -> None:
    expression = parse("x = foo(var.a, [1, bar])\n").body.attributes["x"].expression
    assert isinstance(expression, ast.FunctionCall)
    assert (expression.name_range.line, expression.name_range.column) == (1, 5)
    first, second = expression.arguments
    assert span(first)[:2] == (1, 9)
    assert isinstance(second, ast.TupleCons)
    assert span(second.items[1]) == (1, 20, 1, 23)


def test_interpolation_positions_in_quoted_strings_and_heredocs() -> None:
    file = parse('a = "x ${var.one}"\nb = <<EOT\nline\n  ${var.two}\nEOT\n')
    (one,) = ast.traversals(file.body.attributes["a"].expression)
    assert (one.root, one.steps, one.range.line, one.range.column) == ("var", ("one",), 1, 10)
    (two,) = ast.traversals(file.body.attributes["b"].expression)
    assert (two.root, two.steps, two.range.line, two.range.column) == ("var", ("two",), 4, 5)


def test_parse_expression_positions() -> None:
    expression = parse_expression("var.a + 1", "f.hcl", 7, 12)
    assert isinstance(expression, ast.BinaryOp)
    assert (expression.range.line, expression.range.column) == (7, 12)
    assert (expression.right.range.line, expression.right.range.column) == (7, 20)


def test_traversals_skip_for_variables() -> None:
    expression = (
        parse("x = [for k, v in var.m : v + local.y if k != each.key]\n")
        .body.attributes["x"]
        .expression
    )
    roots = sorted((t.root, t.steps) for t in ast.traversals(expression))
    assert roots == [("each", ("key",)), ("local", ("y",)), ("var", ("m",))]


# templates and heredocs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"plain"', "plain"),
        ('"a${1 + 1}b"', "a2b"),
        ('"${1 + 1}"', 2),  # a lone interpolation keeps its type
        ('"${true}!"', "true!"),
        ('"$${not} %%{not}"', "${not} %{not}"),
        ('"$ and % alone"', "$ and % alone"),
        ('"\\u00e9\\U0001F600\\t\\"\\\\"', 'é😀\t"\\'),
        ('"%{ if true }yes%{ else }no%{ endif }"', "yes"),
        ('"%{ if false }yes%{ else }no%{ endif }"', "no"),
        ('"%{ if false }yes%{ endif }"', ""),
        ('"%{ for w in ["a", "b"] }${w},%{ endfor }"', "a,b,"),
        ('"%{ for i, w in ["a", "b"] }${i}=${w} %{ endfor }"', "0=a 1=b "),
        ('"%{ for k, v in { b = 2, a = 1 } }${k}${v}%{ endfor }"', "a1b2"),
        ('"a  %{~ if true ~}  b  %{~ endif ~}  c"', "abc"),
        ('"a  ${~ "b" ~}  c"', "abc"),
        ('"x %{ if true ~} \t y%{ endif }"', "x y"),
        ('"x %{~ if true } y%{ endif }"', "x y"),
        ('"%{ for w in [] }never%{ endfor }"', ""),
        ('"日本 ${"語"}"', "日本 語"),
    ],
)
def test_quoted_templates(text: str, expected: Any) -> None:
    assert value_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<<EOT\nhello\nworld\nEOT\n", "hello\nworld\n"),
        ("<<EOT\n  kept\n    indent\nEOT\n", "  kept\n    indent\n"),
        ("<<-EOT\n    trimmed\n      by four\n    EOT\n", "trimmed\n  by four\n"),
        ("<<-EOT\n    a\n\n    b\n  EOT\n", "a\n\nb\n"),
        (
            "<<-EOT\n    a\n      \n    b\n  EOT\n",
            "a\n      \nb\n",
        ),  # blank lines keep their spaces
        ("<<EOT\nn = ${1 + 2}\nEOT\n", "n = 3\n"),
        ("<<EOT\n%{ for x in [1, 2] ~}\n${x}\n%{ endfor ~}\nEOT\n", "1\n2\n"),
        ('<<EOT\nquote " and $${literal}\nEOT\n', 'quote " and ${literal}\n'),
        ("<<END\nEOT\nEND\n", "EOT\n"),
        ("<<EOT\n/* not a comment */ # nor this\nEOT\n", "/* not a comment */ # nor this\n"),
    ],
)
def test_heredocs(text: str, expected: str) -> None:
    assert value_of(text) == expected


def test_heredoc_interpolation_of_unknown() -> None:
    assert value_of("<<EOT\n${v}\nEOT\n", v=UNKNOWN) is UNKNOWN


# what HCL rejects ----------------------------------------------------------------------------

REJECTED = [
    # (id, text, line, column, message fragment)
    (
        "duplicate-argument",
        "b {\n  a = 1\n  a = 2\n}\n",
        3,
        3,
        'argument "a" was already set at line 2',
    ),
    ("two-arguments-one-line", "b {\n  a = 1 c = 2\n}\n", 2, 9, "must start on a new line"),
    ("operator-next-line", "x = 1\n  + 2\n", 2, 3, "cannot continue on the next line"),
    ("operator-end-of-line", "x = 1 +\n  2\n", 1, 8, "cannot continue on the next line"),
    ("conditional-next-line", "x = true\n  ? 1 : 2\n", 2, 3, "cannot continue on the next line"),
    ("comment-ends-the-line", "x = 1 # c\n  + 2\n", 2, 3, "cannot continue on the next line"),
    ("brace-next-line", 'b "l"\n{\n  a = 1\n}\n', 1, 6, 'opening brace "{"'),
    ("closing-brace-same-line", "b {\n  a = 1 }\n", 2, 9, 'closing brace "}"'),
    ("one-line-block-two-arguments", "b { a = 1, c = 2 }\n", 1, 10, 'unexpected ","'),
    ("one-line-block-with-block", "b { c {\n} }\n", 1, 3, "may hold only a single argument"),
    ("newline-in-quoted-string", 'x = "a\nb"\n', 1, 6, "cannot span lines"),
    ("object-key-for", "x = { for = 1 }\n", 1, 7, "quote the key"),
    ("unclosed-brace", 'b "l" {\n  a = 1\n', 1, 7, '"{" is never closed'),
    ("unclosed-string", 'x = "abc\ny = 2\n', 1, 5, "this string is never closed"),
    (
        "unclosed-string-far-away",
        'x = "abc\ny = "d"\nz = 3 > 2\n',
        1,
        5,
        "this string is never closed",
    ),
    ("unclosed-heredoc", "x = <<EOT\nabc\n", 1, 5, 'the heredoc "<<EOT" is never closed'),
    ("unclosed-comment", "x = 1 /* abc\ny = 2\n", 1, 7, 'the comment "/*" is never closed'),
    ("single-quotes", "x = 'a'\n", 1, 5, "double quotes"),
    ("invalid-escape", 'x = "a\\qb"\n', 1, 6, 'invalid escape sequence "\\q"'),
    ("semicolon", "x = 1;\n", 1, 6, 'unexpected character ";"'),
    ("missing-value", "b {\n  a =\n}\n", 2, 6, "expected a value"),
    ("missing-equals", "b {\n  a 1\n}\n", 2, 5, "write a = value"),
    ("equals-after-label", 'b "l" = {\n}\n', 1, 6, 'a block takes no "="'),
    (
        "label-header-without-brace",
        'b {\n  source "a.csv"\n}\n',
        2,
        17,
        'expected "{" after this block header',
    ),
    (
        "conditional-missing-colon",
        "b {\n  a = true ? 1\n}\n",
        2,
        15,
        "incomplete at the end of this line",
    ),
    (
        "unknown-directive",
        'x = "%{ while true }a%{ endwhile }"\n',
        1,
        9,
        'unknown template directive "while"',
    ),
    ("if-without-endif", 'x = "%{ if true }a"\n', 1, 6, "%{if} has no matching %{endif}"),
    ("stray-endfor", 'x = "a%{ endfor }"\n', 1, 7, "%{endfor} without a matching"),
    ("interpolation-in-label", 'b "a${1}" {\n}\n', 1, 3, "cannot contain interpolations"),
    ("empty-interpolation", 'x = "${}"\n', 1, 8, "unexpected"),
    ("list-missing-comma", "x = [1 2]\n", 1, 8, 'unexpected "2"'),
    (
        "object-missing-separator",
        "x = { a = 1 b = 2 }\n",
        1,
        13,
        "separated by a comma or a newline",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"), [r[1:] for r in REJECTED], ids=[r[0] for r in REJECTED]
)
def test_rejected_with_position(text: str, line: int, column: int, fragment: str) -> None:
    found = problems(text)
    assert any((ln, col) == (line, column) and fragment in m for ln, col, m in found), found


@pytest.mark.parametrize("text", [r[1] for r in REJECTED], ids=[r[0] for r in REJECTED])
def test_rejected_by_hcl_too(text: str, hclcheck: Path, tmp_path: Path) -> None:
    assert oracle_rejects(hclcheck, tmp_path, text)


ACCEPTED = [
    # (id, text, the value of x)
    ("inline-comment-after-equals", "x = /* c */ 1\n", 1),
    ("inline-comment-before-operator", "x = 1 /* c */ + 2\n", 3),
    ("comments-in-parentheses", "x = (/* a */ 1 /* b */ + /* c */ 2)\n", 3),
    ("line-comment-in-parentheses", "x = (1 # c\n  + 2)\n", 3),
    ("comment-between-label-and-brace", "b /* c */ {\n}\nx = 1\n", 1),
    ("byte-order-mark", "\ufeffx = 1\n", 1),
    ("crlf", "x = [\r\n  1,\r\n  2,\r\n]\r\n", [1, 2]),
    ("multi-line-in-parentheses", "x = (1\n  + 2)\n", 3),
    ("multi-line-in-brackets", "x = [1\n  + 2]\n", [3]),
    ("multi-line-function-call", "x = max(\n  1,\n  2,\n)\n", 2),
    ("multi-line-for", "x = [\n  for v in [1] :\n  v\n]\n", [1]),
    ("multi-line-conditional-in-parentheses", "x = (true\n  ? 1\n  : 2)\n", 1),
    ("trailing-comma", "x = [1, 2,]\n", [1, 2]),
    ("colon-in-object", "x = { a: 1 }\n", {"a": 1}),
    ("newline-separated-object", "x = {\n  a = 1\n  b = 2\n}\n", {"a": 1, "b": 2}),
    ("one-line-block", "b { a = 1 }\nx = 1\n", 1),
    ("quoted-and-expression-keys", 'x = { "a b" = 1, ("c") = 2 }\n', {"a b": 1, "c": 2}),
    ("legacy-index", "x = [10, 20].1\n", 20),
    ("legacy-splat", "x = [{ a = 1 }].*.a\n", [1]),
    ("interpolation-spanning-lines", 'x = "${1 +\n  2}"\n', 3),
    ("unicode-string", 'x = "é 日本 😀"\n', "é 日本 😀"),
    ("comment-at-end-without-newline", "x = 1 # c", 1),
]


@pytest.mark.parametrize(
    ("text", "expected"), [r[1:] for r in ACCEPTED], ids=[r[0] for r in ACCEPTED]
)
def test_accepted(text: str, expected: Any) -> None:
    file = parse(text)
    assert evaluate(file.body.attributes["x"].expression, Scope({})) == expected


@pytest.mark.parametrize("text", [r[1] for r in ACCEPTED], ids=[r[0] for r in ACCEPTED])
def test_accepted_by_hcl_too(text: str, hclcheck: Path, tmp_path: Path) -> None:
    assert not oracle_rejects(hclcheck, tmp_path, text)


# limits --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "x = " + "(" * 2000 + "1" + ")" * 2000,
        "x = " + "[" * 2000 + "]" * 2000,
        "x = " + "{a = " * 1000 + "1" + "}" * 1000,
        "x = 1" + " + 1" * 3000,
        'x = "' + "${" * 500 + "1" + "}" * 500 + '"',
        'x = "' + "%{ if true }" * 500 + "%{ endif }" * 500 + '"',
        "b {\n" * 2000 + "}\n" * 2000,
    ],
    ids=["parentheses", "lists", "objects", "operators", "interpolations", "directives", "blocks"],
)
def test_deep_nesting_is_a_diagnostic(text: str) -> None:
    found = problems(text)
    assert found, "expected a diagnostic"
    assert any(
        "nested" in m or "syntax error" in m or "cannot be parsed" in m for _, _, m in found
    ), found


def test_nesting_within_the_limit_is_fine() -> None:
    depth = MAX_NESTING // 8
    assert value_of("[" * depth + "1" + "]" * depth) is not None


def test_syntax_failure_carries_diagnostics() -> None:
    with pytest.raises(SyntaxFailure) as failure:
        parse_file("x = [\n", "f.hcl")
    (diagnostic,) = failure.value.diagnostics
    assert diagnostic.range is not None and diagnostic.range.filename == "f.hcl"
    assert str(diagnostic).startswith("f.hcl:1:5: ")


def test_lines_are_kept_for_quoting() -> None:
    file = parse("# first\nx = 1\n")
    assert file.lines == ("# first", "x = 1")
