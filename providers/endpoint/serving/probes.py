"""Rows that exercise every step of a fitted transform: each known category, an unseen one,
missing values, fill values, bucket boundaries and the numbers around them. `Pipeline.build`
runs them through the fast and the reference routes and compares the answers."""

from __future__ import annotations

import itertools
import math
from typing import Any

from providers.split.transform import FittedTransform
from providers.split.transform_categorical import OneHot, Vocabulary
from providers.split.transform_column import FittedColumn
from providers.split.transform_numeric import Bucketize, Normalize, Standardize
from providers.split.transform_values import Kind

MOST_ROWS = 64
NUMBERS = (0, 1, -0.5, 2.5, 3, 17.25, 1000.0, -3, 0.1)


def probe_rows(transform: FittedTransform) -> list[dict[str, Any]]:
    candidates = {c.name: _values(c) for c in transform.columns if c.feature}
    if not candidates:
        return [{}]
    count = min(MOST_ROWS, max(len(values) for values in candidates.values()))
    cycles = {name: itertools.cycle(values) for name, values in candidates.items()}
    return [{name: next(cycle) for name, cycle in cycles.items()} for _ in range(count)]


def _values(column: FittedColumn) -> list[Any]:
    found: list[Any] = [None]
    if column.fill is not None and column.fill.value is not None:
        found.append(column.fill.value)
    encoder = column.encoder
    if isinstance(encoder, OneHot):
        found += list(encoder.categories)
    elif isinstance(encoder, Vocabulary):
        found += [value for value in encoder.values if value is not None]
    if isinstance(encoder, Standardize):
        found += [encoder.mean, encoder.mean + encoder.std, encoder.mean - 2 * encoder.std]
    elif isinstance(encoder, Normalize):
        found += [encoder.minimum, encoder.maximum, (encoder.minimum + encoder.maximum) / 2]
    elif isinstance(encoder, Bucketize):
        for edge in encoder.boundaries:
            found += [edge, edge - 0.5, edge + 0.5]
    if column.clip is not None:
        found += [b for b in (column.clip.minimum, column.clip.maximum) if b is not None]
    found += _unseen(column.kind)
    return [value for value in dict.fromkeys(_typed(column.kind, v) for v in found)]


def _unseen(kind: Kind) -> list[Any]:
    if kind is Kind.STRING:
        return ["__probe_unseen__", ""]
    if kind is Kind.BOOL:
        return [True, False]
    if kind is Kind.INTEGER:
        return [0, 1, 7, -3, 123456]
    return list(NUMBERS)


def _typed(kind: Kind, value: Any) -> Any:
    """The value as a client of a column of this kind sends it (JSON types)."""
    if value is None:
        return None
    if kind is Kind.STRING:
        return value if isinstance(value, str) else str(value)
    if kind is Kind.BOOL:
        return bool(value)
    if kind is Kind.INTEGER:
        return int(value) if isinstance(value, int | float) and math.isfinite(value) else 0
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else 0.0
