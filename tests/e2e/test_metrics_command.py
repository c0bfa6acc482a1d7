"""`mlform metrics [ADDRESS]`: the metric history, apply by apply, with the change."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mlform.addresses import Address
from mlform.state.home import workspace_key
from mlform.state.objects import MetricPoint
from mlform.state.store import StateStore

CONFIG = 'dataset "iris" {\n  source = "sklearn:iris"\n}\n'
FIRST = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def history(tmp_path: Path) -> tuple[Path, Path]:
    config_dir = tmp_path / "project"
    config_dir.mkdir()
    (config_dir / "main.mlf.hcl").write_text(CONFIG)
    home = tmp_path / "state"
    store = StateStore.open(home / "mlform.db")
    key = workspace_key(config_dir)
    store.create_workspace(key)
    churn = Address.parse("evaluation.churn")
    for day, (auc, accuracy, basic) in enumerate([(0.80, 0.75, 0.70), (0.83, 0.74, 0.72)]):
        when = FIRST + timedelta(days=day)
        store.record_metrics(
            key,
            [
                MetricPoint(churn, "auc", auc, None, f"{day}" * 64, recorded=when),
                MetricPoint(churn, "accuracy", accuracy, None, f"{day}" * 64, recorded=when),
                MetricPoint(churn, "auc", basic, "plan=basic", f"{day}" * 64, recorded=when),
            ],
        )
    other = Address.parse('evaluation.sweep["deep"]')
    store.record_metrics(key, [MetricPoint(other, "rmse", 3.5, recorded=FIRST)])
    store.close()
    return config_dir, home


def test_metrics_shows_each_apply_with_the_change_since_the_one_before(mlform, tmp_path: Path):
    config_dir, home = history(tmp_path)
    result = mlform("metrics", "evaluation.churn", str(config_dir), "--state", str(home))
    assert result.code == 0, result.output
    assert result.stdout.splitlines() == [
        "evaluation.churn",
        "  applied              id            accuracy          auc",
        "  2026-11-01 09:30:00  000000000000  0.7500            0.8000",
        "  2026-11-02 09:30:00  111111111111  0.7400 (-0.0100)  0.8300 (+0.0300)",
    ]


def test_metrics_of_every_evaluation_and_as_json(mlform, tmp_path: Path):
    config_dir, home = history(tmp_path)
    shown = mlform("metrics", str(config_dir), "--state", str(home), "--slices")
    assert shown.code == 0, shown.output
    assert "auc[plan=basic]" in shown.stdout
    assert 'evaluation.sweep["deep"]' in shown.stdout
    result = mlform("metrics", "--json", str(config_dir), "--state", str(home))
    document = json.loads(result.stdout)
    assert list(document) == ["evaluation.churn", 'evaluation.sweep["deep"]']
    latest = document["evaluation.churn"][-1]
    assert latest["metrics"] == {"auc": 0.83, "accuracy": 0.74}
    assert latest["slices"] == {"plan=basic": {"auc": 0.72}}


def test_metrics_without_a_history_says_where_it_comes_from(mlform, tmp_path: Path):
    (tmp_path / "main.mlf.hcl").write_text(CONFIG)
    result = mlform("metrics", str(tmp_path), cwd=tmp_path)
    assert result.code == 0 and result.stdout == ""
    assert "recorded by each mlform apply of an evaluation" in result.stderr
