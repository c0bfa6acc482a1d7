"""Each kind of source, read from real files: CSV (missing values, a date column), Parquet,
JSON Lines, compressed and file:// sources, a SQLite database through SQLAlchemy, and the
samples bundled with scikit-learn."""

from __future__ import annotations

import datetime
import gzip
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

if TYPE_CHECKING:
    from conftest import Harness


def stored(outputs: dict[str, object], harness: Harness) -> pa.Table:
    return pq.read_table(harness.store.local_path(str(outputs["data"])))


def test_csv_with_missing_values_and_a_date_column(harness: Harness) -> None:
    outputs = harness.built({"source": "data/churn.csv"})
    assert outputs["rows"] == 6
    assert outputs["schema"] == [
        {"name": "customer_id", "type": "int64"},
        {"name": "tenure", "type": "int64"},
        {"name": "plan", "type": "string"},
        {"name": "monthly", "type": "double"},
        {"name": "region", "type": "string"},
        {"name": "signup", "type": "date32[day]"},
        {"name": "churned", "type": "int64"},
    ]
    table = stored(outputs, harness)
    assert table.column("monthly").to_pylist()[1] is None
    assert table.column("plan").to_pylist()[2] is None  # an empty cell is null, not ""
    assert table.column("signup").to_pylist()[0] == datetime.date(2023, 1, 15)
    assert table.column("signup").null_count == 1
    assert not table.schema.metadata  # no writer metadata beyond what Parquet needs


def test_apply_returns_the_data_artifact(harness: Harness) -> None:
    response = harness.apply({"source": "data/churn.csv"})
    [artifact] = response.artifacts
    assert artifact.name == "data"
    assert artifact.path.name == "data.parquet"
    assert artifact.path.parent.parent == harness.config_dir / ".work"
    assert set(response.outputs) == {"id", "rows", "schema", "source_fingerprint", "data"}
    assert response.diagnostics == []


def test_parquet(harness: Harness) -> None:
    table = pa.table({"x": [1, 2, 3], "when": pa.array([1, 2, None], pa.timestamp("ms"))})
    pq.write_table(table, harness.config_dir / "data" / "x.parquet")
    outputs = harness.built({"source": "data/x.parquet"})
    assert outputs["rows"] == 3
    assert outputs["schema"] == [
        {"name": "x", "type": "int64"},
        {"name": "when", "type": "timestamp[ms]"},
    ]
    assert stored(outputs, harness).equals(table)


def test_jsonl_with_missing_keys(harness: Harness) -> None:
    (harness.config_dir / "events.jsonl").write_text(
        '{"user": "a", "clicks": 3, "tags": ["x"]}\n'
        '{"user": "b", "clicks": null}\n'
        '{"user": "c", "clicks": 7, "tags": []}\n'
    )
    outputs = harness.built({"source": "events.jsonl"})
    table = stored(outputs, harness)
    assert table.column("clicks").to_pylist() == [3, None, 7]
    assert table.column("tags").to_pylist() == [["x"], None, []]


def test_compressed_csv_and_file_url(harness: Harness) -> None:
    text = (harness.config_dir / "data" / "churn.csv").read_bytes()
    (harness.config_dir / "churn.csv.gz").write_bytes(gzip.compress(text))
    plain = harness.built({"source": "data/churn.csv"})
    compressed = harness.built({"source": "churn.csv.gz"})
    absolute = harness.built({"source": (harness.config_dir / "data" / "churn.csv").as_uri()})
    assert plain["id"] == compressed["id"] == absolute["id"]


def test_sqlite_database(harness: Harness, make_sqlite: Callable[[str], Path]) -> None:
    make_sqlite("db/crm.db")
    outputs = harness.built(
        {
            "source": "sqlite:///db/crm.db",  # relative to the configuration directory
            "query": "SELECT customer_id, tenure, plan, monthly FROM customers "
            "WHERE updated_at > '2024-01-01' ORDER BY customer_id",
        }
    )
    assert outputs["rows"] == 3
    assert [column["type"] for column in outputs["schema"]] == [
        "int64",
        "int64",
        "string",
        "double",
    ]
    table = stored(outputs, harness)
    assert table.column("plan").to_pylist() == ["pro", None, "pro"]


def test_sqlite_database_by_absolute_url(
    harness: Harness, make_sqlite: Callable[[str], Path]
) -> None:
    path = make_sqlite("crm.db")
    relative = harness.built({"source": "sqlite:///crm.db", "query": "SELECT * FROM customers"})
    absolute = harness.built({"source": f"sqlite:///{path}", "query": "SELECT * FROM customers"})
    assert relative["id"] == absolute["id"]
    assert relative["rows"] == 4


def test_a_query_never_changes_the_database(
    harness: Harness, make_sqlite: Callable[[str], Path]
) -> None:
    make_sqlite("crm.db")
    harness.apply(
        {"source": "sqlite:///crm.db", "query": "DELETE FROM customers RETURNING customer_id"}
    )
    after = harness.built({"source": "sqlite:///crm.db", "query": "SELECT * FROM customers"})
    assert after["rows"] == 4


@pytest.mark.parametrize(
    ("name", "rows", "features"),
    [("iris", 150, 4), ("breast_cancer", 569, 30), ("wine", 178, 13), ("diabetes", 442, 10)],
)
def test_sklearn_samples(harness: Harness, name: str, rows: int, features: int) -> None:
    outputs = harness.built({"source": f"sklearn:{name}"})
    assert outputs["rows"] == rows
    assert len(outputs["schema"]) == features + 1
    assert outputs["schema"][-1]["name"] == "target"
    assert outputs["source_fingerprint"].startswith(f"sklearn:{name}@scikit-learn==")
