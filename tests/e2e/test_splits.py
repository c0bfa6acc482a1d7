"""Splits through the CLI: the quickstart's split, what it stores, determinism, and the
mistakes caught at plan and at apply with the file and line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from mlform.addresses import Address
from mlform.state.home import workspace_key
from mlform.state.objects import ObjectStatus
from mlform.state.store import StateStore
from providers.split.transform import FittedTransform

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart"


def instance(directory: Path, home: Path, address: str):
    store = StateStore.open(home / "mlform.db")
    try:
        return store.snapshot(workspace_key(directory)).instance(Address.parse(address))
    finally:
        store.close()


def artifact(home: Path, digest: str) -> Path:
    return home / "artifacts" / digest[:2] / digest[2:]


@pytest.fixture
def quickstart(tmp_path: Path) -> Path:
    directory = tmp_path / "quickstart"
    shutil.copytree(QUICKSTART, directory, ignore=shutil.ignore_patterns("state"))
    return directory


def test_the_quickstart_split_stores_its_parts_and_transform(mlform, quickstart: Path):
    home = quickstart / "state"
    applied = mlform("apply", "--auto-approve", "--target", "split.churn", cwd=quickstart)
    assert applied.code == 0, applied.output
    assert '"customer_id", "signup" are not numeric' in applied.output  # left out, said so
    dataset = instance(quickstart, home, "dataset.churn")
    split = instance(quickstart, home, "split.churn")
    rows = split.outputs["rows"]
    assert list(rows) == ["train", "valid", "test"]
    assert sum(rows.values()) == dataset.outputs["rows"]
    assert rows == {"train": 1684, "valid": 240, "test": 481}  # largest remainders of 2405
    assert set(split.artifacts) == {"train", "valid", "test", "transform"}

    train = pq.read_table(artifact(home, split.outputs["parts"]["train"]))
    features = split.outputs["features"]
    assert train.column_names[: len(features)] == features
    # passed through as they were: columns left out, and the raw values of encoded ones
    assert train.column_names[len(features) :] == ["customer_id", "plan", "region", "signup"]
    monthly = train.column("monthly").to_numpy()
    assert abs(monthly.mean()) < 1e-12 and abs(monthly.std() - 1) < 1e-12  # fitted on train
    assert not np.isnan(monthly).any()  # the mean fill ran before standardizing
    plans = [name for name in features if name.startswith("plan=")]
    assert plans == ["plan=basic", "plan=premium", "plan=standard", "plan=__other__"]

    transform = artifact(home, split.outputs["transform_id"])
    fitted = FittedTransform.from_json(json.loads(transform.read_text()))
    stats = split.outputs["statistics"]["monthly"]
    assert stats["fill"] == "mean" and stats["transform"] == "standardize"
    raw = pq.read_table(artifact(home, dataset.outputs["data"])).to_pylist()
    served = fitted.apply_rows([raw[0]])
    assert served.column_names == features

    shown = mlform("state", "show", "split.churn", cwd=quickstart)
    assert 'fill            = [{ columns = ["monthly"], method = "mean", value = null }]' in (
        shown.stdout
    )
    assert 'statistics      = { tenure = { transform = "standardize"' in shown.stdout
    again = mlform("plan", "--detailed-exitcode", "--target", "split.churn", cwd=quickstart)
    assert again.code == 0, again.output


def test_the_same_data_and_seed_give_the_same_split_id_anywhere(mlform, tmp_path: Path):
    ids = []
    for name in ("one", "two"):
        directory = tmp_path / name
        shutil.copytree(QUICKSTART, directory, ignore=shutil.ignore_patterns("state"))
        result = mlform("apply", "--auto-approve", "--target", "split.churn", cwd=directory)
        assert result.code == 0, result.output
        ids.append(instance(directory, directory / "state", "split.churn").id)
    assert ids[0] == ids[1]
    config = tmp_path / "one" / "main.mlf.hcl"
    config.write_text(config.read_text().replace("seed    = 42", "seed    = 43"))
    result = mlform("apply", "--auto-approve", "--target", "split.churn", cwd=tmp_path / "one")
    assert result.code == 0, result.output
    assert instance(tmp_path / "one", tmp_path / "one" / "state", "split.churn").id != ids[0]


def test_a_column_the_dataset_lacks_stops_the_plan_once_the_dataset_is_known(
    mlform, quickstart: Path
):
    config = quickstart / "main.mlf.hcl"
    applied = mlform("apply", "--auto-approve", "--target", "dataset.churn", cwd=quickstart)
    assert applied.code == 0, applied.output
    text = config.read_text().replace('columns = ["monthly", "tenure"]', 'columns = ["monthy"]')
    config.write_text(text)
    line = text.splitlines().index('    columns = ["monthy"]') + 1
    planned = mlform("plan", "--target", "split.churn", cwd=quickstart)
    assert planned.code == 1
    assert f"main.mlf.hcl:{line}:" in planned.stderr
    assert '"monthy"' in planned.stderr and 'did you mean "monthly"' in planned.stderr
    assert "Traceback" not in planned.output


def test_a_mistake_found_at_apply_names_the_line_and_records_no_result(mlform, quickstart: Path):
    config = quickstart / "main.mlf.hcl"
    text = (
        config.read_text()
        .replace('columns = ["monthly", "tenure"]', 'columns = ["monthly", "plan"]')
        .replace('columns = ["plan", "region"]', 'columns = ["region"]')
    )
    config.write_text(text)
    line = text.splitlines().index('    columns = ["monthly", "plan"]') + 1
    # the dataset is built in the same apply, so only the apply can see that plan is text
    result = mlform("apply", "--auto-approve", "--target", "split.churn", cwd=quickstart)
    assert result.code == 1
    assert f"main.mlf.hcl:{line}:" in result.stderr
    assert "split.churn" in result.stderr and '"plan"' in result.stderr
    assert "Traceback" not in result.output
    split = instance(quickstart, quickstart / "state", "split.churn")
    assert split.status is ObjectStatus.TAINTED and split.id is None and not split.artifacts
