"""Numeric functions."""

from __future__ import annotations

import math
from typing import Any

from mlform.language.functions._common import (
    FunctionContext,
    Number,
    fail,
    finite_arg,
    function,
    int_arg,
    num,
    num_arg,
    str_arg,
)

MAX_RESULT_BITS = 12_000  # an exact integer result larger than this becomes a float


@function("abs", 1, 1, "abs(number)", "The absolute value of the number.")
def _abs(ctx: FunctionContext, value: Any) -> Number:
    return num(abs(num_arg("abs", 0, value)))


@function("ceil", 1, 1, "ceil(number)", "The smallest whole number greater than or equal.")
def _ceil(ctx: FunctionContext, value: Any) -> Number:
    number = finite_arg("ceil", 0, value)
    return number if isinstance(number, int) else math.ceil(number)


@function("floor", 1, 1, "floor(number)", "The largest whole number less than or equal.")
def _floor(ctx: FunctionContext, value: Any) -> Number:
    number = finite_arg("floor", 0, value)
    return number if isinstance(number, int) else math.floor(number)


@function("log", 2, 2, "log(number, base)", "The logarithm of the number in the given base.")
def _log(ctx: FunctionContext, value: Any, base: Any) -> Number:
    number = finite_arg("log", 0, value)
    radix = finite_arg("log", 1, base)
    if number <= 0:
        raise fail("log", "argument 1 must be greater than zero", 0)
    if radix <= 0 or radix == 1:
        raise fail("log", "argument 2 must be greater than zero and not 1", 1)
    if radix == 10:
        return num(math.log10(number))
    if radix == 2:
        return num(math.log2(number))
    return num(math.log(number) / math.log(radix))


@function("pow", 2, 2, "pow(base, exponent)", "The base raised to the power of the exponent.")
def _pow(ctx: FunctionContext, base: Any, exponent: Any) -> Number:
    b = finite_arg("pow", 0, base)
    e = finite_arg("pow", 1, exponent)
    if isinstance(b, int) and isinstance(e, int) and e >= 0:
        size = abs(b).bit_length() * e
        if size <= MAX_RESULT_BITS or abs(b) <= 1:
            return num(b**e)
    if b == 0 and e < 0:
        raise fail("pow", "zero cannot be raised to a negative power")
    if b < 0 and not float(e).is_integer():
        raise fail(
            "pow", "a negative base needs a whole exponent (the result is not a real number)"
        )
    try:
        result = math.pow(float(b), float(e))
    except OverflowError:
        raise fail("pow", "the result is too large") from None
    except ValueError:
        raise fail("pow", "the result is not a real number") from None
    if math.isinf(result):
        raise fail("pow", "the result is too large")
    return num(result)


@function("signum", 1, 1, "signum(number)", "-1, 0 or 1: the sign of the number.")
def _signum(ctx: FunctionContext, value: Any) -> int:
    number = num_arg("signum", 0, value)
    if isinstance(number, float) and math.isnan(number):
        raise fail("signum", "argument 1 must be a number, got NaN", 0)
    return (number > 0) - (number < 0)


def _extreme(fn: str, values: tuple[Any, ...], pick: Any) -> Number:
    numbers = [num_arg(fn, index, value) for index, value in enumerate(values)]
    if not numbers:
        raise fail(fn, "at least one number is required")
    return num(pick(numbers))


@function("max", 1, None, "max(number, ...)", "The greatest of the numbers.")
def _max(ctx: FunctionContext, *values: Any) -> Number:
    return _extreme("max", values, max)


@function("min", 1, None, "min(number, ...)", "The smallest of the numbers.")
def _min(ctx: FunctionContext, *values: Any) -> Number:
    return _extreme("min", values, min)


def _digit_value(ch: str, base: int) -> int:
    if "0" <= ch <= "9":
        value = ord(ch) - ord("0")
    elif "a" <= ch <= "z":
        value = ord(ch) - ord("a") + 10
    elif "A" <= ch <= "Z":
        value = ord(ch) - ord("A") + (10 if base <= 36 else 36)
    else:
        return -1
    return value if value < base else -1


@function(
    "parseint",
    2,
    2,
    "parseint(string, base)",
    "Parses the string as an integer in the given base (2 to 62; letters are digits past 9).",
)
def _parseint(ctx: FunctionContext, text: Any, base: Any) -> int:
    source = str_arg("parseint", 0, text)
    radix = int_arg("parseint", 1, base)
    if not 2 <= radix <= 62:
        raise fail("parseint", "argument 2 must be a whole number from 2 to 62", 1)
    body = source[1:] if source[:1] in "+-" else source
    if not body:
        raise fail("parseint", f"argument 1 is not a valid base {radix} integer", 0)
    if len(body) > 20_000:
        raise fail("parseint", "argument 1 is too long", 0)
    value = 0
    for ch in body:
        digit = _digit_value(ch, radix)
        if digit < 0:
            raise fail("parseint", f"argument 1 is not a valid base {radix} integer", 0)
        value = value * radix + digit
    return -value if source.startswith("-") else value
