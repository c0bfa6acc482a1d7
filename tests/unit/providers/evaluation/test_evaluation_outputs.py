"""What an evaluation records: its id, plots, report and raw predictions as artifacts, and
how plan and apply treat an evaluation already built."""

from __future__ import annotations

import tarfile
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as parquet
import pytest
from evaluation_doubles import Harness, metric_block, threshold_block

from mlform.language.values import UNKNOWN
from providers.evaluation.schema import SCHEMA

PNG = b"\x89PNG\r\n\x1a\n"


def test_outputs_are_those_the_schema_declares(binary: Harness) -> None:
    outputs = binary.outputs(binary.config())
    assert set(outputs) == {attribute.name for attribute in SCHEMA.outputs}
    assert len(outputs["id"]) == 64 and outputs["id"] == outputs["id"].lower()


def test_plots_are_stored_pngs(binary: Harness) -> None:
    response = binary.apply(binary.config())
    outputs = response.outputs
    expected = [
        "roc",
        "precision_recall",
        "confusion_matrix",
        "calibration",
        "feature_importance",
        "training_curves",
    ]
    assert list(outputs["plots"]) == expected
    stored = {artifact.name: artifact.path for artifact in response.artifacts}
    for name, digest in outputs["plots"].items():
        assert binary.store.local_path(digest).read_bytes().startswith(PNG)
        assert stored[f"plot.{name}"].read_bytes() == binary.store.local_path(digest).read_bytes()


def test_regression_plots(harness_for: Callable[..., Harness]) -> None:
    harness = harness_for("regression")
    plots = harness.outputs(harness.config())["plots"]
    assert list(plots) == ["residuals", "feature_importance", "training_curves"]


def test_plots_asked_for_and_what_the_model_lacks(harness_for: Callable[..., Harness]) -> None:
    harness = harness_for(feature_importance=None)
    response = harness.apply(harness.config(plots=["roc", "feature_importance"]))
    assert list(response.outputs["plots"]) == ["roc"]
    warnings = [(d.path, d.message) for d in response.diagnostics if not d.is_error]
    assert warnings == [
        (
            ("plots", 1),
            "the model records no feature importance, so there is no feature_importance plot",
        )
    ]
    errors = harness.errors(harness.config(plots=["residuals"]))
    assert errors == {
        ("plots",): "residuals does not apply to a classifier; its plots are roc, "
        "precision_recall, confusion_matrix, calibration, feature_importance, training_curves"
    }


def test_plots_and_report_are_deterministic(binary: Harness) -> None:
    config = binary.config(slice_by=["site"])
    first, second = binary.outputs(config), binary.outputs(config)
    assert first["plots"] == second["plots"]
    assert Path(first["report"]).read_bytes() == Path(second["report"]).read_bytes()
    assert first["id"] == second["id"]
    assert first["predictions"] == second["predictions"]


def test_the_report_is_self_contained_html_with_the_metrics(binary: Harness) -> None:
    binary.write("m.py", "def lift(y_true, y_pred, frame):\n    return 2.5\n")
    config = binary.config(
        slice_by=["site"],
        metric=[metric_block("lift", "m.py:lift")],
        threshold=[threshold_block(metric="auc", min=0.8)],
    )
    response = binary.apply(config)
    outputs = response.outputs
    report_path = Path(outputs["report"])
    stored = {artifact.name: artifact.path for artifact in response.artifacts}
    archive = binary.store.put(stored["report.tar"])
    assert report_path == binary.store.root / ".unpacked" / archive / "report.html"
    with tarfile.open(binary.store.local_path(archive)) as tar:
        assert tar.getnames() == ["report.html"]
    html = report_path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<h1>Evaluation evaluation.test</h1>" in html
    for name in ("accuracy", "precision", "recall", "f1", "auc", "logloss", "lift"):
        assert f"<td>{name}</td>" in html
    assert f"{outputs['metrics']['auc']:.4f}" in html
    assert "2.5000" in html
    assert "site=north" in html and "site=south" in html
    assert html.count('src="data:image/png;base64,') == len(outputs["plots"]) == 6
    assert '<span class="passed">passed</span>' in html
    assert "m.py:lift" in html
    assert 'src="http' not in html and "<script" not in html


def test_raw_predictions_are_stored_as_parquet(harness_for: Callable[..., Harness]) -> None:
    harness = harness_for("multiclass")
    response = harness.apply(harness.config())
    stored = {artifact.name: artifact.path for artifact in response.artifacts}
    digest = response.outputs["predictions"]
    assert harness.store.put(stored["predictions"]) == digest  # the output names the artifact
    table = parquet.read_table(harness.store.local_path(digest)).to_pandas()
    test = harness.part("test")
    predictions = harness.trained.predictor.predict(test)
    assert list(table.columns) == [
        "row",
        "label",
        "prediction",
        "probability_setosa",
        "probability_versicolor",
        "probability_virginica",
    ]
    assert table["row"].tolist() == list(range(len(test)))
    assert table["label"].tolist() == test["species"].tolist()
    assert table["prediction"].tolist() == list(predictions.values)
    assert predictions.probabilities is not None
    assert table["probability_versicolor"].tolist() == pytest.approx(
        predictions.probabilities[:, 1].tolist()
    )


def test_rows_without_a_label_are_left_out_with_a_warning(binary: Harness) -> None:
    import pyarrow as pa

    test = binary.part("test").copy()
    test["diagnosis"] = test["diagnosis"].astype("float64").where(test.index != 3, None)
    path = binary.config_dir / "test.parquet"
    parquet.write_table(pa.Table.from_pandas(test, preserve_index=False), path)
    binary.split["parts"]["test"] = binary.store.put(path)
    response = binary.apply(binary.config())
    assert [d.message for d in response.diagnostics] == [
        '1 rows of part "test" have no value of the label "diagnosis" and were left out of '
        "the evaluation"
    ]
    table = parquet.read_table(binary.store.local_path(response.outputs["predictions"]))
    assert 3 not in table.column("row").to_pylist() and table.num_rows == len(test) - 1


def test_the_id_changes_with_the_results(binary: Harness) -> None:
    base = binary.outputs(binary.config())["id"]
    assert binary.outputs(binary.config(part="valid"))["id"] != base
    assert binary.outputs(binary.config(metrics=["auc"]))["id"] != base
    assert binary.outputs(binary.config(slice_by=["site"]))["id"] != base
    assert binary.outputs(binary.config(plots=["roc"]))["id"] == base  # plots are not content


def test_plan_of_a_new_evaluation(binary: Harness) -> None:
    plan = binary.plan(binary.config())
    assert plan.diagnostics == []
    assert plan.planned_outputs["metrics"] is UNKNOWN
    assert plan.build_inputs is not None and plan.build_inputs["code"] == {}


def test_plan_of_unknown_inputs_plans_nothing_else(binary: Harness) -> None:
    plan = binary.plan({"model": UNKNOWN})
    assert plan.build_inputs is None and plan.diagnostics == []


def test_a_description_change_keeps_the_result(binary: Harness) -> None:
    config = binary.config()
    outputs = binary.outputs(config)
    changed = {**config, "description": "the churn gate"}
    plan = binary.plan(changed, prior_inputs=config, prior_outputs=outputs)
    assert plan.requires_replace == [] and plan.planned_outputs == outputs
    replaced = binary.plan({**config, "part": "valid"}, config, outputs)
    assert replaced.requires_replace == [("part",)]
    import providers.evaluation
    from mlform.sdk import ApplyRequest

    response = providers.evaluation.provider.apply(
        ApplyRequest("evaluation.test", changed, outputs, binary.config_dir / "w", binary.store)
    )
    assert response.outputs == outputs and response.artifacts == []


def test_refresh_unpacks_a_missing_report_again(binary: Harness) -> None:
    import shutil

    outputs = binary.outputs(binary.config())
    report = Path(outputs["report"])
    content = report.read_bytes()
    shutil.rmtree(report.parent)
    read = binary.read(binary.config(), outputs)
    assert read.drift is None and read.outputs == outputs
    assert report.read_bytes() == content
    assert binary.read(binary.config(), outputs).outputs == outputs
