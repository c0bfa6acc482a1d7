"""Input variable values: where they come from, in Terraform's precedence, and their checks.

Later sources win: `MLFORM_VAR_name` in the environment, then `*.auto.mlfvars` files in
lexical order, then `--var` and `--var-file` in the order given on the command line.
Values given as text (environment, `--var`) are read as HCL when the variable's type is a
collection or an object, as Terraform does, and taken as strings otherwise.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlform.diagnostics import Diagnostics, SourceRange, error, warning
from mlform.language import ast
from mlform.language.config import Configuration, VariableDecl
from mlform.language.evaluator import EvaluationError, Scope, evaluate, suggest
from mlform.language.loader import display_path
from mlform.language.syntax import SyntaxFailure, parse_expression, parse_file, source_lines
from mlform.language.types import AnyType, Primitive, TypeMismatch
from mlform.language.values import UNKNOWN, Sensitive, contains_unknown, unmark

ENV_PREFIX = "MLFORM_VAR_"
AUTO_SUFFIX = ".auto.mlfvars"


class Mode(enum.Enum):
    VALIDATE = "validate"  # a required variable without a value is unknown
    PLAN = "plan"  # ... and an error


@dataclass(frozen=True)
class VariableInput:
    """One `--var name=value` or `--var-file FILE` of the command line."""

    kind: str  # "var" or "var-file"
    text: str


@dataclass(frozen=True)
class ProvidedValue:
    value: Any
    source: str  # for messages: "--var", "MLFORM_VAR_x", "prod.mlfvars:3"
    raw_text: bool  # the value is text still to be read according to the type
    range: SourceRange | None = None


def collect_values(
    config: Configuration,
    inputs: Sequence[VariableInput],
    environ: Mapping[str, str],
    diagnostics: Diagnostics,
) -> dict[str, ProvidedValue]:
    values: dict[str, ProvidedValue] = {}
    for key in sorted(environ):
        if key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX) :]:
            name = key[len(ENV_PREFIX) :]
            if name in config.variables:  # Terraform ignores undeclared environment values
                values[name] = ProvidedValue(environ[key], key, raw_text=True)
    for path in sorted(config.directory.glob("*" + AUTO_SUFFIX)):
        _read_file(config, path, values, diagnostics, strict=False)
    for item in inputs:
        if item.kind == "var-file":
            path = Path(item.text)
            if not path.is_file():
                diagnostics.add(
                    error(
                        f'--var-file "{item.text}" does not exist; give the path of a file of name = value lines'
                    )
                )
                continue
            _read_file(config, path, values, diagnostics, strict=True)
            continue
        name, sep, text = item.text.partition("=")
        name = name.strip()
        if not sep or not name:
            diagnostics.add(
                error(f'--var "{item.text}" is not of the form NAME=VALUE, e.g. --var max_depth=8')
            )
            continue
        if name not in config.variables:
            diagnostics.add(
                error(
                    f'--var sets "{name}", which is not declared{suggest(name, config.variables)}; '
                    f'declare it with a variable "{name}" block'
                )
            )
            continue
        values[name] = ProvidedValue(text, "--var", raw_text=True)
    return values


def _read_file(
    config: Configuration,
    path: Path,
    values: dict[str, ProvidedValue],
    diagnostics: Diagnostics,
    strict: bool,
) -> None:
    name = display_path(path)
    try:
        text = path.read_bytes().decode("utf-8")
        config.variable_files[name] = source_lines(text)
        parsed, syntax = parse_file(text, name)
    except SyntaxFailure as failure:
        diagnostics.extend(failure.diagnostics)
        return
    except (OSError, UnicodeDecodeError) as exc:
        diagnostics.add(error(f"cannot read the variables file: {exc}", SourceRange(name, 1, 1)))
        return
    diagnostics.extend(syntax)
    for block in parsed.body.blocks:
        diagnostics.add(
            error("a variables file holds only name = value lines, not blocks", block.type_range)
        )
    for attribute in parsed.body.attributes.values():
        if attribute.name not in config.variables:
            message = (
                f'the variables file sets "{attribute.name}", which is not declared'
                f"{suggest(attribute.name, config.variables)}"
            )
            diagnostics.add(
                error(message, attribute.name_range)
                if strict
                else warning(message, attribute.name_range)
            )
            continue
        try:
            value = evaluate(attribute.expression, Scope({}, config.directory))
        except EvaluationError as exc:
            diagnostics.add(error(f"a variable value must be a constant: {exc.message}", exc.range))
            continue
        source = f"{name}:{attribute.name_range.line}"
        values[attribute.name] = ProvidedValue(
            value, source, raw_text=False, range=attribute.expression.range
        )


def resolve_variables(
    config: Configuration,
    provided: Mapping[str, ProvidedValue],
    mode: Mode,
    diagnostics: Diagnostics,
) -> dict[str, Any]:
    """The value of every declared variable, converted, checked and marked."""
    resolved: dict[str, Any] = {}
    for name, declaration in config.variables.items():
        resolved[name] = _resolve_one(config, declaration, provided.get(name), mode, diagnostics)
    for name, declaration in config.variables.items():
        _check_rules(config, declaration, resolved, provided.get(name), diagnostics)
    return resolved


def _resolve_one(
    config: Configuration,
    declaration: VariableDecl,
    given: ProvidedValue | None,
    mode: Mode,
    diagnostics: Diagnostics,
) -> Any:
    address = f"var.{declaration.name}"
    value: Any
    where = declaration.range
    if given is not None:
        where = given.range or declaration.range
        try:
            value = _read_text(given, declaration) if given.raw_text else given.value
        except SyntaxFailure as failure:
            diagnostics.add(
                error(
                    f"the value from {given.source} is not valid: {failure.diagnostics[0].message}",
                    where,
                    address,
                )
            )
            return UNKNOWN
    elif declaration.default is not None:
        where = declaration.default.range
        hints = {
            "var": "it cannot refer to other variables",
            "local": "it cannot refer to local values",
        }
        try:
            value = evaluate(declaration.default, Scope({}, config.directory, hints=hints))
        except EvaluationError as exc:
            diagnostics.add(
                error(f"the default must be a constant: {exc.message}", exc.range, address)
            )
            return UNKNOWN
    elif mode is Mode.VALIDATE:
        return Sensitive(UNKNOWN) if declaration.sensitive else UNKNOWN
    else:
        diagnostics.add(
            error(
                f'no value for required variable "{declaration.name}"; set it with '
                f"--var {declaration.name}=VALUE, in a *{AUTO_SUFFIX} file, or with {ENV_PREFIX}{declaration.name}",
                declaration.range,
                address,
            )
        )
        return UNKNOWN
    if value is None and not declaration.nullable:
        diagnostics.add(
            error(
                "this variable is not nullable and was given null; give it a value", where, address
            )
        )
        return UNKNOWN
    try:
        value = declaration.type.convert(value)
    except TypeMismatch as exc:
        what = f"invalid value (from {given.source})" if given is not None else "invalid default"
        diagnostics.add(
            error(
                f"{what}: {exc}; the variable's type is {declaration.type}",
                where,
                address,
            )
        )
        return UNKNOWN
    return Sensitive(value) if declaration.sensitive else value


def _read_text(given: ProvidedValue, declaration: VariableDecl) -> Any:
    if isinstance(declaration.type, Primitive | AnyType):
        return given.value
    expression = parse_expression(given.value, given.source, 1, 1)
    try:
        return evaluate(expression, Scope({}))
    except EvaluationError as exc:
        raise SyntaxFailure([error(exc.message, exc.range)]) from None


def _check_rules(
    config: Configuration,
    declaration: VariableDecl,
    resolved: Mapping[str, Any],
    given: ProvidedValue | None,
    diagnostics: Diagnostics,
) -> None:
    address = f"var.{declaration.name}"
    scope = Scope({"var": dict(resolved)}, config.directory)
    for rule in declaration.validations:
        refs = {t.root for t in ast.traversals(rule.condition)}
        if refs - {"var"}:
            other = sorted(refs - {"var"})[0]
            diagnostics.add(
                error(
                    f'a validation condition may refer only to variables, not "{other}"',
                    rule.condition.range,
                    address,
                )
            )
            continue
        try:
            outcome, _ = unmark(evaluate(rule.condition, scope))
        except EvaluationError as exc:
            diagnostics.add(
                error(f"the validation condition failed: {exc.message}", exc.range, address)
            )
            continue
        if outcome is UNKNOWN or contains_unknown(outcome):
            continue
        if not isinstance(outcome, bool):
            diagnostics.add(
                error("a validation condition must be true or false", rule.condition.range, address)
            )
            continue
        if outcome:
            continue
        try:
            message, _ = unmark(evaluate(rule.error_message, scope))
        except EvaluationError as exc:
            message = f"(the error message could not be evaluated: {exc.message})"
        origin = f" (value from {given.source})" if given is not None else " (the default value)"
        diagnostics.add(error(f"{message}{origin}", rule.condition.range, address))
