"""Property tests of the language core: whatever the text, parsing, loading, evaluating and
validating end in a value or in diagnostics, never in another exception.

Three kinds of input: random text; realistic configurations (the broken corpus and the
quickstart) with random edits; and generated HCL that is odd but valid (comments between
tokens, nested collections, templates with directives and strip markers, heredocs, unicode,
deep nesting), whose value the generator knows, so that the evaluator must compute it and
validate must accept it. HashiCorp's parser (hclcheck) confirms the generated HCL is valid.
"""

from __future__ import annotations

import math
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlform.diagnostics import Diagnostic
from mlform.language import ast
from mlform.language.evaluator import EvaluationError, Scope, evaluate
from mlform.language.loader import load_configuration
from mlform.language.syntax import SyntaxFailure, parse_file
from mlform.language.values import UNKNOWN, Sensitive, Unknown
from mlform.sdk import default_registry
from mlform.validation import validate_directory

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = int(os.environ.get("MLFORM_PROPERTY_EXAMPLES", "200"))  # more for a long hunt
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
FEWER = settings(PROPERTY, max_examples=max(EXAMPLES // 3, 1))  # a process, or a directory, each
REGISTRY = default_registry()


@pytest.fixture(autouse=True, scope="module")
def _no_parse_cache() -> Iterator[None]:
    """The parse cache would keep thousands of random files; it is not what is tested here."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFORM_CACHE_DIR", "off")
        yield


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties")


# invariants ----------------------------------------------------------------------------------


def check_diagnostics(diagnostics: list[Diagnostic], files: dict[str, str]) -> None:
    """Every diagnostic says something, and points inside the file it names (or nowhere)."""
    for diagnostic in diagnostics:
        assert isinstance(diagnostic.message, str) and diagnostic.message.strip(), diagnostic
        assert "Traceback" not in diagnostic.message
        where = diagnostic.range
        if where is None or where.filename not in files:
            continue
        lines = files[where.filename].removeprefix("\ufeff").split("\n")
        assert 1 <= where.line <= len(lines) + 1, (diagnostic, len(lines))
        assert 1 <= where.column <= len(lines[where.line - 1] if where.line <= len(lines) else "") + 2, (
            diagnostic, lines[where.line - 1] if where.line <= len(lines) else None
        )  # fmt: skip


def is_value(value: Any) -> bool:
    """A value of the language: plain data, unknown and sensitive marks, nothing else."""
    if isinstance(value, Sensitive):
        return is_value(value.value)
    if value is None or isinstance(value, str | bool | int | Unknown):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(is_value(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_value(v) for k, v in value.items())
    return False


SCOPE_NAMES: dict[str, Any] = {
    "var": {
        "n": 3,
        "f": 0.5,
        "s": "hello",
        "b": True,
        "nothing": None,
        "l": [1, 2, 3],
        "words": ["a", "b"],
        "m": {"a": 1, "b": 2},
        "objs": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}],
        "u": UNKNOWN,
        "secret": Sensitive("hunter2"),
        "secret_list": Sensitive(["p", "q"]),
        "mixed": [1, UNKNOWN, Sensitive(2)],
    },
    "local": {"deep_nested": {"a": {"b": {"c": [1, {"d": "e"}]}}}},
}


def scope(directory: Path | None = None) -> Scope:
    return Scope(SCOPE_NAMES, directory or Path(tempfile.gettempdir()))


def evaluate_everything(file: ast.File) -> list[Any]:
    """Every attribute of every block evaluated: a value, or an EvaluationError kept."""
    results: list[Any] = []

    def body(b: ast.Body) -> None:
        for attribute in b.attributes.values():
            try:
                value = evaluate(attribute.expression, scope())
            except EvaluationError as exc:
                assert exc.message.strip() and exc.range is not None
                results.append(exc)
                continue
            assert is_value(value), value
            results.append(value)
        for block in b.blocks:
            body(block.body)

    body(file.body)
    return results


def parse_and_evaluate(text: str) -> None:
    try:
        file, diagnostics = parse_file(text, "main.mlf.hcl")
    except SyntaxFailure as failure:
        assert failure.diagnostics
        check_diagnostics(failure.diagnostics, {"main.mlf.hcl": text})
        return
    check_diagnostics(diagnostics, {"main.mlf.hcl": text})
    evaluate_everything(file)


def validate_text(directory: Path, files: dict[str, str]) -> Any:
    for old in directory.iterdir():
        old.unlink()
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(directory)  # diagnostics then name the files as written
    try:
        result = validate_directory(directory, REGISTRY, environ={})
        load_configuration(directory, REGISTRY.kinds())
    finally:
        os.chdir(cwd)
    check_diagnostics(list(result.diagnostics), files)
    for diagnostic in result.diagnostics:  # the line quoted under a diagnostic is its line
        where = diagnostic.range
        if where is not None and where.filename in files:
            lines = files[where.filename].removeprefix("\ufeff").split("\n")
            if where.line <= len(lines) and (where.line < len(lines) or lines[-1]):
                quoted = result.config.source_line(where)
                assert quoted == lines[where.line - 1].removesuffix("\r"), (diagnostic, quoted)
    for value in (*result.variables.values(), *result.locals.values(), *result.outputs.values()):
        assert is_value(value), value
    return result


# random text ---------------------------------------------------------------------------------

HCL_ALPHABET = st.sampled_from(
    [
        *"abcdefxyz_019 \t\n\n\n{}[]()\"=.,:?!<>+-*/%&|#~$\\'é日",
        "${",
        "%{",
        "<<EOT\n",
        "EOT\n",
        "/*",
        "*/",
        "=>",
        "...",
    ]
)


@PROPERTY
@given(st.text())
def test_any_text_parses_or_fails_with_diagnostics(text: str) -> None:
    parse_and_evaluate(text)


@PROPERTY
@given(st.lists(HCL_ALPHABET, max_size=60).map("".join))
def test_hcl_like_text_parses_or_fails_with_diagnostics(text: str) -> None:
    parse_and_evaluate(text)


@PROPERTY
@given(st.lists(HCL_ALPHABET, max_size=60).map("".join))
def test_hcl_like_text_validates_or_fails_with_diagnostics(workdir: Path, text: str) -> None:
    validate_text(workdir, {"main.mlf.hcl": "locals {\n  x = " + text + "\n}\n"})


# realistic configurations, edited at random --------------------------------------------------

SEEDS: list[dict[str, str]] = [
    {
        p.name: p.read_text(encoding="utf-8")
        for p in case.iterdir()
        if p.name.endswith((".mlf.hcl", ".mlfvars"))
    }
    for case in sorted((ROOT / "tests" / "data" / "broken").iterdir())
    if case.is_dir()
] + [
    {
        "main.mlf.hcl": (ROOT / "examples" / "quickstart" / "main.mlf.hcl").read_text(
            encoding="utf-8"
        )
    }
]

TOKENS = [
    "{", "}", "[", "]", "(", ")", '"', "${", "%{", "}", "=", "\n", ",", ".", "[*]", ".*", "...",
    "?", ":", "=>", "#", "//", "/*", "*/", "<<EOT\n", "\nEOT\n", "<<-EOT\n", "for", "in", "if",
    "var.", "local.", "count.index", "each.key", "each.value", "dataset.churn", "split.churn",
    "model.churn.id", "-", "!", "&&", "||", "==", "0", "1.5e3", "-1", "null", "true", "\\", "~",
    "upper(", "length(", "file(", "count = 2\n", 'for_each = { a = 1 }\n', "depends_on = [",
    '"x"', "é", "\t", "\r\n", "\r", "\ufeff", "\x00",
]  # fmt: skip


@st.composite
def edited(draw: st.DrawFn) -> dict[str, str]:
    files = dict(draw(st.sampled_from(SEEDS)))
    name = draw(st.sampled_from(sorted(files)))
    text = files[name]
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        operation = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "replace"]))
        if operation == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 12)) :]
        elif operation == "duplicate":
            end = min(len(text), at + draw(st.integers(1, 40)))
            text = text[:end] + text[at:end] + text[end:]
        elif operation == "swap" and text:
            other = draw(st.integers(0, len(text) - 1))
            a, b = sorted((min(at, len(text) - 1), other))
            if a != b:
                text = text[:a] + text[b] + text[a + 1 : b] + text[a] + text[b + 1 :]
        elif operation == "insert":
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        else:
            text = text[:at] + draw(st.characters(max_codepoint=0x2FFF)) + text[at + 1 :]
    files[name] = text
    return files


@PROPERTY
@given(edited())
def test_edited_configurations_validate_or_fail_with_diagnostics(
    workdir: Path, files: dict[str, str]
) -> None:
    validate_text(workdir, files)


@PROPERTY
@given(edited())
def test_edited_configurations_parse_and_evaluate(files: dict[str, str]) -> None:
    for text in files.values():
        parse_and_evaluate(text)


# odd but valid HCL, with the value it must evaluate to ---------------------------------------

IDENTIFIERS = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda s: (
        s
        not in {"for", "in", "if", "true", "false", "null", "var", "local", "each", "count", "path"}
    )
)
# text without "{": python-hcl2 cannot read an unbalanced "$${" escape (HCL can)
STRING_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="{"), max_size=12
) | st.sampled_from(
    [
        "",
        " ",
        "é",
        "日本語",
        "emoji 😀",
        "tab\there",
        "two\nlines",
        'say "hi"',
        "back\\slash",
        "$",
        "%",
        "100%",
        "a$b",
    ]
)
GAP = st.sampled_from([" ", " ", " ", "  ", " /* c */ ", "\t"])
NL_GAP = st.sampled_from(["\n", " # note\n", " // note\n", "\n\n", " /* c */\n", "\n  # c\n"])


def quote(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
        .replace("\r", "\\r").replace("${", "$${").replace("%{", "%%{")
    )  # fmt: skip
    return f'"{escaped}"'


def render_number(value: int | float) -> str:
    return str(value)


Expr = tuple[str, Any]  # the text of an expression and its value


def leaves() -> st.SearchStrategy[Expr]:
    integers = st.integers(0, 10**9).map(lambda n: (str(n), n))
    decimals = st.tuples(st.integers(0, 999), st.integers(1, 99)).map(
        lambda t: (f"{t[0]}.{t[1]:02d}", _normal(float(f"{t[0]}.{t[1]:02d}")))
    )
    exponents = st.tuples(st.integers(1, 9), st.sampled_from(["e", "E"]), st.integers(-3, 6)).map(
        lambda t: (f"{t[0]}{t[1]}{t[2]}", _normal(float(f"{t[0]}e{t[2]}")))
    )
    strings = STRING_TEXT.map(lambda s: (quote(s), s))
    escapes = st.sampled_from(
        [('"\\u00e9"', "é"), ('"\\U0001F600"', "😀"), ('"$${x}"', "${x}"), ('"%%{x}"', "%{x}")]
    )
    references = st.sampled_from([
        ("var.n", 3), ("var.s", "hello"), ("var.l", [1, 2, 3]), ("var.m", {"a": 1, "b": 2}),
        ("var.m.a", 1), ('var.m["b"]', 2), ("var.l[1]", 2), ("var.objs[*].a", [1, 2]),
        ("var.objs.*.b", ["x", "y"]), ("var.objs[1].b", "y"), ('local.deep_nested.a.b.c[1]["d"]', "e"),
        ("var.nothing", None), ("var.b", True), ("var.words", ["a", "b"]),
    ])  # fmt: skip
    literals = st.sampled_from([("true", True), ("false", False), ("null", None)])
    return st.one_of(integers, decimals, exponents, strings, escapes, references, literals)


def _normal(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def expressions(max_leaves: int = 12) -> st.SearchStrategy[Expr]:
    return st.recursive(leaves(), _compound, max_leaves=max_leaves)


def _compound(inner: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.one_of(
        st.lists(inner, max_size=4).flatmap(_tuple),
        st.dictionaries(
            IDENTIFIERS | STRING_TEXT.map(lambda s: "\0" + s), inner, max_size=4
        ).flatmap(_object),
        inner.map(lambda e: (f"({e[0]})", e[1])),
        st.tuples(st.booleans(), inner, inner).map(
            lambda t: (
                f"{'true' if t[0] else 'false'} ? {t[1][0]} : {t[2][0]}",
                t[1][1] if t[0] else t[2][1],
            )
        ),
        st.lists(inner, min_size=1, max_size=3).map(
            lambda items: (f"length([{', '.join(i[0] for i in items)}])", len(items))
        ),
        st.tuples(inner, STRING_TEXT.filter(lambda s: not s.endswith(("$", "%")))).map(_template),
        arithmetic(),
        logic(),
        inner.map(lambda e: (f"[for x in [{e[0]}] : x]", [e[1]])),
        st.lists(st.integers(-50, 50), max_size=5).map(_for_filter),
        st.dictionaries(IDENTIFIERS, st.integers(0, 9), max_size=4).map(_for_object),
        st.lists(IDENTIFIERS, max_size=4).map(_grouping),
        st.lists(STRING_TEXT.filter(lambda s: not s.endswith(("$", "%"))), max_size=3).map(
            _template_for
        ),
        st.tuples(
            st.booleans(),
            st.text(" \t", max_size=3),
            STRING_TEXT.filter(lambda s: not s.endswith(("$", "%"))),
        ).map(_template_if),
        st.tuples(inner, st.integers(0, 3)).map(
            lambda t: ("[" * t[1] + t[0][0] + "]" * t[1], _nest(t[0][1], t[1]))
        ),
    )


def _nest(value: Any, depth: int) -> Any:
    for _ in range(depth):
        value = [value]
    return value


@st.composite
def _tuple_text(draw: st.DrawFn, items: list[Expr]) -> Expr:
    multiline = draw(st.booleans())
    parts = []
    for text, _ in items:
        before = draw(NL_GAP) if multiline else draw(GAP)
        parts.append(before + text)
    trailing = "," if items and draw(st.booleans()) else ""
    end = draw(NL_GAP) if multiline else ""
    return "[" + ",".join(parts) + trailing + end + "]", [v for _, v in items]


def _tuple(items: list[Expr]) -> st.SearchStrategy[Expr]:
    return _tuple_text(items)


@st.composite
def _object_text(draw: st.DrawFn, items: dict[str, Expr]) -> Expr:
    multiline = draw(st.booleans())
    parts = []
    value: dict[str, Any] = {}
    for index, (raw_key, (text, item)) in enumerate(items.items()):
        key = raw_key[1:] if raw_key.startswith("\0") else raw_key
        if key in value:
            continue
        written = quote(key) if raw_key.startswith("\0") or draw(st.booleans()) else key
        if index == 0 and key == "for":
            written = quote(key)
        equals = draw(st.sampled_from([" = ", "=", " : ", ": "]))
        parts.append((written + equals + text, draw(st.booleans())))
        value[key] = item
    if multiline:
        body = "".join(
            draw(NL_GAP) + part + ("," if comma else "") for part, comma in parts
        ) + draw(NL_GAP)
    else:
        body = ", ".join(part for part, _ in parts)
        body = f" {body} " if body else ""
    return "{" + body + "}", value


def _object(items: dict[str, Expr]) -> st.SearchStrategy[Expr]:
    return _object_text(items)


def _template(pair: tuple[Expr, str]) -> Expr:
    (text, value), suffix = pair
    if not suffix:
        return '"${' + text + '}"', value  # a lone interpolation is its value, of any type
    if isinstance(value, bool):
        rendered: Any = "true" if value else "false"
    elif isinstance(value, int | str):
        rendered = str(value)
    else:
        return f"[{text}]", [value]  # not something a template can hold
    return '"' + quote(suffix)[1:-1] + "${" + text + "}" + quote(suffix)[
        1:-1
    ] + '"', suffix + rendered + suffix


@st.composite
def arithmetic(draw: st.DrawFn) -> Expr:
    """A chain of + - * on integers, without parentheses: precedence decides the value."""
    numbers = draw(st.lists(st.integers(0, 1000), min_size=2, max_size=6))
    operators = draw(
        st.lists(
            st.sampled_from(["+", "-", "*"]), min_size=len(numbers) - 1, max_size=len(numbers) - 1
        )
    )
    text = str(numbers[0]) + "".join(
        f"{draw(GAP)}{op}{draw(GAP)}{n}" for op, n in zip(operators, numbers[1:], strict=True)
    )
    python = str(numbers[0]) + "".join(
        f" {op} {n}" for op, n in zip(operators, numbers[1:], strict=True)
    )
    return text, eval(python)  # only integers and + - *: HCL and Python agree


@st.composite
def logic(draw: st.DrawFn) -> Expr:
    """Comparisons joined by && and ||, negated with !: HCL's precedence, computed here."""

    def comparison() -> tuple[str, bool]:
        a, b = draw(st.integers(-5, 5)), draw(st.integers(-5, 5))
        op = draw(st.sampled_from(["<", ">", "<=", ">=", "==", "!="]))
        result = {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b, "==": a == b, "!=": a != b}[
            op
        ]
        if draw(st.booleans()):
            return f"!({a} {op} {b})", not result
        return f"{a} {op} {b}", result

    terms = [comparison() for _ in range(draw(st.integers(1, 4)))]
    joins = [draw(st.sampled_from(["&&", "||"])) for _ in terms[1:]]
    text = terms[0][0] + "".join(f" {j} {t[0]}" for j, t in zip(joins, terms[1:], strict=True))
    # && binds tighter than ||: the value is the "or" of "and" groups
    groups: list[list[bool]] = [[terms[0][1]]]
    for join, (_, value) in zip(joins, terms[1:], strict=True):
        if join == "&&":
            groups[-1].append(value)
        else:
            groups.append([value])
    return text, any(all(g) for g in groups)


def _for_filter(numbers: list[int]) -> Expr:
    text = "[for i, n in [" + ", ".join(str(n) for n in numbers) + "] : n * 2 + i if n > 0]"
    return text, [n * 2 + i for i, n in enumerate(numbers) if n > 0]


def _for_object(items: dict[str, int]) -> Expr:
    source = "{ " + ", ".join(f"{k} = {v}" for k, v in items.items()) + " }"
    return f'{{for k, v in {source} : "${{k}}_x" => v + 1}}', {
        f"{k}_x": v + 1 for k, v in items.items()
    }


def _grouping(names: list[str]) -> Expr:
    source = "[" + ", ".join(quote(n) for n in names) + "]"
    expected: dict[str, list[str]] = {}
    for name in names:
        expected.setdefault(name[0], []).append(name)
    return f"{{for n in {source} : substr(n, 0, 1) => n...}}", expected


def _template_for(words: list[str]) -> Expr:
    source = "[" + ", ".join(quote(w) for w in words) + "]"
    return '"%{ for w in ' + source + ' }${w};%{ endfor }"', "".join(w + ";" for w in words)


def _template_if(parts: tuple[bool, str, str]) -> Expr:
    condition, space, word = parts
    body = quote(word)[1:-1]
    text = f'"<{space}%{{~ if {str(condition).lower()} ~}}{space}{body}{space}%{{~ else ~}}{space}no{space}%{{~ endif ~}}{space}>"'
    # each ~ strips the whitespace next to it, out to the next directive or the quote
    return text, "<" + (word.strip() if condition else "no") + ">"


def heredocs() -> st.SearchStrategy[Expr]:
    line = st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="{"),
        max_size=20,
    ).filter(lambda s: s.strip() not in ("EOT", "END"))
    return st.tuples(
        st.lists(line, min_size=1, max_size=4), st.booleans(), st.sampled_from(["EOT", "END"])
    ).map(_heredoc)


def _heredoc(parts: tuple[list[str], bool, str]) -> Expr:
    lines, indented, marker = parts
    escaped = [line.replace("${", "$${").replace("%{", "%%{") for line in lines]
    if indented:
        # HCL removes the smallest indentation of the lines that are not blank; blank
        # lines keep their spaces
        lines = [line.lstrip() for line in lines]
        escaped = [line.lstrip() for line in escaped]
        body = "".join("    " + line + "\n" for line in escaped)
        value = "".join((line if line else "    ") + "\n" for line in lines)
        return f"<<-{marker}\n{body}  {marker}\n", value
    body = "".join(line + "\n" for line in escaped)
    return f"<<{marker}\n{body}{marker}\n", "".join(line + "\n" for line in lines)


def same(left: Any, right: Any) -> bool:
    """Equality that tells true from 1."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same(left[k], right[k]) for k in left)
    if isinstance(left, int | float) and isinstance(right, int | float):
        return math.isclose(left, right, rel_tol=1e-12, abs_tol=0)
    return type(left) is type(right) and left == right


@st.composite
def valid_files(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A file of locals (some heredocs) and outputs, comments and blank lines in between."""
    names = draw(st.lists(IDENTIFIERS, min_size=1, max_size=5, unique=True))
    lines = [draw(st.sampled_from(["", "# generated\n", "/* header */\n", "// top\n\n"]))]
    lines.append("locals" + draw(st.sampled_from([" ", " /* c */ "])) + "{\n")
    expected: dict[str, Any] = {}
    for name in names:
        text, value = draw(heredocs()) if draw(st.integers(0, 5)) == 0 else draw(expressions())
        comment = draw(st.sampled_from(["", " # why", " // why", " /* why */"]))
        if text.endswith("\n"):  # a heredoc ends its own line
            lines.append(f"  {name} = {text}")
        else:
            lines.append(f"  {name} = {text}{comment}\n")
        lines.append(draw(st.sampled_from(["", "\n", "  # c\n"])))
        expected[name] = value
    lines.append("}\n")
    for name in names:
        lines.append(f'\noutput "{name}" {{\n  value = local.{name}\n}}\n')
    return "".join(lines), expected


VARIABLES = """
variable "n" {
  default = 3
}
variable "f" {
  default = 0.5
}
variable "s" {
  default = "hello"
}
variable "b" {
  default = true
}
variable "nothing" {
  default = null
}
variable "l" {
  default = [1, 2, 3]
}
variable "words" {
  default = ["a", "b"]
}
variable "m" {
  default = { a = 1, b = 2 }
}
variable "objs" {
  default = [{ a = 1, b = "x" }, { a = 2, b = "y" }]
}

locals {
  deep_nested = { a = { b = { c = [1, { d = "e" }] } } }
}
"""


@PROPERTY
@given(expressions())
def test_generated_expressions_evaluate_to_their_value(expression: Expr) -> None:
    text, expected = expression
    file, diagnostics = parse_file(f"x = {text}\n", "main.mlf.hcl")
    assert not diagnostics, (text, diagnostics)
    value = evaluate(file.body.attributes["x"].expression, scope())
    assert same(value, expected), (text, value, expected)


@PROPERTY
@given(heredocs())
def test_heredocs_evaluate_to_their_text(heredoc: Expr) -> None:
    text, expected = heredoc
    file, diagnostics = parse_file(f"x = {text}", "main.mlf.hcl")
    assert not diagnostics, (text, diagnostics)
    assert evaluate(file.body.attributes["x"].expression, scope()) == expected, text


@FEWER
@given(valid_files())
def test_generated_files_validate_with_their_values(
    workdir: Path, generated: tuple[str, dict[str, Any]]
) -> None:
    text, expected = generated
    result = validate_text(workdir, {"main.mlf.hcl": text, "variables.mlf.hcl": VARIABLES})
    assert not result.diagnostics.has_errors, (text, [str(d) for d in result.diagnostics])
    for name, value in expected.items():
        assert same(result.outputs[name], value), (name, text, result.outputs[name], value)


@FEWER
@given(valid_files())
def test_generated_files_are_valid_hcl(
    hclcheck: Path, generated: tuple[str, dict[str, Any]]
) -> None:
    """The generator makes valid HCL, by HashiCorp's own parser: the tests above are fair."""
    text, _ = generated
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "main.mlf.hcl"
        path.write_text(text, encoding="utf-8")
        completed = subprocess.run(
            [str(hclcheck), "parse", str(path)], capture_output=True, text=True, timeout=30
        )
    assert completed.returncode == 0, (text, completed.stdout)


# random expressions, most of them wrong ------------------------------------------------------

SOUP_LEAVES = st.sampled_from([
    "var.n", "var.s", "var.u", "var.secret", "var.secret_list", "var.mixed", "var.nothing", "var.l",
    "var.m", "var.objs", "var.missing", "local.deep_nested", "nope", "each.key", "count.index", "0", "-1",
    "1.5", "1e308", '""', '"x"', "true", "null", "[]", "{}", "path.module",
])  # fmt: skip
FUNCTION_NAMES = st.sampled_from([
    "length", "upper", "join", "max", "min", "concat", "keys", "lookup", "element", "tonumber",
    "tostring", "jsonencode", "jsondecode", "merge", "flatten", "range", "file", "format", "coalesce",
    "try", "can", "sensitive", "nonsensitive", "toset", "tolist", "tomap", "nosuchfunction",
])  # fmt: skip


def soup() -> st.SearchStrategy[str]:
    def compound(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", ">=", "&&", "||"])
        return st.one_of(
            st.tuples(inner, binary, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(st.sampled_from(["!", "-"]), inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
            st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
            st.lists(st.tuples(IDENTIFIERS, inner), max_size=3).map(
                lambda items: "{" + ", ".join(f"{k} = {v}" for k, v in items) + "}"
            ),
            st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
            st.tuples(inner, IDENTIFIERS).map(lambda t: f"({t[0]}).{t[1]}"),
            inner.map(lambda e: f"({e})[*].a"),
            st.tuples(FUNCTION_NAMES, st.lists(inner, max_size=3), st.booleans()).map(
                lambda t: f"{t[0]}({', '.join(t[1])}{'...' if t[2] and t[1] else ''})"
            ),
            st.tuples(inner, inner).map(lambda t: f"[for k, v in {t[0]} : {t[1]} if v != null]"),
            st.tuples(inner, inner).map(
                lambda t: f"{{for k, v in {t[0]} : tostring(k) => {t[1]}...}}"
            ),
            inner.map(lambda e: '"a${' + e + '}b"'),
            st.tuples(inner, inner).map(
                lambda t: '"%{ if ' + t[0] + " }y%{ else }${" + t[1] + '}%{ endif }"'
            ),
            inner.map(lambda e: '"%{ for x in ' + e + ' }${x}%{ endfor }"'),
        )

    return st.recursive(SOUP_LEAVES, compound, max_leaves=10)


@PROPERTY
@given(soup())
def test_random_expressions_evaluate_or_fail_with_an_evaluation_error(text: str) -> None:
    try:
        file, diagnostics = parse_file(f"x = {text}\n", "main.mlf.hcl")
    except SyntaxFailure as failure:
        assert failure.diagnostics
        return
    check_diagnostics(diagnostics, {"main.mlf.hcl": f"x = {text}\n"})
    try:
        value = evaluate(file.body.attributes["x"].expression, scope())
    except EvaluationError as exc:
        assert exc.message.strip(), text
        assert exc.range.filename == "main.mlf.hcl" and exc.range.line >= 1, (text, exc.range)
        return
    assert is_value(value), (text, value)


@PROPERTY
@given(soup(), soup())
def test_random_expressions_in_a_configuration(workdir: Path, first: str, second: str) -> None:
    config = f"""
variable "n" {{
  default = 3
}}

locals {{
  a = {first}
}}

dataset "d" {{
  count  = 1
  source = "data/${{local.a}}.csv"
  tags   = {{ a = tostring({second}) }}
}}

output "o" {{
  value = [local.a, dataset.d[*].rows]
}}
"""
    validate_text(workdir, {"main.mlf.hcl": config})


# variable values from the command line, files and the environment ---------------------------

TYPED_VARIABLES = """
variable "text" {
  type = string
}
variable "number" {
  type    = number
  default = 1
  validation {
    condition     = var.number >= 0
    error_message = "number must not be negative."
  }
}
variable "names" {
  type    = list(string)
  default = []
}
variable "weights" {
  type    = map(number)
  default = {}
}
variable "settings" {
  type    = object({ a = string, b = optional(number, 2) })
  default = { a = "x" }
}
variable "anything" {
  default = null
}
variable "secret" {
  type      = set(string)
  sensitive = true
  default   = []
}
variable "pair" {
  type     = tuple([string, bool])
  default  = ["a", true]
  nullable = false
}
"""
VARIABLE_NAMES = st.sampled_from(
    ["text", "number", "names", "weights", "settings", "anything", "secret", "pair", "undeclared"]
)
VALUE_TEXT = st.one_of(
    st.text(max_size=20),
    st.lists(HCL_ALPHABET, max_size=20).map("".join),
    expressions(max_leaves=4).map(lambda e: e[0]),
)


@PROPERTY
@given(
    st.lists(
        st.tuples(st.sampled_from(["var", "var-file"]), VARIABLE_NAMES, VALUE_TEXT), max_size=4
    ),
    st.dictionaries(VARIABLE_NAMES, VALUE_TEXT, max_size=3),
    st.lists(st.tuples(VARIABLE_NAMES, VALUE_TEXT), max_size=3),
)
def test_variable_values_resolve_or_fail_with_diagnostics(
    workdir: Path,
    inputs: list[tuple[str, str, str]],
    environment: dict[str, str],
    auto: list[tuple[str, str]],
) -> None:
    from mlform.language.variables import VariableInput

    for old in workdir.iterdir():
        old.unlink()
    (workdir / "main.mlf.hcl").write_text(
        TYPED_VARIABLES + '\noutput "o" {\n  value = [var.names, var.number]\n}\n'
    )
    (workdir / "a.auto.mlfvars").write_text("".join(f"{name} = {text}\n" for name, text in auto))
    given_inputs = []
    for index, (kind, name, text) in enumerate(inputs):
        if kind == "var":
            given_inputs.append(VariableInput("var", f"{name}={text}"))
        else:
            path = workdir / f"file{index}.mlfvars"
            path.write_text(f"{name} = {text}\n")
            given_inputs.append(VariableInput("var-file", str(path)))
    environ = {f"MLFORM_VAR_{name}": text for name, text in environment.items()}
    result = validate_directory(workdir, REGISTRY, given_inputs, environ)
    check_diagnostics(list(result.diagnostics), {})
    for value in result.variables.values():
        assert is_value(value), value
