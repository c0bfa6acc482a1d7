"""What validate checks of the gate and the slices (the rest is in
tests/unit/providers/test_evaluation_validate.py), and how the inputs become settings."""

from __future__ import annotations

from typing import Any

import pytest
from evaluation_doubles import Harness, metric_block, threshold_block

import providers.evaluation
from mlform.sdk import BlockValue
from mlform.testing import assert_validate_errors
from providers.evaluation.settings import Threshold, settings_from

MINIMAL: dict[str, Any] = {"model": "5f2a9c"}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"threshold": [threshold_block(metric="auc", min_delta=0)]}, {}, id="min-delta"
        ),
        pytest.param(
            {"threshold": [threshold_block(metric="rmse", max_delta=0.5)]}, {}, id="max-delta"
        ),
        pytest.param(
            {"threshold": [threshold_block(metric="auc", min=0.8, min_delta=-0.01)]},
            {},
            id="value-and-change",
        ),
        pytest.param(
            {"threshold": [threshold_block(metric="auc", min_delta=0.1, max_delta=0)]},
            {("threshold", 0, "min_delta"): "no change can pass"},
            id="min-delta-above-max-delta",
        ),
        pytest.param(
            {"threshold": [threshold_block(metric="auc")]},
            {("threshold", 0): "needs min, max or both, or a change since the last applied"},
            id="no-bound",
        ),
        pytest.param({"slice_by": ["plan", "region"]}, {}, id="slices"),
        pytest.param(
            {"slice_by": ["plan", "plan"]},
            {("slice_by", 1): 'column "plan" is listed twice in slice_by'},
            id="slice-twice",
        ),
        pytest.param({"slice_by": [""]}, {("slice_by", 0): "empty column name"}, id="slice-empty"),
        pytest.param({"plots": ["training_curves", "residuals"]}, {}, id="plots"),
    ],
)
def test_validate(changes: dict[str, Any], expected: dict[tuple[str | int, ...], str]) -> None:
    assert_validate_errors(providers.evaluation.provider, {**MINIMAL, **changes}, expected)


def test_settings_keep_each_setting_and_its_path() -> None:
    settings = settings_from(
        {
            "model": "5f2a9c",
            "part": "eval",
            "metrics": ["auc", "lift"],
            "slice_by": ["plan"],
            "metric": [
                metric_block("lift", "metrics.py:top_decile_lift"),
                metric_block("gain", "gains/metrics.py:gain"),
                metric_block("also", "metrics.py:other"),
            ],
            "threshold": [
                threshold_block(metric="auc", min=0.8),
                BlockValue((), {"metric": "lift", "min_delta": 0}),
            ],
        }
    )
    assert settings.part == "eval" and settings.metrics == ("auc", "lift")
    assert settings.slice_by == ("plan",) and settings.plots is None
    assert [(m.name, m.file, m.function, m.path) for m in settings.custom] == [
        ("lift", "metrics.py", "top_decile_lift", ("metric", 0, "function")),
        ("gain", "gains/metrics.py", "gain", ("metric", 1, "function")),
        ("also", "metrics.py", "other", ("metric", 2, "function")),
    ]
    assert settings.code_files == ("metrics.py", "gains/metrics.py")
    assert settings.thresholds == (
        Threshold(0, "auc", min=0.8),
        Threshold(1, "lift", min_delta=0.0),
    )
    assert settings.needs_baseline


def test_a_label_value_the_model_never_saw_is_an_error(binary: Harness) -> None:
    import pyarrow as pa
    import pyarrow.parquet as parquet

    test = binary.part("test").copy()
    test.loc[0, "diagnosis"] = 2
    path = binary.config_dir / "test.parquet"
    parquet.write_table(pa.Table.from_pandas(test, preserve_index=False), path)
    binary.split["parts"]["test"] = binary.store.put(path)
    errors = binary.errors(binary.config())
    assert errors == {
        ("part",): 'the label "diagnosis" of part "test" holds values the model never saw in '
        "training: 2; its classes are 0, 1. Split so that train holds every class "
        "(stratify_by the label)"
    }


def test_a_model_that_cannot_predict_is_an_error_at_model(
    binary: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from providers.model.errors import FeatureError

    def predict(frame: Any) -> Any:
        raise FeatureError('the rows lack the feature column "mean_radius"')

    monkeypatch.setattr(binary.trained.predictor, "predict", predict)
    errors = binary.errors(binary.config())
    assert errors == {
        ("model",): 'the model cannot score part "test": the rows lack the feature column '
        '"mean_radius"; replace the model (mlform apply -replace=MODEL)'
    }
