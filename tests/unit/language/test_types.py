"""Type constraints: reading them from expressions, and Terraform's conversion rules."""

from __future__ import annotations

from typing import Any

import pytest

from mlform.language.syntax import parse_file
from mlform.language.types import (
    ANY,
    BOOL,
    NUMBER,
    STRING,
    ListType,
    MapType,
    ObjectType,
    TupleType,
    TypeConstraint,
    TypeMismatch,
    TypeSyntaxError,
    type_from_expression,
)
from mlform.language.values import UNKNOWN, Sensitive


def read(text: str) -> TypeConstraint:
    file, diagnostics = parse_file(f"type = {text}\n", "main.mlf.hcl")
    assert not diagnostics
    return type_from_expression(file.body.attributes["type"].expression)


TYPES = [
    # (written, read back with str(), described in messages)
    ("string", "string", "a string"),
    ("number", "number", "a number"),
    ("bool", "bool", "a bool"),
    ("any", "any", "any value"),
    ("(number)", "number", "a number"),
    ("list(string)", "list(string)", "a list of string"),
    ("set(number)", "set(number)", "a set of number"),
    ("map(list(bool))", "map(list(bool))", "a map of list(bool)"),
    ("tuple([string, number])", "tuple([string, number])", "a tuple([string, number])"),
    ("object({ a = string })", "object({a = string})", "an object"),
    (
        "object({ a = string, b = optional(number, 2), c = optional(list(string)) })",
        "object({a = string, b = optional(number, 2), c = optional(list(string))})",
        "an object",
    ),
    (
        "list(object({ name = string }))",
        "list(object({name = string}))",
        "a list of object({name = string})",
    ),
]


@pytest.mark.parametrize(("text", "shown", "described"), TYPES)
def test_type_expressions(text: str, shown: str, described: str) -> None:
    constraint = read(text)
    assert str(constraint) == shown
    assert constraint.describe() == described


TYPE_ERRORS = [
    ('"string"', "a type is written without quotes: string"),
    ("strng", 'did you mean "string"?'),
    ("lst(string)", 'did you mean "list"?'),
    ("list(string, number)", "list(...) takes one type argument"),
    ("tuple(string)", "tuple(...) takes one type argument"),
    ('object({ ("a") = string })', "attribute names must be plain names"),
    (
        "object({ a = optional(number, var.x) })",
        "an optional attribute's default must be a literal",
    ),
    ("1", "this is not a type"),
    ("whatever", "this is not a type"),
]


@pytest.mark.parametrize(("text", "fragment"), TYPE_ERRORS)
def test_type_syntax_errors(text: str, fragment: str) -> None:
    with pytest.raises(TypeSyntaxError) as error:
        read(text)
    assert fragment in error.value.message
    assert error.value.range is not None and error.value.range.line == 1


SETS = ListType(STRING, "set")
SETTINGS = ObjectType(
    {"a": STRING, "b": NUMBER, "c": ListType(STRING)},
    optional=frozenset({"b", "c"}),
    defaults={"b": 2},
)

CONVERSIONS: list[tuple[TypeConstraint, Any, Any]] = [
    (STRING, "x", "x"),
    (STRING, 10, "10"),
    (STRING, 1.5, "1.5"),
    (STRING, True, "true"),
    (NUMBER, 5, 5),
    (NUMBER, "5", 5),
    (NUMBER, " 5 ", 5),
    (NUMBER, "-1.5", -1.5),
    (NUMBER, "1e3", 1000),
    (NUMBER, "2.0", 2),
    (BOOL, True, True),
    (BOOL, "false", False),
    (ANY, {"a": [1]}, {"a": [1]}),
    (ListType(NUMBER), ["1", 2], [1, 2]),
    (SETS, ["b", "a", "b"], ["a", "b"]),  # unique and sorted
    (MapType(NUMBER), {"a": "1"}, {"a": 1}),
    (TupleType((STRING, BOOL)), [1, "true"], ["1", True]),
    (SETTINGS, {"a": 1}, {"a": "1", "b": 2, "c": None}),  # defaults for optional attributes
    (SETTINGS, {"a": "x", "b": 7, "extra": 1}, {"a": "x", "b": 7, "c": None}),  # extra ones dropped
    (ListType(MapType(NUMBER)), [{"k": "1"}], [{"k": 1}]),
    # null and unknown pass through every type; a sensitive value stays sensitive
    (NUMBER, None, None),
    (ListType(STRING), None, None),
    (NUMBER, UNKNOWN, UNKNOWN),
    (NUMBER, Sensitive("3"), Sensitive(3)),
]


@pytest.mark.parametrize(("constraint", "value", "expected"), CONVERSIONS)
def test_conversions(constraint: TypeConstraint, value: Any, expected: Any) -> None:
    converted = constraint.convert(value)
    assert converted == expected
    assert type(converted) is type(expected)


MISMATCHES: list[tuple[TypeConstraint, Any, str, str]] = [
    # (type, value, message fragment, path)
    (NUMBER, "abc", 'cannot convert "abc" to a number', ""),
    (NUMBER, "1_000", 'cannot convert "1_000" to a number', ""),  # Python would take it
    (NUMBER, "1e999", 'cannot convert "1e999" to a number', ""),  # not finite
    (NUMBER, "nan", "cannot convert", ""),
    (NUMBER, "0x10", "cannot convert", ""),
    (NUMBER, "\uff15", "cannot convert", ""),  # a fullwidth digit five
    (NUMBER, True, "a number is required, got a bool", ""),
    (NUMBER, [1], "a number is required, got a list", ""),
    (STRING, [1], "a string is required, got a list", ""),
    (STRING, {"a": 1}, "a string is required, got an object", ""),
    (BOOL, 1, "a bool is required, got a number", ""),
    (BOOL, "yes", "a bool is required, got a string", ""),
    (ListType(STRING), "abc", "a list of string is required, got a string", ""),
    (ListType(NUMBER), [1, "x"], 'cannot convert "x" to a number', "[1]"),
    (MapType(ListType(NUMBER)), {"k": [1, "x"]}, "cannot convert", '["k"][1]'),
    (MapType(NUMBER), [1], "a map of number is required, got a list", ""),
    (
        TupleType((STRING,)),
        ["a", "b"],
        "a tuple of 1 element is required, got a list of 2 elements",
        "",
    ),
    (TupleType((STRING, NUMBER)), "a", "a tuple of 2 elements is required, got a string", ""),
    (SETTINGS, {"b": 1}, 'attribute "a" is required', ""),
    (SETTINGS, "a", "an object is required, got a string", ""),
    (ObjectType({"a": ObjectType({"b": NUMBER})}), {"a": {"b": "x"}}, "cannot convert", "a.b"),
]


@pytest.mark.parametrize(("constraint", "value", "fragment", "path"), MISMATCHES)
def test_mismatches_say_where(
    constraint: TypeConstraint, value: Any, fragment: str, path: str
) -> None:
    with pytest.raises(TypeMismatch) as error:
        constraint.convert(value)
    assert fragment in error.value.message
    assert error.value.path == path
    assert str(error.value) == (f"{path}: {error.value.message}" if path else error.value.message)


def test_types_compare_and_hash_as_values() -> None:
    assert read("list(string)") == ListType(STRING)
    assert read("set(string)") != ListType(STRING)
    assert hash(read("map(number)")) == hash(MapType(NUMBER))
