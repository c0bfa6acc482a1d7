"""Input variables: Terraform's precedence (environment < *.auto.mlfvars in lexical order <
--var and --var-file in command-line order), reading values by type, validation rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlform.diagnostics import Diagnostics, Severity
from mlform.language.loader import load_configuration
from mlform.language.values import UNKNOWN, Sensitive
from mlform.language.variables import (
    Mode,
    VariableInput,
    collect_values,
    resolve_variables,
)

DECLARATIONS = """
variable "depth" {
  type    = number
  default = 6
  validation {
    condition     = var.depth > 0
    error_message = "depth must be positive."
  }
}

variable "name" {
  type = string
}

variable "columns" {
  type    = list(string)
  default = ["a"]
}

variable "weights" {
  type    = map(number)
  default = {}
}

variable "settings" {
  type    = object({ eta = number, booster = optional(string, "gbtree") })
  default = { eta = 0.1 }
}

variable "anything" {
  default = "x"
}

variable "token" {
  type      = string
  sensitive = true
}

variable "strict" {
  type     = string
  default  = "set"
  nullable = false
}
"""


def resolve(
    tmp_path: Path,
    inputs: list[tuple[str, str]] = (),  # type: ignore[assignment]
    environ: dict[str, str] | None = None,
    files: dict[str, str] | None = None,
    mode: Mode = Mode.VALIDATE,
    declarations: str = DECLARATIONS,
) -> tuple[dict[str, Any], Diagnostics, dict[str, Any]]:
    (tmp_path / "main.mlf.hcl").write_text(declarations)
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(text)
    config, diagnostics = load_configuration(tmp_path, [])
    assert not diagnostics.has_errors, [str(d) for d in diagnostics]
    given = [VariableInput(kind, text) for kind, text in inputs]
    provided = collect_values(config, given, environ or {}, diagnostics)
    values = resolve_variables(config, provided, mode, diagnostics)
    return values, diagnostics, {name: p.source for name, p in provided.items()}


def errors(diagnostics: Diagnostics) -> list[str]:
    return [d.message for d in diagnostics if d.severity is Severity.ERROR]


# precedence ----------------------------------------------------------------------------------

PRECEDENCE = [
    # (environment, auto files, command line, expected depth, expected source)
    ({}, {}, [], 6, None),
    ({"MLFORM_VAR_depth": "1"}, {}, [], 1, "MLFORM_VAR_depth"),
    ({"MLFORM_VAR_depth": "1"}, {"a.auto.mlfvars": "depth = 2\n"}, [], 2, "a.auto.mlfvars:1"),
    (
        {},
        {"a.auto.mlfvars": "depth = 2\n", "b.auto.mlfvars": "\ndepth = 3\n"},
        [],
        3,
        "b.auto.mlfvars:2",
    ),
    ({}, {"b.auto.mlfvars": "depth = 3\n"}, [("var", "depth=4")], 4, "--var"),
    ({}, {}, [("var", "depth=4"), ("var-file", "x.mlfvars")], 5, "x.mlfvars:1"),
    ({}, {}, [("var-file", "x.mlfvars"), ("var", "depth=4")], 4, "--var"),
    (
        {"MLFORM_VAR_depth": "1"},
        {"a.auto.mlfvars": "depth = 2\n"},
        [("var", "depth=7"), ("var", "depth=8")],
        8,
        "--var",
    ),
    (
        {},
        {"notes.mlfvars": "depth = 9\n"},
        [],
        6,
        None,
    ),  # only *.auto.mlfvars are read by themselves
]


@pytest.mark.parametrize(("environ", "files", "inputs", "expected", "source"), PRECEDENCE)
def test_precedence(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    environ: dict[str, str],
    files: dict[str, str],
    inputs: list[tuple[str, str]],
    expected: int,
    source: str | None,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.mlfvars").write_text("depth = 5\n")
    values, diagnostics, sources = resolve(
        tmp_path, inputs, {"MLFORM_VAR_name": "n", **environ}, files
    )
    assert not errors(diagnostics), errors(diagnostics)
    assert values["depth"] == expected
    assert sources.get("depth") == source


# values read by type -------------------------------------------------------------------------

FROM_TEXT = [
    # (name, text on the command line, the value)
    ("depth", "8", 8),
    ("depth", "2.5", 2.5),
    ("name", "churn model", "churn model"),
    ("name", '["not", "a", "list"]', '["not", "a", "list"]'),  # a string is taken as it is
    ("anything", "[1, 2]", "[1, 2]"),  # an untyped variable too, as Terraform does
    ("columns", '["tenure", "plan"]', ["tenure", "plan"]),  # a collection is read as HCL
    ("weights", "{ a = 1, b = 0.5 }", {"a": 1, "b": 0.5}),
    ("settings", "{ eta = 0.3 }", {"eta": 0.3, "booster": "gbtree"}),
]


@pytest.mark.parametrize(("name", "text", "expected"), FROM_TEXT)
def test_values_from_text(tmp_path: Path, name: str, text: str, expected: Any) -> None:
    values, diagnostics, _ = resolve(
        tmp_path,
        [("var", f"{name}={text}"), ("var", "name=n")]
        if name != "name"
        else [("var", f"{name}={text}")],
    )
    assert not errors(diagnostics), errors(diagnostics)
    assert values[name] == expected


def test_environment_values_are_read_by_type(tmp_path: Path) -> None:
    environ = {"MLFORM_VAR_columns": '["x"]', "MLFORM_VAR_name": "n", "MLFORM_VAR_undeclared": "1"}
    values, diagnostics, _ = resolve(tmp_path, environ=environ)
    assert not list(diagnostics), [
        str(d) for d in diagnostics
    ]  # undeclared: ignored, as Terraform does
    assert values["columns"] == ["x"]


def test_values_from_files_are_expressions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    files = {
        "a.auto.mlfvars": 'name    = "n"\ncolumns = ["a", "b"]\nweights = { x = 1 + 1 }\ndepth   = "7"\n'
    }
    values, diagnostics, _ = resolve(tmp_path, files=files)
    assert not errors(diagnostics)
    assert (values["columns"], values["weights"], values["depth"]) == (["a", "b"], {"x": 2}, 7)


def test_defaults_and_optional_attributes(tmp_path: Path) -> None:
    values, diagnostics, _ = resolve(tmp_path, [("var", "name=n")])
    assert not errors(diagnostics)
    assert values["settings"] == {"eta": 0.1, "booster": "gbtree"}
    assert values["columns"] == ["a"] and values["strict"] == "set"


# required and sensitive ----------------------------------------------------------------------


def test_required_variable_is_unknown_in_validate(tmp_path: Path) -> None:
    values, diagnostics, _ = resolve(tmp_path)
    assert not errors(diagnostics)
    assert values["name"] is UNKNOWN
    assert isinstance(values["token"], Sensitive) and values["token"].value is UNKNOWN


def test_required_variable_is_an_error_in_plan(tmp_path: Path) -> None:
    _, diagnostics, _ = resolve(tmp_path, [("var", "token=t")], mode=Mode.PLAN)
    (message,) = errors(diagnostics)
    assert 'no value for required variable "name"' in message
    assert "--var name=VALUE" in message and "MLFORM_VAR_name" in message
    (diagnostic,) = diagnostics.errors
    assert diagnostic.address == "var.name" and diagnostic.range is not None


def test_sensitive_values_are_marked(tmp_path: Path) -> None:
    values, _, _ = resolve(tmp_path, [("var", "token=s3cret"), ("var", "name=n")])
    assert values["token"] == Sensitive("s3cret")
    assert not isinstance(values["name"], Sensitive)


# mistakes ------------------------------------------------------------------------------------

MISTAKES = [
    # (inputs, files, message fragment, severity)
    (
        [("var", "depth=deep")],
        {},
        'invalid value (from --var): cannot convert "deep" to a number',
        Severity.ERROR,
    ),
    ([("var", "depth=0")], {}, "depth must be positive. (value from --var)", Severity.ERROR),
    ([("var", "columns=[1, ")], {}, "the value from --var is not valid", Severity.ERROR),
    ([("var", "columns=[nope]")], {}, "the value from --var is not valid", Severity.ERROR),
    (
        [("var", "dpeth=1")],
        {},
        '--var sets "dpeth", which is not declared; did you mean "depth"?',
        Severity.ERROR,
    ),
    ([("var", "depth")], {}, "is not of the form NAME=VALUE", Severity.ERROR),
    (
        [("var-file", "missing.mlfvars")],
        {},
        '--var-file "missing.mlfvars" does not exist',
        Severity.ERROR,
    ),
    (
        [("var-file", "x.mlfvars")],
        {"x.mlfvars": "dpeth = 1\n"},
        '"dpeth", which is not declared',
        Severity.ERROR,
    ),
    ([], {"a.auto.mlfvars": "dpeth = 1\n"}, '"dpeth", which is not declared', Severity.WARNING),
    (
        [],
        {"a.auto.mlfvars": "depth = var.other\n"},
        "a variable value must be a constant",
        Severity.ERROR,
    ),
    ([], {"a.auto.mlfvars": 'block "x" {\n}\n'}, "holds only name = value lines", Severity.ERROR),
    ([], {"a.auto.mlfvars": "depth = [\n"}, '"[" is never closed', Severity.ERROR),
    ([], {"a.auto.mlfvars": "strict = null\n"}, "not nullable", Severity.ERROR),
    (
        [],
        {"a.auto.mlfvars": "settings = { booster = 1 }\n"},
        'attribute "eta" is required',
        Severity.ERROR,
    ),
    (
        [],
        {"a.auto.mlfvars": 'weights = { a = "heavy" }\n'},
        '["a"]: cannot convert "heavy" to a number',
        Severity.ERROR,
    ),
]


@pytest.mark.parametrize(("inputs", "files", "fragment", "severity"), MISTAKES)
def test_mistakes(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    inputs: list[tuple[str, str]],
    files: dict[str, str],
    fragment: str,
    severity: Severity,
) -> None:
    monkeypatch.chdir(tmp_path)
    _, diagnostics, _ = resolve(tmp_path, [*inputs, ("var", "name=n")], files=files)
    found = [d for d in diagnostics if fragment in d.message]
    assert found, [str(d) for d in diagnostics]
    assert found[0].severity is severity


def test_mistakes_in_files_point_into_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    files = {"a.auto.mlfvars": '# tuning\ndepth = "deep"\n'}
    _, diagnostics, _ = resolve(tmp_path, [("var", "name=n")], files=files)
    (diagnostic,) = diagnostics.errors
    assert diagnostic.range is not None
    assert (diagnostic.range.filename, diagnostic.range.line, diagnostic.range.column) == (
        "a.auto.mlfvars",
        2,
        9,
    )
    assert diagnostic.address == "var.depth"


VALIDATION_RULES = [
    # (rule condition, value, message fragment or None when it passes)
    ("var.v > 0", "1", None),
    ("var.v > 0", "0", "v is wrong. (value from --var)"),
    ("length(var.v) < 3", "abcd", "v is wrong."),
    ('can(regex("^[a-z]+$", var.v))', "abc", None),
    ('can(regex("^[a-z]+$", var.v))', "ABC", "v is wrong."),
    ("var.v", "x", "a validation condition must be true or false"),
    ("var.v > local.limit", "1", 'a validation condition may refer only to variables, not "local"'),
    ("var.v.attribute > 1", "1", "the validation condition failed"),
]


@pytest.mark.parametrize(("condition", "value", "fragment"), VALIDATION_RULES)
def test_validation_rules(tmp_path: Path, condition: str, value: str, fragment: str | None) -> None:
    declarations = f"""
variable "v" {{
  validation {{
    condition     = {condition}
    error_message = "v is wrong."
  }}
}}
"""
    _, diagnostics, _ = resolve(tmp_path, [("var", f"v={value}")], declarations=declarations)
    if fragment is None:
        assert not errors(diagnostics), errors(diagnostics)
    else:
        assert any(fragment in m for m in errors(diagnostics)), errors(diagnostics)


def test_validation_of_an_unknown_value_waits(tmp_path: Path) -> None:
    declarations = """
variable "v" {
  type = number
  validation {
    condition     = var.v > 0
    error_message = "v must be positive."
  }
}
"""
    values, diagnostics, _ = resolve(tmp_path, declarations=declarations)
    assert values["v"] is UNKNOWN and not list(diagnostics)
