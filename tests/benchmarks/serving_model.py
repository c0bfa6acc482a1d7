"""Model versions for the serving tests and benchmark: a churn-like table made here (no
network), the split's real fitted transform, and an xgboost model trained on its features,
written as the version directory an endpoint serves (`card.json`, `model.json`,
`transform.json`, `version.json`), with `point_current` to swap the link as a runtime does.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mlform.sdk import BlockValue  # noqa: E402
from providers.split.transform import FittedTransform, fit_transform_spec  # noqa: E402

PLANS = ("basic", "plus", "pro")
REGIONS = ("north", "south", "east", "west")


def churn_table(rows: int = 3000, seed: int = 0) -> pa.Table:
    """customer_id (left out), tenure, plan, monthly (5% missing), region, paperless, and
    the label churned, which depends on the others with noise."""
    rng = np.random.default_rng(seed)
    tenure = rng.integers(0, 72, rows)
    plan = rng.choice(PLANS, rows)
    monthly = rng.normal(60, 20, rows).round(2)
    region = rng.choice(REGIONS, rows)
    paperless = rng.random(rows) < 0.5
    score = (
        -0.04 * tenure
        + 0.02 * monthly
        + np.where(plan == "basic", 0.8, 0.0)
        + np.where(paperless, 0.4, 0.0)
        + rng.normal(0, 0.7, rows)
    )
    monthly_missing = np.where(rng.random(rows) < 0.05, np.nan, monthly)
    return pa.table(
        {
            "customer_id": [f"c{index:06d}" for index in range(rows)],
            "tenure": pa.array(tenure, pa.int64()),
            "plan": pa.array(plan.tolist(), pa.string()),
            "monthly": pa.array(monthly_missing, pa.float64(), from_pandas=True),
            "region": pa.array(region.tolist(), pa.string()),
            "paperless": pa.array(paperless),
            "churned": pa.array(score > 0.9),
        }
    )


def split_config(label: str, variant: int = 0) -> dict[str, Any]:
    """The preprocessing of the quickstart's split; variant 1 scales and encodes otherwise,
    so that two versions' transforms give different features for the same row."""
    blocks: dict[str, list[BlockValue]] = {
        "fill": [BlockValue((), {"columns": ["monthly"], "method": "mean"})],
        "one_hot": [BlockValue((), {"columns": ["plan", "region"]})],
    }
    if variant == 0:
        blocks["fill"].append(BlockValue((), {"columns": ["paperless"], "method": "drop_rows"}))
        blocks["standardize"] = [BlockValue((), {"columns": ["monthly", "tenure"]})]
    else:
        blocks["normalize"] = [BlockValue((), {"columns": ["monthly"]})]
        blocks["bucketize"] = [
            BlockValue((), {"columns": ["tenure"], "boundaries": [6, 12, 24, 48]})
        ]
    kept: dict[str, Any] = {"label": label}
    for kind, found in blocks.items():
        trimmed = []
        for block in found:
            columns = [c for c in block.config["columns"] if c != label]
            if columns:
                trimmed.append(BlockValue((), {**block.config, "columns": columns}))
        kept[kind] = trimmed
    return kept


def fit_transform(table: pa.Table, config: Mapping[str, Any], label: str) -> FittedTransform:
    return fit_transform_spec(config, table.schema, label).fit(table)


@dataclass(frozen=True)
class Trained:
    booster: Any
    transform: FittedTransform
    features: list[str]
    label: str
    task: str
    classes: list[Any] | None
    objective: str


def train(
    table: pa.Table,
    label: str = "churned",
    *,
    task: str = "binary",
    variant: int = 0,
    rounds: int = 40,
    depth: int = 4,
    seed: int = 0,
) -> Trained:
    """An xgboost model trained on the split's features of the whole table."""
    import xgboost

    config = split_config(label, variant)
    table = table.filter(table.column(label).is_valid())
    transform = fit_transform(table, config, label)
    features, _ = transform.apply(table)
    matrix = np.column_stack(
        [np.asarray(column.to_numpy(), dtype=np.float64) for column in features.columns]
    )
    values = table.column(label).to_pylist()
    classes: list[Any] | None = None
    params: dict[str, Any] = {"max_depth": depth, "eta": 0.2, "seed": seed, "nthread": 1}
    if task == "regression":
        target = np.asarray(values, dtype=np.float64)
        params["objective"] = "reg:squarederror"
    else:
        classes = sorted(set(values))
        index = {value: position for position, value in enumerate(classes)}
        target = np.array([index[value] for value in values])
        if task == "binary":
            params["objective"] = "binary:logistic"
        else:
            params.update(objective="multi:softprob", num_class=len(classes))
    data = xgboost.DMatrix(matrix, label=target, feature_names=list(transform.features))
    booster = xgboost.train(params, data, num_boost_round=rounds)
    return Trained(
        booster, transform, list(transform.features), label, task, classes, params["objective"]
    )


def write_version(root: Path, version: str, trained: Trained, model_id: str = "") -> Path:
    directory = root / "versions" / version
    directory.mkdir(parents=True)
    trained.booster.save_model(str(directory / "model.json"))
    card = {  # as providers.model.card.make_card writes it for an xgboost model
        "card_version": 1,
        "format": "xgboost-json",
        "label": trained.label,
        "features": trained.features,
        "task": trained.task,
        "classes": trained.classes,
        "best_iteration": None,
        "objective": trained.objective,
    }
    (directory / "card.json").write_text(json.dumps(card))
    (directory / "transform.json").write_text(json.dumps(trained.transform.to_json()))
    info = {
        "version": version,
        "model_id": model_id or f"model-{version}",
        "transform_id": f"transform-{version}",
        "endpoint": "churn",
    }
    (directory / "version.json").write_text(json.dumps(info))
    return directory


def point_current(root: Path, version: str) -> None:
    """Swap `root/current` to a version atomically: a new link renamed over the old one."""
    temporary = root / f".current.{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(Path("versions") / version)
    os.replace(temporary, root / "current")


def rows_of(
    table: pa.Table, count: int, without: Sequence[str] = ("churned",)
) -> list[dict[str, Any]]:
    """The first rows of the table as a client sends them (NaN as null)."""
    picked = table.slice(0, count).drop_columns([c for c in without if c in table.column_names])
    rows = picked.to_pylist()
    for row in rows:
        for name, value in row.items():
            if isinstance(value, float) and value != value:
                row[name] = None
    return rows


def server_environment() -> dict[str, str]:
    """Environment for a server process: the repository first on the path."""
    existing = os.environ.get("PYTHONPATH")
    return {"PYTHONPATH": os.pathsep.join([str(ROOT), *([existing] if existing else [])])}
