"""Thresholds: min and max on a metric, min_delta and max_delta against the baseline (the
outputs of the evaluation this one replaces), and the failed gate's response: a complete,
recorded result with passed = false and one error per failed threshold at its block."""

from __future__ import annotations

from pathlib import Path

import pytest
from evaluation_doubles import Harness, threshold_block

from providers.evaluation.settings import Threshold
from providers.evaluation.thresholds import judge


def test_thresholds_met_pass(binary: Harness) -> None:
    response = binary.apply(
        binary.config(
            threshold=[
                threshold_block(metric="auc", min=0.8),
                threshold_block(metric="logloss", max=0.5),
            ]
        )
    )
    assert not [d for d in response.diagnostics if d.is_error]
    assert response.outputs["passed"] is True
    assert response.outputs["failed_thresholds"] == []


def test_a_failed_gate_returns_the_result_and_one_error_per_failed_threshold(
    binary: Harness,
) -> None:
    config = binary.config(
        threshold=[
            threshold_block(metric="auc", min=0.8),  # met
            threshold_block(metric="accuracy", min=0.999),
            threshold_block(metric="logloss", max=0.01),
        ]
    )
    response = binary.apply(config)
    outputs = response.outputs
    accuracy, logloss = outputs["metrics"]["accuracy"], outputs["metrics"]["logloss"]
    assert outputs["passed"] is False
    assert len(outputs["id"]) == 64
    assert outputs["failed_thresholds"] == [
        f"accuracy {accuracy:.4g} < min 0.999",
        f"logloss {logloss:.4g} > max 0.01",
    ]
    assert {a.name for a in response.artifacts} >= {"predictions", "report.tar", "plot.roc"}
    errors = {d.path: d.message for d in response.diagnostics if d.is_error}
    assert list(errors) == [("threshold", 1), ("threshold", 2)]
    assert errors[("threshold", 1)].startswith(
        f'threshold not met on part "test": accuracy {accuracy:.4g} < min 0.999.'
    )
    assert "recorded with passed = false" in errors[("threshold", 1)]
    report = Path(outputs["report"]).read_text(encoding="utf-8")
    assert "failed" in report and f"accuracy {accuracy:.4g} &lt; min 0.999" in report


def test_min_delta_without_a_baseline_passes_and_says_so(binary: Harness) -> None:
    config = binary.config(threshold=[threshold_block(metric="auc", min_delta=0.0)])
    outputs = binary.outputs(config)
    assert outputs["passed"] is True
    report = Path(outputs["report"]).read_text(encoding="utf-8")
    assert "no baseline" in report
    assert "min_delta +0 passes" in report


def test_min_delta_against_the_baseline(binary: Harness) -> None:
    config = binary.config(threshold=[threshold_block(metric="auc", min_delta=-0.01)])
    auc = binary.outputs(config)["metrics"]["auc"]

    kept = binary.outputs(config, replaced_outputs={"metrics": {"auc": auc + 0.005}})
    assert kept["passed"] is True

    response = binary.apply(config, replaced_outputs={"metrics": {"auc": auc + 0.05}})
    assert response.outputs["passed"] is False
    failure = f"auc {auc:.4g} - baseline {auc + 0.05:.4g} = {-0.05:+.4g} < min_delta -0.01"
    assert response.outputs["failed_thresholds"] == [failure]
    errors = [(d.path, d.message) for d in response.diagnostics if d.is_error]
    assert len(errors) == 1 and errors[0][0] == ("threshold", 0) and failure in errors[0][1]
    report = Path(response.outputs["report"]).read_text(encoding="utf-8")
    assert "Baseline" in report and "-0.0500" in report


def test_a_baseline_without_the_metric_is_no_baseline(binary: Harness) -> None:
    config = binary.config(threshold=[threshold_block(metric="auc", min_delta=0.0)])
    assert binary.outputs(config, replaced_outputs={"metrics": {"rmse": 3.0}})["passed"]
    assert binary.outputs(config, replaced_outputs={"metrics": {"auc": None}})["passed"]


def test_an_evaluation_with_a_change_threshold_is_never_restored_from_the_cache(
    binary: Harness,
) -> None:
    assert binary.plan(binary.config()).build_inputs is not None
    config = binary.config(threshold=[threshold_block(metric="auc", min_delta=0.0)])
    assert binary.plan(config).build_inputs is None


@pytest.mark.parametrize(
    ("threshold", "value", "baseline", "failures"),
    [
        (Threshold(0, "auc", min=0.8), 0.71, None, ["auc 0.71 < min 0.8"]),
        (Threshold(0, "auc", min=0.8), 0.8, None, []),
        (Threshold(0, "rmse", max=3.0), 3.5, None, ["rmse 3.5 > max 3"]),
        (Threshold(0, "auc", min=0.5, max=0.6), 0.7, None, ["auc 0.7 > max 0.6"]),
        (
            Threshold(0, "auc", min_delta=0.0),
            0.79,
            0.8,
            ["auc 0.79 - baseline 0.8 = -0.01 < min_delta +0"],
        ),
        (Threshold(0, "auc", min_delta=0.0), 0.8, 0.8, []),
        (
            Threshold(0, "rmse", max_delta=0.5),
            4.0,
            3.0,
            ["rmse 4 - baseline 3 = +1 > max_delta +0.5"],
        ),
        (Threshold(0, "rmse", max_delta=0.5), 4.0, None, []),
        (
            Threshold(0, "auc", min=0.8),
            None,
            None,
            ["auc is undefined on the evaluated rows, so min 0.8 cannot be met"],
        ),
    ],
)
def test_judge(
    threshold: Threshold, value: float | None, baseline: float | None, failures: list[str]
) -> None:
    baseline_metrics = None if baseline is None else {threshold.metric: baseline}
    [verdict] = judge([threshold], {threshold.metric: value}, baseline_metrics)
    assert list(verdict.failures) == failures
    assert verdict.passed is (not failures)


def test_a_failed_evaluation_never_becomes_the_baseline(binary: Harness) -> None:
    config = binary.config(threshold=[threshold_block(metric="auc", min_delta=0.0)])
    auc = binary.outputs(config)["metrics"]["auc"]
    blessed = {"metrics": {"auc": auc + 0.02}, "passed": True, "baseline": None}

    failed = binary.apply(config, replaced_outputs=blessed).outputs
    assert failed["passed"] is False and failed["baseline"] == {"auc": auc + 0.02}

    # the same model again, replacing the failed evaluation: still compared with the blessed
    again = binary.apply(config, replaced_outputs=failed).outputs
    assert again["passed"] is False and again["baseline"] == {"auc": auc + 0.02}

    passed = binary.outputs(config, replaced_outputs={"metrics": {"auc": auc}, "passed": True})
    assert passed["passed"] is True and passed["baseline"] == {"auc": auc}
