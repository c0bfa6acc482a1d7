"""Evaluations through the CLI: a dataset (scikit-learn's breast cancer data as a CSV), a
split, an xgboost model and an evaluation with a slice, a custom metric and a gate, applied
as a user does; then the state, a failed gate, and a change to the custom metric's code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


CONFIG = """\
dataset "cancer" {
  source = "cancer.csv"
}

split "cancer" {
  dataset = dataset.cancer
  ratio   = { train = 0.6, valid = 0.2, test = 0.2 }
  seed    = 1
  label   = "malignant"
  one_hot {
    columns = ["plan"]
  }
}

model "cancer" {
  type                  = "xgboost"
  split                 = split.cancer
  label                 = "malignant"
  params                = { max_depth = 3, eta = 0.3, objective = "binary:logistic" }
  rounds                = 20
  early_stopping_rounds = 5
  nthread               = 1
}

evaluation "cancer" {
  model    = model.cancer
  metrics  = ["auc", "accuracy", "logloss", "lift"]
  slice_by = ["plan", "site"]
  metric "lift" {
    function = "metrics.py:top_decile_lift"
  }
  threshold {
    metric = "auc"
    min    = MINIMUM
  }
}

output "auc" {
  value = evaluation.cancer.metrics.auc
}
"""

METRICS_PY = """\
import numpy as np


def top_decile_lift(y_true, y_pred, frame):
    order = np.argsort(-np.asarray(y_pred), kind="stable")
    top = order[: max(1, len(order) // 10)]
    return float(np.asarray(y_true)[top].mean() / np.asarray(y_true).mean())
"""


@dataclass
class Workspace:
    directory: Path
    state: Path
    run: Callable[..., Result]

    def configure(self, minimum: float) -> None:
        text = CONFIG.replace("MINIMUM", str(minimum))
        (self.directory / "main.mlf.hcl").write_text(text)

    def show(self) -> dict[str, str]:
        result = self.run(
            "state", "show", "--state", str(self.state), "evaluation.cancer", cwd=self.directory
        )
        assert result.code == 0, result.output
        lines = [line.partition(" = ") for line in result.stdout.splitlines() if " = " in line]
        return {name.strip(): value.strip() for name, _, value in lines}


def write_data(directory: Path) -> None:
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer(as_frame=True)
    frame = data.frame.iloc[:, :6].copy()
    frame.columns = [str(c).replace(" ", "_") for c in frame.columns]
    rows = np.arange(len(frame))
    frame["plan"] = np.where(rows % 3 == 0, "basic", "pro")
    frame["site"] = np.where(rows % 2 == 0, "north", "south")
    frame["malignant"] = 1 - data.target
    frame.to_csv(directory / "cancer.csv", index=False)
    (directory / "metrics.py").write_text(METRICS_PY)


def _runner() -> Callable[..., Result]:
    def run(*args: str, cwd: Path | None = None) -> Result:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("MLFORM_")}
        completed = subprocess.run(
            [sys.executable, "-m", "mlform", *args],
            cwd=cwd or ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert "Traceback" not in completed.stderr, completed.stderr
        return Result(completed.returncode, completed.stdout, completed.stderr)

    return run


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The configuration applied once, with a gate it passes."""
    directory = tmp_path_factory.mktemp("evaluations")
    write_data(directory)
    workspace = Workspace(directory, directory / "state", _runner())
    workspace.configure(0.8)
    result = workspace.run(
        "apply", "--auto-approve", "--state", str(workspace.state), str(directory)
    )
    assert result.code == 0, result.output
    assert "evaluation.cancer: Creation complete" in result.output
    yield workspace


def test_state_show_prints_metrics_passed_and_the_report(applied: Workspace) -> None:
    shown = applied.show()
    assert shown["passed"] == "true"
    assert shown["metrics"].startswith("{ auc = 0.9")
    assert "lift = " in shown["metrics"] and "logloss = " in shown["metrics"]
    assert '"plan=basic" = {' in shown["slices"] and '"site=south" = {' in shown["slices"]
    assert shown["failed_thresholds"] == "[]"
    report = Path(shown["report"].strip('"'))
    assert report.name == "report.html"
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<h1>Evaluation evaluation.cancer</h1>" in html
    assert html.count("data:image/png;base64,") == 6
    assert len(shown["id"].strip('"')) == 64


def test_the_metrics_are_scikit_learns_on_the_stored_predictions(applied: Workspace) -> None:
    import pandas as pd
    from sklearn import metrics as sk

    result = applied.run("show", "--json", "--state", str(applied.state), cwd=applied.directory)
    assert result.code == 0, result.output
    resources = json.loads(result.stdout)["values"]["root_module"]["resources"]
    [evaluation] = [r["values"] for r in resources if r["address"] == "evaluation.cancer"]
    digest = evaluation["predictions"]
    predictions = pd.read_parquet(applied.state / "artifacts" / digest[:2] / digest[2:])
    y, scores = predictions["label"], predictions["probability_1"]
    metrics = evaluation["metrics"]
    assert metrics["auc"] == pytest.approx(sk.roc_auc_score(y, scores))
    assert metrics["accuracy"] == pytest.approx(sk.accuracy_score(y, predictions["prediction"]))
    probabilities = predictions[["probability_0", "probability_1"]].to_numpy()
    with warnings.catch_warnings():  # float32 probabilities sum to 1 within float32's precision
        warnings.simplefilter("ignore")
        assert metrics["logloss"] == pytest.approx(sk.log_loss(y, probabilities))
    assert ((scores > 0.5).astype(int) == predictions["prediction"]).all()
    assert abs(len(predictions) - 569 * 0.2) < 3


def test_the_metric_is_an_output(applied: Workspace) -> None:
    result = applied.run(
        "output", "--json", "--state", str(applied.state), "auc", cwd=applied.directory
    )
    assert result.code == 0, result.output
    assert 0.9 < float(result.stdout) <= 1.0


def test_a_changed_metric_file_replans_the_evaluation(applied: Workspace) -> None:
    metrics = applied.directory / "metrics.py"
    metrics.write_text(METRICS_PY.replace("// 10", "// 5"))
    try:
        result = applied.run("plan", "--state", str(applied.state), str(applied.directory))
        assert result.code == 0, result.output
        assert "code changed: metrics.py" in result.output
        assert "evaluation.cancer" in result.output
        assert "model.cancer" not in result.output.replace("model.cancer.", "")
    finally:
        metrics.write_text(METRICS_PY)


def test_a_failed_gate_exits_1_and_is_recorded(applied: Workspace) -> None:
    applied.configure(0.9999)
    try:
        result = applied.run(
            "apply", "--auto-approve", "--state", str(applied.state), str(applied.directory)
        )
        assert result.code == 1, result.output
        assert 'evaluation.cancer: threshold not met on part "test": auc 0.9' in result.output
        assert "< min 0.9999" in result.output
        shown = applied.show()
        assert shown["passed"] == "false"
        assert shown["failed_thresholds"].startswith('["auc 0.9')
        assert Path(shown["report"].strip('"')).is_file()
    finally:
        applied.configure(0.8)
