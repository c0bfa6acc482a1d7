"""Values of the language, and the two marks a value can carry.

HCL values are plain Python values: `str`, `int` and `float` (numbers), `bool`, `None`
(null), `list` (tuples, lists and sets) and `dict` (objects and maps, string keys).

Two marks travel with them:

- `UNKNOWN`: a value that will only be known after apply (a resource output that will
  change). Any operation on an unknown gives an unknown.
- `Sensitive(value)`: a value that must never be printed. Anything computed from a
  sensitive value is sensitive; collections keep the mark on the element it belongs to.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final


class Unknown:
    """The value of something known only after apply; a singleton."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "(known after apply)"

    def __bool__(self) -> bool:
        raise TypeError("an unknown value has no truth value; check is_unknown() first")


UNKNOWN: Final = Unknown()


@dataclass(frozen=True)
class Sensitive:
    """A value that is shown as `(sensitive value)` wherever mlform prints it."""

    value: Any

    def __repr__(self) -> str:
        return "(sensitive value)"


def is_unknown(value: Any) -> bool:
    if isinstance(value, Sensitive):
        value = value.value
    return value is UNKNOWN


def contains_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, Sensitive):
        return contains_unknown(value.value)
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    return False


def contains_sensitive(value: Any) -> bool:
    if isinstance(value, Sensitive):
        return True
    if isinstance(value, list):
        return any(contains_sensitive(v) for v in value)
    if isinstance(value, dict):
        return any(contains_sensitive(v) for v in value.values())
    return False


def unmark(value: Any) -> tuple[Any, bool]:
    """The value without sensitive marks, and whether any mark was removed."""
    if isinstance(value, Sensitive):
        inner, _ = unmark(value.value)
        return inner, True
    if isinstance(value, list):
        found = False
        items = []
        for v in value:
            inner, marked = unmark(v)
            items.append(inner)
            found = found or marked
        return items, found
    if isinstance(value, dict):
        found = False
        mapping = {}
        for k, v in value.items():
            inner, marked = unmark(v)
            mapping[k] = inner
            found = found or marked
        return mapping, found
    return value, False


def mark(value: Any, sensitive: bool) -> Any:
    """Wrap `value` as sensitive when `sensitive` is true (never twice)."""
    if not sensitive or isinstance(value, Sensitive):
        return value
    return Sensitive(value)


def normalize_number(value: int | float) -> int | float:
    """HCL has one number type: integral floats become ints so `10 / 2` prints as `5`."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return value


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def with_article(word: str) -> str:
    """`a number`, `an object`: a noun for messages."""
    return ("an " if word[:1] in "aeiou" else "a ") + word


def type_name(value: Any) -> str:
    """The HCL type name of a value, for messages."""
    if isinstance(value, Sensitive):
        return type_name(value.value)
    if value is UNKNOWN:
        return "unknown"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def render(value: Any) -> str:
    """A value in HCL syntax, with the marks shown the way plans show them."""
    if isinstance(value, Sensitive):
        return "(sensitive value)"
    if value is UNKNOWN:
        return "(known after apply)"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isinf(value) or math.isnan(value):
            return repr(value)
        return repr(normalize_number(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, list):
        return "[" + ", ".join(render(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = ", ".join(f"{_key(k)} = {render(v)}" for k, v in value.items())
        return "{ " + items + " }"
    return repr(value)


def quote(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
        .replace("${", "$${")
        .replace("%{", "%%{")
    )
    return f'"{escaped}"'


def _key(key: str) -> str:
    if key and (key[0].isalpha() or key[0] == "_") and all(c.isalnum() or c in "_-" for c in key):
        return key
    return quote(key)
