"""One input column's fitted steps, applied to a part's column or to served values.

A column is transformed one of two ways: as float64 numbers (fill, clip, log1p, then
standardize, normalize, bucketize or nothing), or in its own type (fill, then one_hot,
vocabulary or hash_buckets). A column that is not a feature (the label, a column passed
through) keeps its type; only its fill applies.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa

from mlform.sdk import AttributePath
from providers.problems import Problem
from providers.split.transform_categorical import CATEGORICAL_ENCODERS, Categorical
from providers.split.transform_fill import Fill
from providers.split.transform_numeric import (
    NUMERIC_ENCODERS,
    Clip,
    Numbers,
    below_log1p_domain,
)
from providers.split.transform_rows import categories_of, numbers_of
from providers.split.transform_spec import ColumnSpec, Step
from providers.split.transform_values import (
    FitError,
    Kind,
    Role,
    ServingError,
    arrow_values,
    floats,
    json_number,
)

Column: TypeAlias = pa.Array | pa.ChunkedArray


@contextmanager
def _at(step: Step) -> Iterator[None]:
    """Errors of fitting a step become a Problem at the entry that gave the column the step."""
    try:
        yield
    except FitError as error:
        raise Problem.at(step.path, str(error)) from error


@dataclass(frozen=True)
class FittedColumn:
    """An input column, its role, and its fitted steps (`encoder` None: not a feature)."""

    name: str
    kind: Kind
    role: Role
    fill: Fill | None = None
    clip: Clip | None = None
    log1p: bool = False
    encoder: Numbers | Categorical | None = None
    log1p_path: AttributePath = field(default=(), compare=False)
    """Where log1p was asked for, to point at when another part has values it cannot take
    (known only in the process that fitted the column)."""

    @classmethod
    def fit(cls, spec: ColumnSpec, column: Column) -> FittedColumn:
        if spec.role is Role.FEATURE and not spec.categorical:
            return cls._fit_numbers(spec, column)
        if spec.role is not Role.FEATURE and spec.fill is None:
            return cls(spec.name, spec.kind, spec.role)
        array, fill = arrow_values(column, spec.kind), None
        if spec.fill is not None:
            with _at(spec.fill):
                fill = Fill.fit_values(
                    spec.name,
                    spec.fill.setting("method"),
                    spec.fill.setting("value"),
                    array,
                    spec.kind,
                )
            array = fill.values(array)
        categories = None
        if spec.encoding is not None:
            with _at(spec.encoding):
                categories = CATEGORICAL_ENCODERS[spec.encoding.name].fit(
                    spec.name, array, _settings(spec.encoding)
                )
        return cls(spec.name, spec.kind, spec.role, fill, encoder=categories)

    @classmethod
    def _fit_numbers(cls, spec: ColumnSpec, column: Column) -> FittedColumn:
        name, x = spec.name, floats(column, spec.kind)
        fill = clip = None
        if spec.fill is not None:
            with _at(spec.fill):
                fill = Fill.fit_numbers(
                    name, spec.fill.setting("method"), spec.fill.setting("value"), x
                )
        if spec.clip is not None:
            clip = Clip(*(_bound(spec.clip.setting(side)) for side in ("min", "max")))
        log1p_path = spec.log1p.path if spec.log1p is not None else ()
        log1p = spec.log1p is not None
        steps = cls(name, spec.kind, spec.role, fill, clip, log1p, Numbers(), log1p_path)
        x = steps._prepared(x, serving=False, where=" in the train part")
        if spec.encoding is None:
            return steps
        with _at(spec.encoding):
            encoder = NUMERIC_ENCODERS[spec.encoding.name].fit(name, x, _settings(spec.encoding))
        return replace(steps, encoder=encoder)

    @property
    def feature(self) -> bool:
        return self.role is Role.FEATURE

    @property
    def drops_rows(self) -> bool:
        return self.fill is not None and self.fill.method == "drop_rows"

    def features(self) -> list[str]:
        return self.encoder.features(self.name) if self.encoder is not None else []

    @property
    def dtype(self) -> type:
        return self.encoder.dtype if self.encoder is not None else np.float64

    def apply(self, column: Column) -> np.ndarray:
        """The features of a part's column, one row per feature (rows to drop already
        removed)."""
        if isinstance(self.encoder, Numbers):
            return self._numbers(floats(column, self.kind), serving=False).reshape(1, -1)
        assert self.encoder is not None, f"column {self.name} is not a feature"
        array = arrow_values(column, self.kind)
        if self.fill is not None:
            array = self.fill.values(array)
        return self.encoder.encode(self.encoder.codes(array))

    def apply_values(self, values: list[Any]) -> np.ndarray:
        """The features of served values (None: missing), one row per feature."""
        if self.drops_rows and (row := _first_missing(values)) is not None:
            raise ServingError(
                f'row {row}: column "{self.name}" is missing; training drops such rows '
                '(fill method "drop_rows"), so send a value'
            )
        if isinstance(self.encoder, Numbers):
            x = numbers_of(self.name, self.kind, values)
            return self._numbers(x, serving=True).reshape(1, -1)
        assert self.encoder is not None, f"column {self.name} is not a feature"
        categories = categories_of(self.name, self.kind, values)
        if self.fill is not None:
            categories = self.fill.row_values(categories)
        return self.encoder.encode(self.encoder.row_codes(categories))

    def passthrough(self, column: Column) -> Column:
        """A column kept beside the features: as it is, its fill applied."""
        if self.fill is None or self.drops_rows:
            return column
        return self.fill.values(arrow_values(column, self.kind))

    def _numbers(self, x: np.ndarray, *, serving: bool) -> np.ndarray:
        assert isinstance(self.encoder, Numbers)
        return self.encoder.apply(self._prepared(x, serving=serving))

    def _prepared(self, x: np.ndarray, *, serving: bool, where: str = "") -> np.ndarray:
        """The numbers filled, clipped and log1p'd: what the encoder fits on and applies to."""
        if self.fill is not None:
            x = self.fill.numbers(x, serving=serving)
        if self.clip is not None:
            x = self.clip.apply(x)
        if not self.log1p:
            return x
        bad = below_log1p_domain(x)
        if bad is not None and serving:
            raise ServingError(
                f'row {int(np.argmax(x <= -1))}: column "{self.name}" is {bad:g}, but its '
                "features take log(1 + x), which needs values above -1"
            )
        if bad is not None:
            raise Problem.at(self.log1p_path, _log1p_message(self.name, bad, where))
        return np.log1p(x)

    def statistics(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.fill is not None:
            found.update(self.fill.statistics())
        if self.clip is not None:
            found.update(self.clip.statistics())
        if self.log1p:
            found["log1p"] = True
        if self.encoder is not None and self.encoder.step != "none":
            found["transform"] = self.encoder.step
            found.update(self.encoder.statistics())
        return found

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind.value,
            "role": self.role.value,
            "fill": self.fill.to_json() if self.fill is not None else None,
            "clip": self.clip.to_json() if self.clip is not None else None,
            "log1p": self.log1p,
            "encoding": self.encoder.to_json() if self.encoder is not None else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FittedColumn:
        encoding = data["encoding"]
        encoder: Numbers | Categorical | None = None
        if encoding is not None:
            step = encoding["step"]
            kinds = NUMERIC_ENCODERS if step in NUMERIC_ENCODERS else CATEGORICAL_ENCODERS
            encoder = kinds[step].from_json(encoding)
        return cls(
            data["name"],
            Kind(data["kind"]),
            Role(data["role"]),
            Fill.from_json(data["fill"]) if data["fill"] is not None else None,
            Clip.from_json(data["clip"]) if data["clip"] is not None else None,
            bool(data["log1p"]),
            encoder,
        )


def _settings(step: Step | None) -> dict[str, Any]:
    return dict(step.settings) if step is not None else {}


def _bound(value: Any) -> int | float | None:
    return None if value is None else json_number(value)


def _first_missing(values: list[Any]) -> int | None:
    for row, value in enumerate(values):
        if value is None or (isinstance(value, float) and value != value):
            return row
    return None


def _log1p_message(column: str, bad: float, where: str) -> str:
    return (
        f'column "{column}" has the value {bad:g}{where}, but log1p takes log(1 + x), '
        f'which needs values above -1; clip it first (clip {{ columns = ["{column}"] '
        "min = 0 }) or remove it from log1p"
    )
