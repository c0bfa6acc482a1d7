"""Shared helpers of the standard library: registration with a safety net, argument checking
with Terraform's automatic conversions, number <-> string conversion, value equality, sets,
and an approximation of grapheme clusters (what Terraform calls a character).

Error messages never quote the value of an argument (it may have been sensitive before the
evaluator removed the mark); they name the argument and the kind of value found.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from mlform.language.functions import FunctionContext, FunctionError, register
from mlform.language.values import is_number, normalize_number, type_name, with_article

Number = int | float


# --- registration ---------------------------------------------------------------------------


def function(
    name: str, min_args: int, max_args: int | None, signature: str, description: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `impl` under `name`, wrapped so that only `FunctionError` can escape it."""

    def decorate(impl: Callable[..., Any]) -> Callable[..., Any]:
        register(name, min_args, max_args, signature, description)(_guard(name, impl))
        return impl

    return decorate


def _guard(name: str, impl: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(impl)
    def call(ctx: FunctionContext, *args: Any) -> Any:
        try:
            return impl(ctx, *args)
        except FunctionError:
            raise
        except RecursionError:
            raise FunctionError(f"{name}: a value is nested too deeply to process") from None
        except (OverflowError, MemoryError):
            raise FunctionError(f"{name}: a value is too large to process") from None
        except Exception as exc:
            # A bug in the function: reported as an error of the call rather than a crash.
            # The exception's text is left out, as it may quote a sensitive argument.
            raise FunctionError(
                f"{name}: internal error ({type(exc).__name__}); please report this"
            ) from exc

    return call


# --- messages -------------------------------------------------------------------------------


def describe(value: Any) -> str:
    """A value's kind for messages: "a string", "null", ... (never the value itself)."""
    name = type_name(value)
    return name if name == "null" else with_article(name)


def fail(fn: str, message: str, argument: int | None = None) -> FunctionError:
    return FunctionError(f"{fn}: {message}", argument)


def wrong(fn: str, index: int, expected: str, value: Any, detail: str = "") -> FunctionError:
    """`fn: argument N must be EXPECTED, got KIND`; `index` is 0-based."""
    got = describe(value)
    if detail:
        got = f"{got} ({detail})"
    return fail(fn, f"argument {index + 1} must be {expected}, got {got}", index)


# --- numbers and strings --------------------------------------------------------------------

_MAX_EXPONENT = 400  # beyond this a decimal is out of the range of a float


def num(value: Number | Fraction) -> Number:
    """A result number, normalized; an exact fraction becomes the nearest float."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return normalize_number(int(value))
        return normalize_number(float(value))
    return normalize_number(value)


def exact(value: Number) -> Fraction:
    """The decimal value a number was written as (0.1 is one tenth, not its binary value)."""
    if isinstance(value, int):
        return Fraction(value)
    return Fraction(Decimal(repr(value)))


def number_to_string(value: Number) -> str | None:
    """Terraform's number formatting: all digits, never an exponent. None if impossible."""
    value = normalize_number(value)
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:  # more digits than Python converts
            return None
    if not math.isfinite(value):
        return None
    return format(Decimal(repr(value)), "f")


_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def parse_number(text: str) -> Number | None:
    """A decimal number written as text ("12", "-1.5", "1e3"), or None."""
    if not text or len(text) > 4000 or not _DECIMAL.fullmatch(text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if value.is_zero():
        return 0
    if value.adjusted() > _MAX_EXPONENT:
        return None
    if value.adjusted() < -_MAX_EXPONENT:
        return normalize_number(float(value))
    if value == value.to_integral_value():
        return int(value)
    return normalize_number(float(value))


def to_string(value: Any) -> str | None:
    """Terraform's automatic conversion to string: strings, numbers and bools; else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return number_to_string(value)
    return None


def to_number(value: Any) -> Number | None:
    if isinstance(value, bool):
        return None
    if is_number(value):
        return value
    if isinstance(value, str):
        return parse_number(value)
    return None


def to_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value == "true" and isinstance(value, str):
        return True
    if value == "false" and isinstance(value, str):
        return False
    return None


# --- arguments ------------------------------------------------------------------------------


def str_arg(fn: str, index: int, value: Any) -> str:
    text = to_string(value)
    if text is None:
        raise wrong(fn, index, "a string", value)
    return text


def num_arg(fn: str, index: int, value: Any) -> Number:
    number = to_number(value)
    if number is None:
        detail = "not a valid number" if isinstance(value, str) else ""
        raise wrong(fn, index, "a number", value, detail)
    return number


def finite_arg(fn: str, index: int, value: Any) -> Number:
    number = num_arg(fn, index, value)
    if isinstance(number, float) and not math.isfinite(number):
        raise fail(fn, f"argument {index + 1} must be a finite number", index)
    return number


def int_arg(fn: str, index: int, value: Any) -> int:
    number = num_arg(fn, index, value)
    if isinstance(number, float):
        if not math.isfinite(number) or not number.is_integer():
            raise fail(fn, f"argument {index + 1} must be a whole number", index)
        return int(number)
    return number


def bool_arg(fn: str, index: int, value: Any) -> bool:
    flag = to_bool(value)
    if flag is None:
        raise wrong(fn, index, "a bool", value)
    return flag


def list_arg(fn: str, index: int, value: Any, what: str = "a list") -> list[Any]:
    if not isinstance(value, list):
        raise wrong(fn, index, what, value)
    return value


def map_arg(fn: str, index: int, value: Any, what: str = "a map") -> dict[str, Any]:
    if not isinstance(value, dict):
        raise wrong(fn, index, what, value)
    return value


def str_list_arg(fn: str, index: int, value: Any, allow_null: bool = False) -> list[Any]:
    """A list of strings (numbers and bools converted); null elements only if allowed."""
    items = list_arg(fn, index, value, "a list of strings")
    out: list[Any] = []
    for position, item in enumerate(items):
        if item is None and allow_null:
            out.append(None)
            continue
        text = to_string(item)
        if text is None:
            raise fail(
                fn,
                f"argument {index + 1} must be a list of strings, "
                f"but element {position} is {describe(item)}",
                index,
            )
        out.append(text)
    return out


def num_list_arg(fn: str, index: int, value: Any) -> list[Number]:
    items = list_arg(fn, index, value, "a list of numbers")
    out: list[Number] = []
    for position, item in enumerate(items):
        number = to_number(item)
        if number is None:
            raise fail(
                fn,
                f"argument {index + 1} must be a list of numbers, "
                f"but element {position} is {describe(item)}",
                index,
            )
        out.append(number)
    return out


def bool_list_arg(fn: str, index: int, value: Any) -> list[bool | None]:
    items = list_arg(fn, index, value, "a list of bools")
    out: list[bool | None] = []
    for position, item in enumerate(items):
        if item is None:
            out.append(None)
            continue
        flag = to_bool(item)
        if flag is None:
            raise fail(
                fn,
                f"argument {index + 1} must be a list of bools, "
                f"but element {position} is {describe(item)}",
                index,
            )
        out.append(flag)
    return out


# --- equality and sets ----------------------------------------------------------------------


def key(value: Any) -> Any:
    """A hashable key such that two values have equal keys exactly when they are equal in
    the language (1 and 1.0 are equal; true and 1 are not)."""
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("bool", value)
    if is_number(value):
        if isinstance(value, float) and math.isnan(value):
            return ("nan",)
        return ("number", value)
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, list):
        return ("list", tuple(key(v) for v in value))
    if isinstance(value, dict):
        return ("map", tuple(sorted((k, key(v)) for k, v in value.items())))
    return ("other", repr(value))


def equal(a: Any, b: Any) -> bool:
    return bool(key(a) == key(b))


def kind(value: Any) -> str:
    """The type name, with a dict called a map (as the collection functions speak of them)."""
    name = type_name(value)
    return "map" if name == "object" else name


PRIMITIVE_KINDS = frozenset({"string", "number", "bool"})


def unify(items: list[Any]) -> list[Any] | None:
    """Elements converted to one type as Terraform does for a list, set or map: a mix of
    strings, numbers and bools becomes strings. None when no single type fits (a mix of
    primitive and structural values, or of lists and maps)."""
    kinds = {kind(v) for v in items if v is not None}
    if len(kinds) <= 1:
        return list(items)
    if kinds <= PRIMITIVE_KINDS:
        out: list[Any] = []
        for v in items:
            if v is None:
                out.append(None)
                continue
            text = to_string(v)
            if text is None:
                return None
            out.append(text)
        return out
    return None


def make_set(items: list[Any]) -> list[Any]:
    """A set as the language represents it: a deduplicated list, sorted when its elements
    are all strings, all numbers or all bools (mixed primitives become strings)."""
    unified = unify(items)
    if unified is not None:
        items = unified
    seen: set[Any] = set()
    out: list[Any] = []
    for v in items:
        k = key(v)
        if k not in seen:
            seen.add(k)
            out.append(v)
    kinds = {kind(v) if v is not None else "null" for v in out}
    has_nan = any(isinstance(v, float) and math.isnan(v) for v in out)
    if kinds in ({"string"}, {"bool"}) or (kinds == {"number"} and not has_nan):
        out.sort()
    return out


# --- characters -----------------------------------------------------------------------------


def _extends(ch: str) -> bool:
    cp = ord(ch)
    if 0xFE00 <= cp <= 0xFE0F or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F:
        return True
    if cp == 0x200C:
        return True
    return unicodedata.category(ch) in ("Mn", "Me", "Mc")


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def graphemes(text: str) -> list[str]:
    """The user-perceived characters of `text`: an approximation of Unicode grapheme
    clusters (combining marks, variation selectors, emoji modifiers and zero-width-joiner
    sequences stay with their base character; CRLF and flag pairs are one character)."""
    if text.isascii() and "\r\n" not in text:
        return list(text)
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        first = text[i]
        j = i + 1
        if first == "\r" and j < n and text[j] == "\n":
            out.append("\r\n")
            i = j + 1
            continue
        if first in "\r\n" or unicodedata.category(first) == "Cc":
            out.append(first)
            i = j
            continue
        if _regional(first) and j < n and _regional(text[j]):
            j += 1
        while j < n:
            ch = text[j]
            if _extends(ch):
                j += 1
            elif ord(ch) == 0x200D:
                j += 2 if j + 1 < n and text[j + 1] not in "\r\n" else 1
            else:
                break
        j = min(j, n)
        out.append(text[i:j])
        i = j
    return out
