"""Served rows, one column at a time: the values a client sent (JSON: None or a missing key
is a missing value), checked against the column's type and turned into what the column's
steps take, the same values a part's Arrow column gives them."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from providers.split.transform_values import Kind, ServingError


def numbers_of(column: str, kind: Kind, values: list[Any]) -> np.ndarray:
    """float64 numbers (NaN: missing) for a column transformed as numbers."""
    return np.array([_number(column, kind, row, value) for row, value in enumerate(values)])


def categories_of(column: str, kind: Kind, values: list[Any]) -> list[Any]:
    """The values of a column encoded as categories, as the Arrow column's to_pylist gives
    them: str, int or bool, None for missing."""
    return [_category(column, kind, row, value) for row, value in enumerate(values)]


def _number(column: str, kind: Kind, row: int, value: Any) -> float:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    if kind is Kind.BOOL:
        if isinstance(value, bool) or (isinstance(value, int | float) and value in (0, 1)):
            return float(value)
        raise _wrong(column, row, value, "true or false")
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            pass
    raise _wrong(column, row, value, "a number")


def _category(column: str, kind: Kind, row: int, value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if kind is Kind.STRING:
        if isinstance(value, str):
            return value
        raise _wrong(column, row, value, "a string")
    if kind is Kind.BOOL:
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        raise _wrong(column, row, value, "true or false")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise _wrong(column, row, value, "a whole number")


def _wrong(column: str, row: int, value: Any, wanted: str) -> ServingError:
    return ServingError(f'row {row}: column "{column}" expects {wanted}, not {shown(value)}')


def shown(value: Any) -> str:
    """A value as the client wrote it, shortened."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=True)
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: show it escaped
        text = json.dumps(value, allow_nan=True)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
