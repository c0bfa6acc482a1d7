"""Type conversion functions, with Terraform's rules: numbers and bools convert to strings,
strings that spell a number or "true"/"false" convert back; null stays null."""

from __future__ import annotations

from typing import Any

from mlform.language.functions._common import (
    FunctionContext,
    Number,
    describe,
    fail,
    function,
    make_set,
    number_to_string,
    parse_number,
    unify,
)
from mlform.language.values import is_number


@function(
    "tostring",
    1,
    1,
    "tostring(value)",
    'Converts a string, number or bool to a string (5 is "5", true is "true"); null stays null.',
)
def _tostring(ctx: FunctionContext, value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        text = number_to_string(value)
        if text is None:
            raise fail("tostring", "argument 1 is a number that cannot be written as a string", 0)
        return text
    raise fail("tostring", f"cannot convert {describe(value)} to a string", 0)


@function(
    "tonumber",
    1,
    1,
    "tonumber(value)",
    'Converts a number or a string that spells a number ("12", "-1.5", "1e3") to a number.',
)
def _tonumber(ctx: FunctionContext, value: Any) -> Number | None:
    if value is None:
        return None
    if is_number(value):
        return value
    if isinstance(value, str):
        number = parse_number(value)
        if number is None:
            raise fail(
                "tonumber",
                "cannot convert the string to a number: it must be a decimal number "
                'such as "12", "-1.5" or "1e3"',
                0,
            )
        return number
    raise fail("tonumber", f"cannot convert {describe(value)} to a number", 0)


@function(
    "tobool",
    1,
    1,
    "tobool(value)",
    'Converts a bool or the string "true" or "false" to a bool.',
)
def _tobool(ctx: FunctionContext, value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value == "true":
            return True
        if value == "false":
            return False
        raise fail("tobool", 'cannot convert the string to a bool: only "true" and "false" can', 0)
    raise fail("tobool", f"cannot convert {describe(value)} to a bool", 0)


def _elements(fn: str, value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise fail(fn, f"cannot convert {describe(value)} to {what}", 0)
    unified = unify(value)
    if unified is None:
        raise fail(
            fn,
            f"cannot convert to {what}: the elements must all be of one type "
            "(strings, numbers and bools mix as strings)",
            0,
        )
    return unified


@function(
    "tolist",
    1,
    1,
    "tolist(value)",
    "Converts a list, tuple or set to a list whose elements have one type.",
)
def _tolist(ctx: FunctionContext, value: Any) -> list[Any] | None:
    if value is None:
        return None
    return _elements("tolist", value, "a list")


@function(
    "toset",
    1,
    1,
    "toset(value)",
    "Converts a list to a set: duplicates removed, sorted when the elements are strings, "
    "numbers or bools.",
)
def _toset(ctx: FunctionContext, value: Any) -> list[Any] | None:
    if value is None:
        return None
    return make_set(_elements("toset", value, "a set"))


@function(
    "tomap",
    1,
    1,
    "tomap(value)",
    "Converts an object to a map whose values have one type.",
)
def _tomap(ctx: FunctionContext, value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise fail("tomap", f"cannot convert {describe(value)} to a map", 0)
    names = sorted(value)
    unified = unify([value[k] for k in names])
    if unified is None:
        raise fail(
            "tomap",
            "cannot convert to a map: the values must all be of one type "
            "(strings, numbers and bools mix as strings)",
            0,
        )
    return dict(zip(names, unified, strict=True))
