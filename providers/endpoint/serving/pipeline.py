"""Raw rows to predictions: the split's fitted transform, then the model.

Two routes give the same numbers. The reference route is the one the evaluation takes: the
transform's `apply_rows` (an Arrow table of features), as a pandas frame, to the model
provider's `Predictor`. The fast route compiles the transform into a `RowPlan` for small
requests and predicts with the xgboost `Booster` on a numpy matrix. When a version is
loaded, `Pipeline.build` runs probe rows through both and keeps a fast piece only if it
agrees with the reference bit for bit, so a fast answer is always the reference answer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from mlform.sdk import did_you_mean
from providers.endpoint.serving.booster import BoosterModel
from providers.endpoint.serving.probes import probe_rows
from providers.endpoint.serving.rows import Fallback, RowPlan, feature_order
from providers.model.training import Predictions, Predictor
from providers.split.transform import FittedTransform, ServingError
from providers.split.transform_rows import shown
from providers.split.transform_values import Role

logger = logging.getLogger("mlform.serving")

SMALL_REQUEST = 16
"""Up to this many rows, the compiled plan beats the transform's numpy columns."""
LISTED = 8


class Pipeline:
    def __init__(
        self,
        transform: FittedTransform,
        predictor: Predictor,
        plan: RowPlan | None = None,
        booster: BoosterModel | None = None,
    ):
        self.transform = transform
        self.predictor = predictor
        self.plan = plan
        self.booster = booster
        self.features = list(predictor.features)
        self.order = feature_order(transform.features, self.features)
        self.known = frozenset(column.name for column in transform.columns)
        # a column is required when the model uses one of its features: not the model's
        # label, which the split may have passed through as a feature of its own
        used = set(self.features)
        self._required_order = [
            c.name
            for c in transform.columns
            if c.role is Role.FEATURE and used.intersection(c.features())
        ]
        self.required = frozenset(self._required_order)

    @classmethod
    def build(cls, transform: FittedTransform, predictor: Predictor) -> Pipeline:
        """The pipeline with every fast piece that agrees with the reference route."""
        reference = cls(transform, predictor)
        rows = probe_rows(transform)
        plan = RowPlan.compile(transform, reference.features)
        if plan is not None and not reference.plan_agrees(plan, rows):
            plan = None
        booster = BoosterModel.wrap(predictor)
        if booster is not None and not reference.booster_agrees(booster, rows):
            booster = None
        return cls(transform, predictor, plan, booster)

    @property
    def fast(self) -> bool:
        return self.plan is not None and self.booster is not None

    def check_columns(self, rows: Sequence[Any]) -> None:
        """Raises ServingError for a row that is not an object, or that has an unknown
        column or lacks a feature column (null is how to send a missing value)."""
        known, required = self.known, self.required
        for index, row in enumerate(rows):
            if type(row) is not dict:
                raise ServingError(f"row {index} is not an object of column values: {shown(row)}")
            if not known.issuperset(row):
                name = next(name for name in row if name not in known)
                hint = did_you_mean(name, sorted(known)) if len(name) <= 64 else ""
                raise ServingError(
                    f"row {index}: unknown column {shown(name)}{hint}; send the dataset's "
                    "columns (the label is not needed)"
                )
            if not required.issubset(row):
                missing = [name for name in self._required_order if name not in row]
                listed = ", ".join(f'"{name}"' for name in missing[:LISTED])
                more = f" and {len(missing) - LISTED} more" if len(missing) > LISTED else ""
                raise ServingError(
                    f"row {index}: missing column{'s' if len(missing) > 1 else ''} "
                    f"{listed}{more}; send every feature column (null for a missing value)"
                )

    def predict(self, rows: Sequence[dict[str, Any]]) -> Predictions:
        """Predictions for rows already checked by `check_columns`; raises ServingError for
        a value the transform cannot take."""
        if self.booster is not None:
            return self.booster.predict(self.matrix(rows))
        frame = self.transformed(rows).to_pandas()
        return self.predictor.predict(frame)

    def transformed(self, rows: Sequence[dict[str, Any]]) -> pa.Table:
        """The transform's features of rows. Client input must never look like a server
        fault: an error of the transform other than ServingError (a bug to report, logged
        with its traceback) is still answered as a bad request naming it."""
        try:
            return self.transform.apply_rows(list(rows))
        except ServingError:
            raise
        except (TypeError, ValueError, KeyError, IndexError, OverflowError) as error:
            logger.warning("the transform failed on served rows", exc_info=True)
            raise ServingError(
                f"the rows hold values the transform cannot take ({type(error).__name__}: {error})"
            ) from error

    def matrix(self, rows: Sequence[dict[str, Any]]) -> np.ndarray:
        """The float32 features of rows, in the model's order (what xgboost reads)."""
        if self.plan is not None and len(rows) <= SMALL_REQUEST:
            try:
                return self.plan.matrix(rows, np.float32)
            except Fallback:
                pass
        return self.reference_matrix(rows, np.float32)

    def reference_matrix(
        self, rows: Sequence[dict[str, Any]], dtype: type = np.float64
    ) -> np.ndarray:
        """The transform's features of rows, as a matrix in the model's order."""
        table = self.transformed(rows)
        matrix: np.ndarray = np.empty((len(rows), len(self.features)), dtype=dtype, order="F")
        for index, name in enumerate(self.features):
            matrix[:, index] = table.column(name).to_numpy()
        return matrix

    def plan_agrees(self, plan: RowPlan, rows: list[dict[str, Any]]) -> bool:
        for row in rows:
            try:
                fast = plan.matrix([row])
            except Fallback:
                continue
            try:
                expected = self.reference_matrix([row])
            except ServingError as error:
                return _disagree(f"the transform refuses a probe row the plan takes ({error})")
            if fast.shape != expected.shape or not np.array_equal(fast, expected, equal_nan=True):
                return _disagree(f"the compiled transform differs on the probe row {row}")
        return True

    def booster_agrees(self, booster: BoosterModel, rows: list[dict[str, Any]]) -> bool:
        usable = []
        for row in rows:
            try:
                self.transform.apply_rows([row])
            except ServingError:
                continue
            usable.append(row)
        if not usable:
            return _disagree("no probe row to compare the booster with")
        fast = booster.predict(self.reference_matrix(usable, np.float32))
        expected = self.predictor.predict(self.transform.apply_rows(usable).to_pandas())
        if not _same(fast.values, expected.values):
            return _disagree("the booster's predicted values differ from the predictor's")
        if not _same(fast.probabilities, expected.probabilities):
            return _disagree("the booster's probabilities differ from the predictor's")
        return True


def _same(left: np.ndarray | None, right: np.ndarray | None) -> bool:
    if left is None or right is None:
        return left is None and right is None
    left, right = np.asarray(left), np.asarray(right)
    if left.shape != right.shape:
        return False
    if left.dtype.kind in "fc" and right.dtype.kind in "fc":
        return bool(np.array_equal(left, right, equal_nan=True)) and left.dtype == right.dtype
    return left.tolist() == right.tolist()


def _disagree(reason: str) -> bool:
    logger.warning("serving without the fast path: %s", reason)
    return False
