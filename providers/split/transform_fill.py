"""Filling missing values: the value is fitted on the train part, then used everywhere.

ffill and bfill fill from the previous (next) row within the table being transformed, in row
order. A gap they cannot fill, at the start (ffill) or the end (bfill) of a table, takes the
fallback fitted on train: its last (ffill) or first (bfill) value that is not missing. At
serving time the rows of a request are independent, so every missing value takes the fallback.

drop_rows is not done here: the transform removes those rows before anything else is fitted
or applied, so that they shape no statistic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from providers.split.transform_values import FitError, Kind, json_scalar, kind_of


@dataclass(frozen=True)
class Fill:
    """A fitted fill: its method and the value missing entries become (None for drop_rows).

    For a column that holds neither numbers nor strings (dates, timestamps), the value is
    kept as text and cast back to the column's type when used.
    """

    method: str
    value: Any = None

    @classmethod
    def fit_numbers(cls, column: str, method: str, constant: Any, x: np.ndarray) -> Fill:
        """The fill of a column transformed as float64 numbers (NaN: missing)."""
        if method == "drop_rows":
            return cls(method)
        if method == "constant":
            return cls(method, json_scalar(constant))
        missing = np.isnan(x)
        valid = x[~missing] if missing.any() else x
        if valid.size == 0:
            raise FitError(_no_values(column, method))
        if method == "mean":
            value = np.mean(valid)
        elif method == "median":
            value = np.median(valid)
        elif method == "mode":
            value = _mode(pa.array(valid))
        elif method == "min":
            value = np.min(valid)
        elif method == "max":
            value = np.max(valid)
        elif method == "ffill":
            value = valid[-1]
        elif method == "bfill":
            value = valid[0]
        else:
            raise ValueError(f"unknown fill method {method!r}")
        return cls(method, float(value))

    @classmethod
    def fit_values(
        cls, column: str, method: str, constant: Any, array: pa.Array, kind: Kind
    ) -> Fill:
        """The fill of a column kept in its own type: categories, or a column passed through
        beside the features. `array` holds nulls for missing values (NaN included)."""
        if method == "drop_rows":
            return cls(method)
        if method == "constant":
            value = constant
        else:
            valid = array.drop_null()
            if len(valid) == 0:
                raise FitError(_no_values(column, method))
            if method in ("mean", "median"):
                numbers = np.asarray(valid.cast(pa.float64(), safe=False).to_numpy())
                value = float(np.mean(numbers) if method == "mean" else np.median(numbers))
            elif method == "mode":
                value = _mode(valid)
            elif method in ("min", "max"):
                value = pc.min_max(valid)[method].as_py()
            else:
                value = valid[-1 if method == "ffill" else 0].as_py()
        return cls(method, _fitting(column, method, value, array.type, kind))

    def numbers(self, x: np.ndarray, *, serving: bool = False) -> np.ndarray:
        """Fills float64 numbers; NaN is missing."""
        if self.method == "drop_rows":
            return x
        missing = np.isnan(x)
        if not missing.any():
            return x
        if not serving and self.method in ("ffill", "bfill"):
            forward = self.method == "ffill"
            x = _forward(x, missing) if forward else _forward(x[::-1], missing[::-1])[::-1]
            missing = np.isnan(x)
        return np.where(missing, float(self.value), x)

    def values(self, array: pa.Array) -> pa.Array:
        """Fills an Arrow array whose missing values are nulls, keeping its type."""
        if self.method == "drop_rows" or array.null_count == 0:
            return array
        if self.method == "ffill":
            array = pc.fill_null_forward(array)
        elif self.method == "bfill":
            array = pc.fill_null_backward(array)
        if array.null_count == 0:
            return array
        return array.fill_null(_scalar(self.value, array.type))

    def row_values(self, values: list[Any]) -> list[Any]:
        """Fills the values of one column at serving time (None: missing)."""
        if self.method == "drop_rows":
            return values
        return [self.value if value is None else value for value in values]

    def statistics(self) -> dict[str, Any]:
        if self.method == "drop_rows":
            return {"fill": self.method}
        name = "fallback" if self.method in ("ffill", "bfill") else "fill_value"
        return {"fill": self.method, name: self.value}

    def to_json(self) -> dict[str, Any]:
        return {"method": self.method, "value": self.value}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fill:
        return cls(data["method"], data.get("value"))


def _mode(valid: pa.Array) -> Any:
    """The most frequent value; the smallest of them on a tie (as SimpleImputer)."""
    counted = pc.value_counts(valid)
    counts = counted.field("counts")
    tied = counted.field("values").filter(pc.equal(counts, pc.max(counts)))
    return pc.min(tied).as_py()


def _forward(x: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """Each missing value replaced by the last value before it; NaN where there is none."""
    index = np.where(missing, 0, np.arange(len(x)))
    np.maximum.accumulate(index, out=index)
    return x[index]


def _fitting(column: str, method: str, value: Any, data_type: pa.DataType, kind: Kind) -> Any:
    """The fill value as JSON, checked to fit the column it fills without changing its type."""
    if kind is Kind.OTHER:
        value = pa.scalar(value, data_type).cast(pa.string()).as_py()
    elif kind is Kind.INTEGER and isinstance(value, float):
        if not value.is_integer():
            raise FitError(
                f'fill "{method}" gives {value} for column "{column}", which holds integers '
                'and is kept as it is; use "mode", "min", "max" or "constant"'
            )
        value = int(value)
    try:
        _scalar(value, data_type)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as error:
        raise FitError(
            f'fill "{method}" gives {value!r}, which column "{column}" ({data_type}) cannot '
            'hold; use "drop_rows"'
        ) from error
    return json_scalar(value)


def _scalar(value: Any, data_type: pa.DataType) -> pa.Scalar:
    """The fill value in the column's type: dates and the like are kept as text, and a
    decimal column takes a float rounded to its scale."""
    if kind_of(data_type) is Kind.OTHER or pa.types.is_decimal(data_type):
        return pa.scalar(value).cast(data_type)
    return pa.scalar(value, data_type)


def _no_values(column: str, method: str) -> str:
    what = {"ffill": "carry forward", "bfill": "carry backward"}.get(
        method, f"take the {method} of"
    )
    return (
        f'column "{column}" has no values in the train part to {what}; fill it with '
        '"constant", or check the dataset and the split'
    )
