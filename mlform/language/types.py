"""Type constraints: `string`, `number`, `bool`, `list(T)`, `set(T)`, `map(T)`,
`tuple([...])`, `object({...})` and `any`, with Terraform's conversion rules.

Variables declare them with `type = ...`; provider schemas use the same classes for their
attributes. `convert` returns the value converted to the type or raises `TypeMismatch` with
the path of the offending element, so messages can say `params["eta"]: a number is required`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from mlform.language.values import (
    UNKNOWN,
    Sensitive,
    is_number,
    normalize_number,
    render,
    type_name,
    with_article,
)

_DECIMAL = re.compile(r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")


class TypeMismatch(Exception):
    def __init__(self, message: str, path: str = ""):
        super().__init__(f"{path}: {message}" if path else message)
        self.message = message
        self.path = path


class TypeConstraint:
    """Base class; subclasses are frozen dataclasses."""

    def convert(self, value: Any, path: str = "") -> Any:
        if value is UNKNOWN or value is None:
            return value
        if isinstance(value, Sensitive):
            return Sensitive(self.convert(value.value, path))
        return self._convert(value, path)

    def _convert(self, value: Any, path: str) -> Any:
        raise NotImplementedError

    def describe(self) -> str:
        """A phrase for messages: `a number`, `a list of string`."""
        return with_article(str(self))


@dataclass(frozen=True)
class AnyType(TypeConstraint):
    def _convert(self, value: Any, path: str) -> Any:
        return value

    def __str__(self) -> str:
        return "any"

    def describe(self) -> str:
        return "any value"


@dataclass(frozen=True)
class Primitive(TypeConstraint):
    name: str  # "string", "number" or "bool"

    def _convert(self, value: Any, path: str) -> Any:
        if self.name == "string":
            if isinstance(value, str):
                return value
            if isinstance(value, bool):
                return "true" if value else "false"
            if is_number(value):
                return render(value)
        elif self.name == "number":
            if is_number(value):
                return value
            if isinstance(value, str):
                text = value.strip()
                # Python would also take "1_000", "inf" and "nan"; HCL takes decimals only
                number: float = 0.0
                if _DECIMAL.fullmatch(text):
                    number = float(text) if any(c in text for c in ".eE") else int(text)
                if not _DECIMAL.fullmatch(text) or not math.isfinite(number):
                    raise TypeMismatch(f'cannot convert "{value}" to a number', path)
                return normalize_number(number)
        elif self.name == "bool":
            if isinstance(value, bool):
                return value
            if value in ("true", "false"):
                return value == "true"
        raise TypeMismatch(
            f"{with_article(self.name)} is required, got {with_article(type_name(value))}", path
        )

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class ListType(TypeConstraint):
    element: TypeConstraint
    kind: str = "list"  # "list" or "set"

    def _convert(self, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            raise TypeMismatch(
                f"{self.describe()} is required, got {with_article(type_name(value))}", path
            )
        items = [self.element.convert(v, f"{path}[{i}]") for i, v in enumerate(value)]
        if self.kind == "set":
            unique: list[Any] = []
            for item in items:
                if item not in unique:
                    unique.append(item)
            try:
                items = sorted(unique)
            except TypeError:
                items = unique
        return items

    def __str__(self) -> str:
        return f"{self.kind}({self.element})"

    def describe(self) -> str:
        return f"a {self.kind} of {self.element}"


@dataclass(frozen=True)
class MapType(TypeConstraint):
    element: TypeConstraint

    def _convert(self, value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise TypeMismatch(
                f"{self.describe()} is required, got {with_article(type_name(value))}", path
            )
        return {k: self.element.convert(v, f'{path}["{k}"]') for k, v in value.items()}

    def __str__(self) -> str:
        return f"map({self.element})"

    def describe(self) -> str:
        return f"a map of {self.element}"


@dataclass(frozen=True)
class TupleType(TypeConstraint):
    elements: tuple[TypeConstraint, ...]

    def _convert(self, value: Any, path: str) -> Any:
        if not isinstance(value, list) or len(value) != len(self.elements):
            count = len(self.elements)
            got = (
                f"a list of {len(value)} element{'s' if len(value) != 1 else ''}"
                if isinstance(value, list)
                else with_article(type_name(value))
            )
            raise TypeMismatch(
                f"a tuple of {count} element{'s' if count != 1 else ''} is required, got {got}",
                path,
            )
        return [
            t.convert(v, f"{path}[{i}]")
            for i, (t, v) in enumerate(zip(self.elements, value, strict=True))
        ]

    def __str__(self) -> str:
        return "tuple([" + ", ".join(str(t) for t in self.elements) + "])"


@dataclass(frozen=True)
class ObjectType(TypeConstraint):
    attributes: dict[str, TypeConstraint] = field(hash=False)
    optional: frozenset[str] = frozenset()
    defaults: dict[str, Any] = field(default_factory=dict, hash=False)

    def _convert(self, value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise TypeMismatch(f"an object is required, got {with_article(type_name(value))}", path)
        result: dict[str, Any] = {}
        for name, attribute_type in self.attributes.items():
            if name in value:
                result[name] = attribute_type.convert(
                    value[name], f"{path}.{name}" if path else name
                )
            elif name in self.optional:
                result[name] = self.defaults.get(name)
            else:
                raise TypeMismatch(f'attribute "{name}" is required', path)
        return result

    def __str__(self) -> str:
        inner = ", ".join(
            (
                f"{k} = optional({t}, {render(self.defaults[k])})"
                if k in self.defaults
                else f"{k} = optional({t})"
            )
            if k in self.optional
            else f"{k} = {t}"
            for k, t in self.attributes.items()
        )
        return "object({" + inner + "})"

    def describe(self) -> str:
        return "an object"


STRING = Primitive("string")
NUMBER = Primitive("number")
BOOL = Primitive("bool")
ANY = AnyType()


class TypeSyntaxError(Exception):
    def __init__(self, message: str, range: Any):
        super().__init__(message)
        self.message = message
        self.range = range


_PRIMITIVES: dict[str, TypeConstraint] = {
    "string": STRING,
    "number": NUMBER,
    "bool": BOOL,
    "any": ANY,
}
_HINT = "write a type such as string, number, bool, list(string), map(number), object({ a = string }) or any"


def type_from_expression(expression: Any) -> TypeConstraint:
    """Read a type constraint written as an expression (`list(object({ a = string }))`)."""
    from mlform.language import ast

    if isinstance(expression, ast.Parenthesized):
        return type_from_expression(expression.expression)
    if isinstance(expression, ast.Variable) and expression.name in _PRIMITIVES:
        return _PRIMITIVES[expression.name]
    if (
        isinstance(expression, ast.Literal)
        and isinstance(expression.value, str)
        and expression.value in _PRIMITIVES
    ):
        raise TypeSyntaxError(
            f'a type is written without quotes: {expression.value}, not "{expression.value}"',
            expression.range,
        )
    if isinstance(expression, ast.FunctionCall):
        name, args = expression.name, expression.arguments
        if name in ("list", "set", "map") and len(args) == 1:
            element = type_from_expression(args[0])
            return MapType(element) if name == "map" else ListType(element, name)
        if name == "tuple" and len(args) == 1 and isinstance(args[0], ast.TupleCons):
            return TupleType(tuple(type_from_expression(a) for a in args[0].items))
        if name == "object" and len(args) == 1 and isinstance(args[0], ast.ObjectCons):
            attributes: dict[str, TypeConstraint] = {}
            optional: set[str] = set()
            defaults: dict[str, Any] = {}
            for item in args[0].items:
                if not (isinstance(item.key, ast.Literal) and isinstance(item.key.value, str)):
                    raise TypeSyntaxError(
                        "an object type's attribute names must be plain names", item.key.range
                    )
                value = item.value
                if (
                    isinstance(value, ast.FunctionCall)
                    and value.name == "optional"
                    and value.arguments
                ):
                    optional.add(item.key.value)
                    if len(value.arguments) == 2:
                        default = value.arguments[1]
                        if not isinstance(default, ast.Literal):
                            raise TypeSyntaxError(
                                "an optional attribute's default must be a literal", default.range
                            )
                        defaults[item.key.value] = default.value
                    value = value.arguments[0]
                attributes[item.key.value] = type_from_expression(value)
            return ObjectType(attributes, frozenset(optional), defaults)
        if name in ("list", "set", "map", "tuple", "object"):
            raise TypeSyntaxError(f"{name}(...) takes one type argument; {_HINT}", expression.range)
    range = getattr(expression, "range", None)
    written = None
    if isinstance(expression, ast.Variable):
        written, range = expression.name, expression.range
    elif isinstance(expression, ast.FunctionCall):
        written, range = expression.name, expression.name_range
    if written is not None:
        import difflib

        names = [*_PRIMITIVES, "list", "set", "map", "tuple", "object"]
        close = difflib.get_close_matches(written, names, n=1, cutoff=0.7)
        if close:
            raise TypeSyntaxError(f'"{written}" is not a type; did you mean "{close[0]}"?', range)
    raise TypeSyntaxError(f"this is not a type; {_HINT}", range)
