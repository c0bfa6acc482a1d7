"""The expression evaluator: mlform's own, since python-hcl2 only parses.

`evaluate(expression, scope)` returns a value (see `values`) or raises `EvaluationError`
with the source range of the sub-expression at fault. Unknown values propagate: an
operation on something known only after apply is itself unknown. Sensitive marks propagate:
anything computed from a sensitive value is sensitive.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlform.diagnostics import SourceRange
from mlform.language import ast
from mlform.language.functions import FUNCTIONS, FunctionContext, FunctionError
from mlform.language.types import BOOL, NUMBER, STRING, TypeMismatch
from mlform.language.values import (
    UNKNOWN,
    Sensitive,
    contains_unknown,
    is_number,
    mark,
    normalize_number,
    type_name,
    unmark,
    with_article,
)


class EvaluationError(Exception):
    def __init__(self, message: str, range: SourceRange):
        super().__init__(message)
        self.message = message
        self.range = range


@dataclass
class Scope:
    """The names an expression can see. Child scopes add `for` variables."""

    names: Mapping[str, Any]
    base_dir: Path = field(default_factory=Path.cwd)
    parent: Scope | None = None
    # where a root name is not defined, this explains why (e.g. `each` outside for_each)
    hints: Mapping[str, str] = field(default_factory=dict)

    def lookup(self, name: str) -> tuple[bool, Any]:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.names:
                return True, scope.names[name]
            scope = scope.parent
        return False, None

    def child(self, names: Mapping[str, Any]) -> Scope:
        return Scope(names, self.base_dir, self, self.hints)

    def all_names(self) -> list[str]:
        names: set[str] = set()
        scope: Scope | None = self
        while scope is not None:
            names.update(scope.names)
            scope = scope.parent
        return sorted(names)

    def hint(self, name: str) -> str | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.hints:
                return scope.hints[name]
            scope = scope.parent
        return None


def suggest(name: str, candidates: list[str] | Any) -> str:
    """`; did you mean "x"?` when a candidate is close, else nothing."""
    close = difflib.get_close_matches(name, [c for c in candidates if c != name], n=1, cutoff=0.7)
    return f'; did you mean "{close[0]}"?' if close else ""


def evaluate(expression: ast.Expression, scope: Scope) -> Any:
    handler = _HANDLERS.get(type(expression))
    if handler is None:  # pragma: no cover - every node type has a handler
        raise EvaluationError(f"cannot evaluate {type(expression).__name__}", expression.range)
    return handler(expression, scope)


# leaves ------------------------------------------------------------------------------------


def _literal(expression: ast.Literal, scope: Scope) -> Any:
    return expression.value


def _variable(expression: ast.Variable, scope: Scope) -> Any:
    found, value = scope.lookup(expression.name)
    if found:
        return value
    hint = scope.hint(expression.name)
    if hint:
        raise EvaluationError(hint, expression.range)
    raise EvaluationError(
        f'unknown name "{expression.name}"{suggest(expression.name, scope.all_names())}',
        expression.range,
    )


def _parenthesized(expression: ast.Parenthesized, scope: Scope) -> Any:
    return evaluate(expression.expression, scope)


# traversal ---------------------------------------------------------------------------------


def _get_attr(expression: ast.GetAttr, scope: Scope) -> Any:
    source = evaluate(expression.source, scope)
    return get_attribute(source, expression.name, expression.range)


def get_attribute(source: Any, name: str, range: SourceRange) -> Any:
    value, sensitive = _shallow_unmark(source)
    if value is UNKNOWN:
        return UNKNOWN
    if value is None:
        raise EvaluationError(f'cannot read attribute "{name}" of a null value', range)
    if isinstance(value, dict):
        if name not in value:
            raise EvaluationError(
                f'this object has no attribute "{name}"{suggest(name, value.keys())}', range
            )
        return mark(value[name], sensitive)
    if isinstance(value, list):
        raise EvaluationError(
            f'a list has no attribute "{name}"; to take "{name}" from every element, write [*].{name}',
            range,
        )
    raise EvaluationError(f'a {type_name(value)} has no attribute "{name}"', range)


def _index(expression: ast.Index, scope: Scope) -> Any:
    source = evaluate(expression.source, scope)
    key = evaluate(expression.key, scope)
    return index_value(source, key, expression.key.range)


def index_value(source: Any, key: Any, range: SourceRange) -> Any:
    value, sensitive = _shallow_unmark(source)
    key, key_sensitive = unmark(key)
    sensitive = sensitive or key_sensitive
    if value is UNKNOWN or key is UNKNOWN:
        return UNKNOWN
    if value is None:
        raise EvaluationError("cannot index a null value", range)
    if isinstance(value, list):
        try:
            position = NUMBER.convert(key)
        except TypeMismatch:
            raise EvaluationError(
                f"a list index must be a number, got {with_article(type_name(key))}", range
            ) from None
        if not isinstance(position, int):
            raise EvaluationError(f"a list index must be a whole number, got {position}", range)
        if position < 0 or position >= len(value):
            raise EvaluationError(
                f"index {position} is out of range for a list of {len(value)} elements", range
            )
        return mark(value[position], sensitive)
    if isinstance(value, dict):
        if isinstance(key, bool) or not isinstance(key, str | int | float):
            raise EvaluationError(f"a map key must be a string, got {type_name(key)}", range)
        key = STRING.convert(key)
        if key not in value:
            raise EvaluationError(
                f'the map has no element "{key}"{suggest(key, value.keys())}', range
            )
        return mark(value[key], sensitive)
    raise EvaluationError(f"a {type_name(value)} cannot be indexed", range)


def _splat(expression: ast.Splat, scope: Scope) -> Any:
    source = evaluate(expression.source, scope)
    value, sensitive = _shallow_unmark(source)
    if value is UNKNOWN:
        return UNKNOWN
    if value is None:
        return []
    elements = value if isinstance(value, list) else [value]
    results = []
    for element in elements:
        for step in expression.steps:
            if step.name is not None:
                element = get_attribute(element, step.name, expression.range)
            else:
                assert step.key is not None
                element = index_value(element, evaluate(step.key, scope), step.key.range)
        results.append(element)
    return mark(results, sensitive)


# operators ---------------------------------------------------------------------------------

_ARITHMETIC = {"+", "-", "*", "/", "%"}
_COMPARISON = {"<", ">", "<=", ">="}


def _binary(expression: ast.BinaryOp, scope: Scope) -> Any:
    operator = expression.operator
    if operator in ("&&", "||"):
        return _logical(expression, scope)
    left_value, left_sensitive = unmark(evaluate(expression.left, scope))
    right_value, right_sensitive = unmark(evaluate(expression.right, scope))
    sensitive = left_sensitive or right_sensitive
    if operator in ("==", "!="):
        if contains_unknown(left_value) or contains_unknown(right_value):
            return mark(UNKNOWN, sensitive)
        equal = values_equal(left_value, right_value)
        return mark(equal if operator == "==" else not equal, sensitive)
    if left_value is UNKNOWN or right_value is UNKNOWN:
        return mark(UNKNOWN, sensitive)
    left = _operand(left_value, NUMBER, operator, expression.left.range)
    right = _operand(right_value, NUMBER, operator, expression.right.range)
    result: Any
    if operator in _COMPARISON:
        result = {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[
            operator
        ]
        return mark(result, sensitive)
    try:
        if operator == "+":
            result = left + right
        elif operator == "-":
            result = left - right
        elif operator == "*":
            result = left * right
        elif operator == "/":
            if right == 0:
                raise EvaluationError("division by zero", expression.right.range)
            result = left / right
        elif operator == "%":
            if right == 0:
                raise EvaluationError("modulo by zero", expression.right.range)
            result = (
                math.fmod(left, right)
                if isinstance(left, float) or isinstance(right, float)
                else _int_mod(left, right)
            )
        else:  # pragma: no cover - the parser knows no other operator
            raise EvaluationError(f'unknown operator "{operator}"', expression.range)
    except OverflowError:
        raise EvaluationError(
            "the result of this arithmetic is too large", expression.range
        ) from None
    if isinstance(result, float) and (math.isinf(result) or math.isnan(result)):
        raise EvaluationError(
            "the result of this arithmetic is not a finite number", expression.range
        )
    return mark(normalize_number(result), sensitive)


def _int_mod(left: int, right: int) -> int:
    # truncated remainder, as HCL computes it: -5 % 3 is -2
    remainder = abs(left) % abs(right)
    return -remainder if left < 0 else remainder


def _operand(value: Any, constraint: Any, operator: str, range: SourceRange) -> Any:
    if value is None:
        raise EvaluationError(f'the operands of "{operator}" cannot be null', range)
    try:
        return constraint.convert(value)
    except TypeMismatch:
        wanted = "a number" if constraint is NUMBER else "a bool"
        raise EvaluationError(
            f'"{operator}" needs {wanted} here, got {with_article(type_name(value))}', range
        ) from None


def _logical(expression: ast.BinaryOp, scope: Scope) -> Any:
    operator = expression.operator
    left_value, left_sensitive = unmark(evaluate(expression.left, scope))
    if left_value is not UNKNOWN:
        left = _operand(left_value, BOOL, operator, expression.left.range)
        if operator == "&&" and not left:
            return mark(False, left_sensitive)
        if operator == "||" and left:
            return mark(True, left_sensitive)
    right_value, right_sensitive = unmark(evaluate(expression.right, scope))
    sensitive = left_sensitive or right_sensitive
    if right_value is UNKNOWN:
        return mark(UNKNOWN, sensitive)
    right = _operand(right_value, BOOL, operator, expression.right.range)
    if left_value is UNKNOWN:
        if operator == "&&" and not right:
            return mark(False, sensitive)
        if operator == "||" and right:
            return mark(True, sensitive)
        return mark(UNKNOWN, sensitive)
    return mark(right, sensitive)


def _unary(expression: ast.UnaryOp, scope: Scope) -> Any:
    value, sensitive = unmark(evaluate(expression.operand, scope))
    if value is UNKNOWN:
        return mark(UNKNOWN, sensitive)
    if expression.operator == "!":
        return mark(not _operand(value, BOOL, "!", expression.operand.range), sensitive)
    return mark(
        normalize_number(-_operand(value, NUMBER, "-", expression.operand.range)), sensitive
    )


def values_equal(left: Any, right: Any) -> bool:
    """HCL equality: types matter (`1 == "1"` is false, `true == 1` is false)."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if is_number(left) and is_number(right):
        return bool(left == right)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            values_equal(a, b) for a, b in zip(left, right, strict=True)
        )
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(values_equal(left[k], right[k]) for k in left)
    return type(left) is type(right) and bool(left == right)


def _conditional(expression: ast.Conditional, scope: Scope) -> Any:
    condition, sensitive = unmark(evaluate(expression.condition, scope))
    if condition is UNKNOWN:
        return mark(UNKNOWN, sensitive)
    if condition is None:
        raise EvaluationError(
            "the condition is null; it must be true or false", expression.condition.range
        )
    try:
        chosen = BOOL.convert(condition)
    except TypeMismatch:
        raise EvaluationError(
            f"the condition must be true or false, got {with_article(type_name(condition))}",
            expression.condition.range,
        ) from None
    result = evaluate(expression.true_result if chosen else expression.false_result, scope)
    return mark(result, sensitive)


# constructors ------------------------------------------------------------------------------


def _tuple(expression: ast.TupleCons, scope: Scope) -> Any:
    return [evaluate(item, scope) for item in expression.items]


def _object(expression: ast.ObjectCons, scope: Scope) -> Any:
    result: dict[str, Any] = {}
    sensitive = False
    for item in expression.items:
        key = _object_key(evaluate(item.key, scope), item.key.range)
        if key is UNKNOWN:
            return UNKNOWN
        key_value, key_sensitive = unmark(key)
        sensitive = sensitive or key_sensitive
        if key_value in result:
            raise EvaluationError(
                f'the key "{key_value}" is set twice in this object', item.key.range
            )
        result[key_value] = evaluate(item.value, scope)
    return mark(result, sensitive)


def _object_key(key: Any, range: SourceRange) -> Any:
    plain, sensitive = unmark(key)
    if plain is UNKNOWN:
        return UNKNOWN
    if plain is None or isinstance(plain, list | dict):
        raise EvaluationError(f"an object key must be a string, got {type_name(plain)}", range)
    return mark(STRING.convert(plain), sensitive)


def _template(expression: ast.TemplateExpr, scope: Scope) -> Any:
    parts = expression.parts
    if len(parts) == 1 and isinstance(parts[0], ast.TemplateInterpolation):
        return evaluate(parts[0].expression, scope)  # "${x}" is x itself, of any type
    sensitive = False
    pieces: list[str] = []
    unknown = False
    for text in _render_parts(parts, scope):
        value, marked = unmark(text)
        sensitive = sensitive or marked
        if value is UNKNOWN:
            unknown = True
        else:
            pieces.append(value)
    return mark(UNKNOWN if unknown else "".join(pieces), sensitive)


def _render_parts(parts: tuple[ast.TemplatePart, ...], scope: Scope) -> list[Any]:
    out: list[Any] = []
    for part in parts:
        if isinstance(part, ast.TemplateText):
            out.append(part.text)
        elif isinstance(part, ast.TemplateInterpolation):
            out.append(_template_string(evaluate(part.expression, scope), part.expression.range))
        elif isinstance(part, ast.TemplateIf):
            condition, sensitive = unmark(evaluate(part.condition, scope))
            if condition is UNKNOWN:
                out.append(mark(UNKNOWN, sensitive))
                continue
            chosen = _operand(condition, BOOL, "%{if}", part.condition.range)
            inner = _render_parts(part.then_parts if chosen else part.else_parts, scope)
            out.extend(mark(piece, sensitive) for piece in inner)
        elif isinstance(part, ast.TemplateFor):
            collection, sensitive = _shallow_unmark(evaluate(part.collection, scope))
            if collection is UNKNOWN:
                out.append(mark(UNKNOWN, sensitive))
                continue
            for key, value in _iterate(collection, part.collection.range):
                names = {part.value_var: value}
                if part.key_var:
                    names[part.key_var] = key
                inner = _render_parts(part.body, scope.child(names))
                out.extend(mark(piece, sensitive) for piece in inner)
    return out


def _template_string(value: Any, range: SourceRange) -> Any:
    plain, sensitive = unmark(value)
    if plain is UNKNOWN:
        return mark(UNKNOWN, sensitive)
    if plain is None:
        raise EvaluationError("a null value cannot be included in a string template", range)
    if isinstance(plain, list | dict):
        raise EvaluationError(
            f"{with_article(type_name(plain))} cannot be included in a string template; "
            "use join() or jsonencode() to turn it into a string",
            range,
        )
    return mark(STRING.convert(plain), sensitive)


def _iterate(collection: Any, range: SourceRange) -> list[tuple[Any, Any]]:
    if isinstance(collection, list):
        return list(enumerate(collection))
    if isinstance(collection, dict):
        return [(key, collection[key]) for key in sorted(collection)]
    raise EvaluationError(
        f"a for expression needs a list or a map to iterate over, got {with_article(type_name(collection))}",
        range,
    )


def _for(expression: ast.ForExpr, scope: Scope) -> Any:
    collection, sensitive = _shallow_unmark(evaluate(expression.collection, scope))
    if collection is UNKNOWN:
        return mark(UNKNOWN, sensitive)
    if collection is None:
        raise EvaluationError(
            "a for expression cannot iterate over null", expression.collection.range
        )
    is_object = expression.key_result is not None
    results_list: list[Any] = []
    results_map: dict[str, Any] = {}
    for key, value in _iterate(collection, expression.collection.range):
        names = {expression.value_var: value}
        if expression.key_var:
            names[expression.key_var] = key
        inner = scope.child(names)
        if expression.condition is not None:
            keep, keep_sensitive = unmark(evaluate(expression.condition, inner))
            if keep is UNKNOWN:
                return mark(UNKNOWN, sensitive or keep_sensitive)
            if not _operand(keep, BOOL, "if", expression.condition.range):
                continue
        if not is_object:
            results_list.append(evaluate(expression.value_result, inner))
            continue
        assert expression.key_result is not None
        result_key = _object_key(
            evaluate(expression.key_result, inner), expression.key_result.range
        )
        if result_key is UNKNOWN:
            return mark(UNKNOWN, sensitive)
        result_key, key_sensitive = unmark(result_key)
        sensitive = sensitive or key_sensitive
        result_value = evaluate(expression.value_result, inner)
        if expression.grouping:
            results_map.setdefault(result_key, []).append(result_value)
        elif result_key in results_map:
            raise EvaluationError(
                f'two elements produce the key "{result_key}"; add "..." after the value to group them',
                expression.key_result.range,
            )
        else:
            results_map[result_key] = result_value
    return mark(results_map if is_object else results_list, sensitive)


# functions ---------------------------------------------------------------------------------


def _call(expression: ast.FunctionCall, scope: Scope) -> Any:
    name = expression.name
    if name == "try":
        return _try(expression, scope)
    if name == "can":
        return _can(expression, scope)
    function = FUNCTIONS.get(name)
    if function is None:
        raise EvaluationError(
            f'unknown function "{name}"{suggest(name, [*FUNCTIONS, "try", "can"])}',
            expression.name_range,
        )
    arguments = [evaluate(a, scope) for a in expression.arguments]
    if expression.expand_final and arguments:
        last, last_sensitive = _shallow_unmark(arguments.pop())
        if last is UNKNOWN:
            return UNKNOWN
        if not isinstance(last, list):
            raise EvaluationError(
                f'"..." expands a list into arguments; this is {with_article(type_name(last))}',
                expression.arguments[-1].range,
            )
        arguments.extend(mark(v, last_sensitive) for v in last)
    count = len(arguments)
    if count < function.min_args or (function.max_args is not None and count > function.max_args):
        expected = (
            f"{function.min_args}"
            if function.min_args == function.max_args
            else f"at least {function.min_args}"
            if function.max_args is None
            else f"{function.min_args} to {function.max_args}"
        )
        raise EvaluationError(
            f"{name} takes {expected} argument{'s' if not expected.endswith(' 1') and expected != '1' else ''}, got {count}: {function.signature}",
            expression.range,
        )
    plain, sensitive = unmark(arguments)
    if any(contains_unknown(a) for a in plain):
        return mark(UNKNOWN, sensitive)
    try:
        result = function.impl(FunctionContext(scope.base_dir), *plain)
    except FunctionError as exc:
        at = expression.range
        if exc.argument is not None and exc.argument < len(expression.arguments):
            at = expression.arguments[exc.argument].range
        raise EvaluationError(
            f"{name}: {exc.message}" if not exc.message.startswith(name) else exc.message, at
        ) from None
    except RecursionError:
        raise EvaluationError(f"{name}: the value is nested too deeply", expression.range) from None
    return mark(result, sensitive)


def _try(expression: ast.FunctionCall, scope: Scope) -> Any:
    if not expression.arguments:
        raise EvaluationError("try takes at least 1 argument", expression.range)
    last_error: EvaluationError | None = None
    for argument in expression.arguments:
        try:
            return evaluate(argument, scope)
        except EvaluationError as exc:
            last_error = exc
    assert last_error is not None
    raise EvaluationError(
        f"no argument of try could be evaluated; the last failed with: {last_error.message}",
        expression.range,
    )


def _can(expression: ast.FunctionCall, scope: Scope) -> Any:
    if len(expression.arguments) != 1:
        raise EvaluationError("can takes exactly 1 argument", expression.range)
    try:
        value = evaluate(expression.arguments[0], scope)
    except EvaluationError:
        return False
    return UNKNOWN if contains_unknown(value) else True


def _shallow_unmark(value: Any) -> tuple[Any, bool]:
    if isinstance(value, Sensitive):
        return value.value, True
    return value, False


_HANDLERS: dict[type, Any] = {
    ast.Literal: _literal,
    ast.Variable: _variable,
    ast.Parenthesized: _parenthesized,
    ast.GetAttr: _get_attr,
    ast.Index: _index,
    ast.Splat: _splat,
    ast.BinaryOp: _binary,
    ast.UnaryOp: _unary,
    ast.Conditional: _conditional,
    ast.TupleCons: _tuple,
    ast.ObjectCons: _object,
    ast.TemplateExpr: _template,
    ast.ForExpr: _for,
    ast.FunctionCall: _call,
}
