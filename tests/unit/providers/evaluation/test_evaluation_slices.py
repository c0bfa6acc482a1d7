"""Metrics per slice: each slice's values against scikit-learn's on the same rows, undefined
metrics as null, and slice columns the part does not have."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from evaluation_doubles import Harness
from sklearn import metrics as sk

from providers.evaluation.slices import slice_series, slice_value


def test_every_metric_per_value_of_each_column(binary: Harness) -> None:
    outputs = binary.outputs(binary.config(slice_by=["site", "cohort"]))
    slices = outputs["slices"]
    assert list(slices) == ["site=north", "site=south", "cohort=mixed", "cohort=pure"]
    test = binary.part("test")
    for name, rows in (
        ("site=north", test["site"] == "north"),
        ("cohort=mixed", test["cohort"] == "mixed"),
    ):
        part = test.loc[rows]
        y = part["diagnosis"].to_numpy()
        predictions = binary.trained.predictor.predict(part)
        assert predictions.probabilities is not None
        values = slices[name]
        assert values["accuracy"] == pytest.approx(sk.accuracy_score(y, predictions.values))
        assert values["precision"] == pytest.approx(sk.precision_score(y, predictions.values))
        assert values["recall"] == pytest.approx(sk.recall_score(y, predictions.values))
        assert values["f1"] == pytest.approx(sk.f1_score(y, predictions.values))
        assert values["auc"] == pytest.approx(sk.roc_auc_score(y, predictions.probabilities[:, 1]))
        assert values["logloss"] == pytest.approx(
            sk.log_loss(y, predictions.probabilities, labels=[0, 1])
        )
        assert (
            values["confusion_matrix"]
            == sk.confusion_matrix(y, predictions.values, labels=[0, 1]).tolist()
        )


def test_a_metric_undefined_on_a_slice_is_null(binary: Harness) -> None:
    outputs = binary.outputs(binary.config(slice_by=["cohort"]))
    pure = outputs["slices"]["cohort=pure"]
    test = binary.part("test")
    assert test.loc[test["cohort"] == "pure", "diagnosis"].nunique() == 1
    assert pure["auc"] is None  # a single class
    assert pure["recall"] is None  # no positive row
    assert isinstance(pure["accuracy"], float) and isinstance(pure["logloss"], float)
    assert outputs["metrics"]["auc"] is not None


def test_multiclass_and_regression_slices(harness_for: Callable[..., Harness]) -> None:
    iris = harness_for("multiclass")
    slices = iris.outputs(iris.config(slice_by=["site"]))["slices"]
    test = iris.part("test")
    part = test.loc[test["site"] == "south"]
    predictions = iris.trained.predictor.predict(part)
    assert slices["site=south"]["f1"] == pytest.approx(
        sk.f1_score(part["species"], predictions.values, average="macro")
    )
    diabetes = harness_for("regression")
    slices = diabetes.outputs(diabetes.config(slice_by=["site"]))["slices"]
    test = diabetes.part("test")
    part = test.loc[test["site"] == "north"]
    predicted = diabetes.trained.predictor.predict(part).values
    assert slices["site=north"]["mae"] == pytest.approx(
        sk.mean_absolute_error(part["progression"], predicted)
    )
    assert set(slices["site=north"]) == {"rmse", "mae", "r2", "mape"}


def test_a_column_the_part_lacks_is_an_error_naming_the_columns(binary: Harness) -> None:
    errors = binary.errors(binary.config(slice_by=["site", "sight", "plan"]))
    assert set(errors) == {("slice_by", 1), ("slice_by", 2)}
    message = errors[("slice_by", 1)]
    assert (
        'slice_by names column "sight", which the evaluated part does not have; did you mean "site"?'
        in message
    )
    assert "Its columns are: mean_radius, mean_texture," in message
    assert "diagnosis, site, cohort." in message


def test_one_hot_features_are_sliced_by_their_categories() -> None:
    frame = pd.DataFrame(
        {
            "tenure": [1.0, 2.0, 3.0, 4.0],
            "plan=basic": [1, 0, 0, 0],
            "plan=pro": [0, 1, 0, 0],
            "plan=__missing__": [0, 0, 1, 0],
            "plan=__other__": [0, 0, 0, 1],
        }
    )
    values = slice_series(frame, "plan")
    assert values is not None
    assert values.tolist() == ["basic", "pro", None, "__other__"]
    assert slice_series(frame, "region") is None
    tenure = slice_series(frame, "tenure")
    assert tenure is not None and tenure.equals(frame["tenure"])


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("basic", "basic"),
        (2, "2"),
        (2.0, "2"),
        (2.5, "2.5"),
        (True, "true"),
        (None, "null"),
        (np.nan, "null"),
    ],
)
def test_slice_names(value: object, shown: str) -> None:
    assert slice_value(value) == shown


def test_missing_values_are_their_own_slice(binary: Harness) -> None:
    import pyarrow as pa
    import pyarrow.parquet as parquet

    test = binary.part("test").copy()
    test["site"] = test["site"].where(test.index % 5 != 0, None)
    path = binary.config_dir / "test.parquet"
    parquet.write_table(pa.Table.from_pandas(test, preserve_index=False), path)
    binary.split["parts"]["test"] = binary.store.put(path)
    slices = binary.outputs(binary.config(slice_by=["site"]))["slices"]
    assert list(slices) == ["site=north", "site=south", "site=null"]
    rows = test.loc[test["site"].isna()]
    predicted = binary.trained.predictor.predict(rows).values
    assert slices["site=null"]["accuracy"] == pytest.approx(
        sk.accuracy_score(rows["diagnosis"], predicted)
    )
