"""The steps that treat a column as float64 numbers: clip, log1p, and the numeric encodings
(standardize, normalize, bucketize, or none: the numbers as they are).

Missing values (NaN) stay NaN through clip, log1p and scaling, as in scikit-learn's scalers;
bucketize gives them a bucket of their own, after the last one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np

from providers.split.transform_values import FitError, json_number

FEW_BOUNDARIES = 16
"""Up to this many boundaries, bucketize compares a part's column with each of them."""
FEW_ROWS = 64
"""Up to this many rows (served ones), bucketize searches the boundaries instead."""


@dataclass(frozen=True)
class Clip:
    minimum: int | float | None = None
    maximum: int | float | None = None

    def apply(self, x: np.ndarray) -> np.ndarray:
        if self.minimum is None and self.maximum is None:
            return x
        return np.clip(x, self.minimum, self.maximum)

    def statistics(self) -> dict[str, Any]:
        found = {"clip_min": self.minimum, "clip_max": self.maximum}
        return {name: value for name, value in found.items() if value is not None}

    def to_json(self) -> dict[str, Any]:
        return {"min": self.minimum, "max": self.maximum}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Clip:
        return cls(data.get("min"), data.get("max"))


def below_log1p_domain(x: np.ndarray) -> float | None:
    """The first value log(1 + x) is undefined for (<= -1), or None."""
    bad = x <= -1
    if not bad.any():
        return None
    return float(x[np.argmax(bad)])


def log1p(x: np.ndarray) -> np.ndarray:
    return np.log1p(x)


@dataclass(frozen=True)
class Numbers:
    """The numbers as they are (float64, missing as NaN)."""

    step: ClassVar[str] = "none"

    @classmethod
    def fit(cls, column: str, x: np.ndarray, settings: dict[str, Any]) -> Numbers:
        return cls()

    def features(self, column: str) -> list[str]:
        return [column]

    def apply(self, x: np.ndarray) -> np.ndarray:
        return x

    @property
    def dtype(self) -> type:
        return np.float64

    def statistics(self) -> dict[str, Any]:
        return {}

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Numbers:
        return cls()


@dataclass(frozen=True)
class Standardize(Numbers):
    """z = (x - mean) / std, by the train part's mean and population standard deviation
    (ddof=0, as StandardScaler); a constant column has std 0 and scales by 1."""

    step: ClassVar[str] = "standardize"
    mean: float = 0.0
    std: float = 1.0

    @classmethod
    def fit(cls, column: str, x: np.ndarray, settings: dict[str, Any]) -> Standardize:
        valid = _valid(column, x, cls.step)
        low, high = np.min(valid), np.max(valid)
        if low == high:
            return cls(mean=float(low), std=0.0)
        return cls(mean=float(np.mean(valid)), std=float(np.std(valid)))

    def apply(self, x: np.ndarray) -> np.ndarray:
        result = x - self.mean
        result /= self.std if self.std > 0 else 1.0
        return result

    def statistics(self) -> dict[str, Any]:
        return {"mean": self.mean, "std": self.std}

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "mean": self.mean, "std": self.std}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Standardize:
        return cls(mean=data["mean"], std=data["std"])


@dataclass(frozen=True)
class Normalize(Numbers):
    """(x - min) / (max - min) by the train part's minimum and maximum; a constant column
    scales by 1, so its train values become 0 (as MinMaxScaler)."""

    step: ClassVar[str] = "normalize"
    minimum: float = 0.0
    maximum: float = 1.0

    @classmethod
    def fit(cls, column: str, x: np.ndarray, settings: dict[str, Any]) -> Normalize:
        valid = _valid(column, x, cls.step)
        return cls(minimum=float(np.min(valid)), maximum=float(np.max(valid)))

    def apply(self, x: np.ndarray) -> np.ndarray:
        span = self.maximum - self.minimum
        result = x - self.minimum
        result /= span if span > 0 else 1.0
        return result

    def statistics(self) -> dict[str, Any]:
        return {"min": self.minimum, "max": self.maximum}

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "min": self.minimum, "max": self.maximum}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Normalize:
        return cls(minimum=data["min"], maximum=data["max"])


@dataclass(frozen=True)
class Bucketize(Numbers):
    """The index of the bucket a value falls in: i where boundaries[i-1] <= x < boundaries[i]
    (numpy.digitize, right=False), 0..len(boundaries); missing values get len(boundaries) + 1.
    With `quantiles`, the boundaries are the train part's quantiles (numpy's default, linear
    method), duplicates removed."""

    step: ClassVar[str] = "bucketize"
    boundaries: tuple[int | float, ...] = ()

    @classmethod
    def fit(cls, column: str, x: np.ndarray, settings: dict[str, Any]) -> Bucketize:
        boundaries = settings.get("boundaries")
        if boundaries is not None:
            return cls(tuple(json_number(b) for b in boundaries))
        count = int(settings["quantiles"])
        valid = _valid(column, x, cls.step)
        cuts = np.quantile(valid, np.linspace(0, 1, count + 1)[1:-1])
        return cls(tuple(float(b) for b in np.unique(cuts)))

    @cached_property
    def _edges(self) -> np.ndarray:
        return np.asarray(self.boundaries, dtype=np.float64)

    @property
    def missing_bucket(self) -> int:
        return len(self.boundaries) + 1

    @property
    def dtype(self) -> type:
        return np.int64

    def apply(self, x: np.ndarray) -> np.ndarray:
        edges = self._edges
        if len(edges) > FEW_BOUNDARIES or len(x) <= FEW_ROWS:
            index = np.searchsorted(edges, x, side="right").astype(np.int64, copy=False)
        else:  # counting the boundaries at or below x gives the same index, 5 times faster
            counts = np.zeros(len(x), dtype=np.uint8)
            for edge in edges:
                counts += (x >= edge).view(np.uint8)
            index = counts.astype(np.int64)
        missing = np.isnan(x)
        if missing.any():
            index[missing] = self.missing_bucket
        return index

    def statistics(self) -> dict[str, Any]:
        return {
            "boundaries": list(self.boundaries),
            "buckets": len(self.boundaries) + 1,
            "missing_bucket": self.missing_bucket,
        }

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "boundaries": list(self.boundaries)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Bucketize:
        return cls(tuple(data["boundaries"]))


NUMERIC_ENCODERS: dict[str, type[Numbers]] = {
    encoder.step: encoder for encoder in (Numbers, Standardize, Normalize, Bucketize)
}


def _valid(column: str, x: np.ndarray, step: str) -> np.ndarray:
    missing = np.isnan(x)
    valid = x[~missing] if missing.any() else x
    if valid.size == 0:
        raise FitError(
            f'column "{column}" has no values in the train part for {step} to fit on; '
            "check the dataset and the split"
        )
    return valid
