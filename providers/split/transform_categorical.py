"""The encodings that treat a column's values as categories: one_hot, vocabulary and
hash_buckets, on strings, integers and booleans.

Each maps a value to a code the same way in bulk (Arrow compute over a whole part) and for
served rows (a dictionary lookup per value), so that a served row gets exactly the features
its twin in a part got. Missing values (after fill) are a category of their own when the
train part has them, else they count as unseen.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from providers.split.transform_values import bucket_of, hashed, json_scalar, text_of

FEW_ROWS = 64
"""Up to this many rows (served ones), one_hot sets its ones in one go."""
MISSING_NAME = "__missing__"
OTHER_NAME = "__other__"


def _counts(array: pa.Array) -> list[tuple[Any, int]]:
    """Each distinct value (None: missing) and how often it occurs."""
    counted = pc.value_counts(array)
    values = counted.field("values").to_pylist()
    return list(zip(values, counted.field("counts").to_pylist(), strict=True))


def _by_frequency(entry: tuple[Any, int]) -> tuple[int, int, Any]:
    """Most frequent first; ties by value, a missing value after the others."""
    value, count = entry
    return (-count, 1, 0) if value is None else (-count, 0, value)


def _codes(found: pa.Array) -> np.ndarray:
    return np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _nulls(array: pa.Array) -> np.ndarray:
    if array.null_count == 0:
        return np.zeros(len(array), dtype=bool)
    return np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool)


@dataclass(frozen=True)
class OneHot:
    """One 0/1 feature per category kept (`column=value`, in the order of the values), then
    `column=__missing__` when missing values are a category, then `column=__other__` for
    categories never seen in train or beyond max_categories (with other = false those are
    all zeros). max_categories keeps the most frequent, ties by value."""

    step: ClassVar[str] = "one_hot"
    dtype: ClassVar[type] = np.uint8
    categories: tuple[Any, ...]
    missing: bool
    other: bool

    @classmethod
    def fit(cls, column: str, array: pa.Array, settings: dict[str, Any]) -> OneHot:
        counts = _counts(array)
        limit = settings.get("max_categories")
        if limit is not None and len(counts) > int(limit):
            counts = sorted(counts, key=_by_frequency)[: int(limit)]
        kept = [json_scalar(value) for value, _ in counts]
        values = sorted(value for value in kept if value is not None)
        other = settings.get("other")
        return cls(tuple(values), None in kept, True if other is None else bool(other))

    def features(self, column: str) -> list[str]:
        names = [f"{column}={text_of(value)}" for value in self.categories]
        names += [f"{column}={MISSING_NAME}"] * self.missing
        return names + [f"{column}={OTHER_NAME}"] * self.other

    @property
    def _unseen(self) -> int:
        return len(self.categories) + self.missing if self.other else -1

    @property
    def _missing_code(self) -> int:
        return len(self.categories) if self.missing else self._unseen

    @cached_property
    def _index(self) -> dict[Any, int]:
        return {value: code for code, value in enumerate(self.categories)}

    def codes(self, array: pa.Array) -> np.ndarray:
        value_set = pa.array(self.categories, type=array.type)
        codes = _codes(pc.index_in(array, value_set=value_set))
        nulls = _nulls(array)
        codes[(codes < 0) & ~nulls] = self._unseen
        codes[nulls] = self._missing_code
        return codes

    def row_codes(self, values: list[Any]) -> np.ndarray:
        index, unseen = self._index, self._unseen
        return np.array(
            [self._missing_code if v is None else index.get(v, unseen) for v in values],
            dtype=np.int64,
        )

    def encode(self, codes: np.ndarray) -> np.ndarray:
        width = len(self.categories) + self.missing + self.other
        out = np.empty((width, len(codes)), dtype=np.uint8)
        if len(codes) <= FEW_ROWS:
            out.fill(0)
            rows = np.flatnonzero(codes >= 0)
            out[codes[rows], rows] = 1
        else:  # one comparison pass per feature: far faster than scattering ones
            for code in range(width):
                np.equal(codes, code, out=out[code].view(np.bool_))
        return out

    def statistics(self) -> dict[str, Any]:
        return {
            "categories": list(self.categories),
            "missing_category": self.missing,
            "other": self.other,
        }

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, **self.statistics()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OneHot:
        return cls(tuple(data["categories"]), data["missing_category"], data["other"])


@dataclass(frozen=True)
class Vocabulary:
    """An index 0..n-1 into the train part's values, most frequent first (ties by value),
    at most max_size of them; a value outside it gets n + (stable hash mod num_oov_buckets),
    or -1 when num_oov_buckets is 0. A model sizes its embedding by n + num_oov_buckets."""

    step: ClassVar[str] = "vocabulary"
    dtype: ClassVar[type] = np.int64
    values: tuple[Any, ...]
    num_oov_buckets: int

    @classmethod
    def fit(cls, column: str, array: pa.Array, settings: dict[str, Any]) -> Vocabulary:
        counts = sorted(_counts(array), key=_by_frequency)
        limit = settings.get("max_size")
        if limit is not None:
            counts = counts[: int(limit)]
        oov = settings.get("num_oov_buckets")
        return cls(tuple(json_scalar(value) for value, _ in counts), 1 if oov is None else int(oov))

    def features(self, column: str) -> list[str]:
        return [column]

    @cached_property
    def _index(self) -> dict[Any, int]:
        return {value: code for code, value in enumerate(self.values)}

    def _outside(self, value: Any) -> int:
        if self.num_oov_buckets == 0:
            return -1
        return len(self.values) + bucket_of(value, self.num_oov_buckets)

    def codes(self, array: pa.Array) -> np.ndarray:
        present = [value for value in self.values if value is not None]
        positions = [code for code, value in enumerate(self.values) if value is not None]
        found = pc.index_in(array, value_set=pa.array(present, type=array.type))
        codes = np.array([*positions, -1], dtype=np.int64)[_codes(found)]
        if None in self._index:
            codes[_nulls(array)] = self._index[None]
        outside = codes < 0
        if self.num_oov_buckets > 0 and outside.any():
            unseen = array.filter(pa.array(outside))
            codes[outside] = len(self.values) + hashed(unseen, self.num_oov_buckets)
        return codes

    def row_codes(self, values: list[Any]) -> np.ndarray:
        index = self._index
        return np.array(
            [code if (code := index.get(v)) is not None else self._outside(v) for v in values],
            dtype=np.int64,
        )

    def encode(self, codes: np.ndarray) -> np.ndarray:
        return codes.reshape(1, -1)

    def statistics(self) -> dict[str, Any]:
        size = len(self.values)
        return {
            "vocabulary_size": size,
            "num_oov_buckets": self.num_oov_buckets,
            "indices": size + self.num_oov_buckets,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "values": list(self.values),
            "num_oov_buckets": self.num_oov_buckets,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Vocabulary:
        return cls(tuple(data["values"]), data["num_oov_buckets"])


@dataclass(frozen=True)
class HashBuckets:
    """The stable hash of the value's text mod buckets (a missing value hashes as "")."""

    step: ClassVar[str] = "hash_buckets"
    dtype: ClassVar[type] = np.int64
    buckets: int

    @classmethod
    def fit(cls, column: str, array: pa.Array, settings: dict[str, Any]) -> HashBuckets:
        return cls(int(settings["buckets"]))

    def features(self, column: str) -> list[str]:
        return [column]

    def codes(self, array: pa.Array) -> np.ndarray:
        return hashed(array, self.buckets)

    def row_codes(self, values: list[Any]) -> np.ndarray:
        return np.array([bucket_of(value, self.buckets) for value in values], dtype=np.int64)

    def encode(self, codes: np.ndarray) -> np.ndarray:
        return codes.reshape(1, -1)

    def statistics(self) -> dict[str, Any]:
        return {"buckets": self.buckets}

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "buckets": self.buckets}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HashBuckets:
        return cls(data["buckets"])


Categorical = OneHot | Vocabulary | HashBuckets
CATEGORICAL_ENCODERS: dict[str, type[OneHot] | type[Vocabulary] | type[HashBuckets]] = {
    encoder.step: encoder for encoder in (OneHot, Vocabulary, HashBuckets)
}
