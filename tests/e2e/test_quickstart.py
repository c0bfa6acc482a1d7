"""The main job, end to end: the whole quickstart applied (dataset, split, xgboost and
tensorflow models, their evaluations, a local endpoint), a prediction fetched over HTTP the
way `make demo` does, served predictions equal to the evaluation's for the same rows, the
metric history, and destroy taking the server down."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pyarrow.parquet as pq

from mlform.addresses import Address
from mlform.state.home import workspace_key
from mlform.state.store import StateStore
from providers.split.partition import PartitionSettings, assign_parts

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "examples" / "quickstart"
TOKEN = "quickstart-demo-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run(directory: Path, runtime: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MLFORM_")}
    environment["MLFORM_RUNTIME_DIR"] = str(runtime)
    mlform = Path(sys.executable).with_name("mlform")
    return subprocess.run(
        [str(mlform), *args], cwd=directory, env=environment, capture_output=True, text=True
    )


def test_the_quickstart_serves_what_it_evaluated(tmp_path: Path) -> None:
    directory, runtime = tmp_path / "quickstart", tmp_path / "runtime"
    shutil.copytree(QUICKSTART, directory, ignore=shutil.ignore_patterns("state"))
    port = free_port()
    config = directory / "main.mlf.hcl"
    config.write_text(config.read_text().replace("port       = 8080", f"port       = {port}"))
    try:
        applied = run(directory, runtime, "apply", "--auto-approve")
        assert applied.returncode == 0, applied.stdout + applied.stderr
        assert "Apply complete! Resources: 7 added, 0 changed, 0 destroyed." in applied.stdout
        assert f'endpoint_url = "http://127.0.0.1:{port}"' in applied.stdout

        demo = subprocess.run(
            [sys.executable, str(directory / "predict.py")],
            cwd=directory,  # where the state is, as make demo runs it from the repository
            capture_output=True,
            text=True,
            env={k: v for k, v in os.environ.items() if not k.startswith("MLFORM_")},
        )
        assert demo.returncode == 0, demo.stderr
        answer = json.loads(demo.stdout.split("\n", 2)[2])
        assert set(answer["predictions"][0]) == {"label", "probabilities"}

        raw, expected = evaluated_rows(directory)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/models/churn:predict",
            data=json.dumps({"instances": raw}).encode(),
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            served = json.load(response)["predictions"]
        assert len(served) == len(expected) == 481
        for got, want in zip(served, expected, strict=True):
            assert got["label"] == want["prediction"]
            assert got["probabilities"]["1"] == want["probability_1"]

        history = run(directory, runtime, "metrics", "--json")
        document = json.loads(history.stdout)
        assert set(document) == {"evaluation.churn", "evaluation.churn_nn"}
        assert document["evaluation.churn"][0]["metrics"]["auc"] > 0.8
        again = run(directory, runtime, "plan", "--detailed-exitcode")
        assert again.returncode == 0, again.stdout + again.stderr
    finally:
        destroyed = run(directory, runtime, "destroy", "--auto-approve")
    assert destroyed.returncode == 0, destroyed.stdout + destroyed.stderr
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # the server is gone


def evaluated_rows(directory: Path) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The raw rows of the split's test part, as a client would send them (no label), and
    the evaluation's stored predictions for them, in the same order."""
    home = directory / "state"
    store = StateStore.open(home / "mlform.db")
    try:
        snapshot = store.snapshot(workspace_key(directory))
        dataset, split, evaluation = (
            snapshot.instance(Address.parse(address))
            for address in ("dataset.churn", "split.churn", "evaluation.churn")
        )
    finally:
        store.close()

    def stored(digest: str) -> Path:
        return home / "artifacts" / digest[:2] / digest[2:]

    table = pq.read_table(stored(dataset.outputs["data"]))
    settings = PartitionSettings.from_config({"ratio": split.inputs["ratio"], "seed": 42})
    rows = table.take(assign_parts(table, settings)["test"]).drop_columns(["churned"])
    raw = [
        {name: (value.isoformat() if hasattr(value, "isoformat") else value)
         for name, value in row.items()}
        for row in rows.to_pylist()
    ]  # fmt: skip
    predictions = pq.read_table(stored(evaluation.outputs["predictions"])).to_pylist()
    predictions.sort(key=lambda row: row["row"])
    return raw, predictions
