"""Selecting rows and columns: `where` (SQL, run by DuckDB), `columns`, `sample`, `limit`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

if TYPE_CHECKING:
    from conftest import Harness


def rows_of(harness: Harness, config: dict[str, Any]) -> list[dict[str, Any]]:
    outputs = harness.built({"source": "data/churn.csv", **config})
    table = pq.read_table(harness.store.local_path(outputs["data"]))
    assert outputs["rows"] == table.num_rows
    return table.to_pylist()


def ids(rows: list[dict[str, Any]]) -> list[int]:
    return [row["customer_id"] for row in rows]


def test_where_keeps_matching_rows_in_order(harness: Harness) -> None:
    assert ids(rows_of(harness, {"where": "tenure > 0 AND plan = 'pro'"})) == [4, 6]
    assert ids(rows_of(harness, {"where": "region IS NULL OR monthly < 20"})) == [1, 5]
    assert ids(rows_of(harness, {"where": "signup >= DATE '2023-02-01'"})) == [2, 5]


def test_where_may_test_a_column_that_columns_leaves_out(harness: Harness) -> None:
    rows = rows_of(harness, {"where": "churned = 1", "columns": ["plan", "customer_id"]})
    assert rows == [{"plan": "pro", "customer_id": 2}, {"plan": "basic", "customer_id": 5}]


def test_where_on_a_column_name_with_spaces(harness: Harness) -> None:
    outputs = harness.built({"source": "sklearn:iris", "where": '"petal length (cm)" > 6'})
    assert outputs["rows"] == 9


def test_where_cannot_reach_files(harness: Harness) -> None:
    errors = harness.errors(
        {"source": "data/churn.csv", "where": "plan IN (SELECT * FROM read_csv('/etc/passwd'))"}
    )
    assert list(errors) == [("where",)]


def test_where_is_one_condition_not_a_statement(harness: Harness) -> None:
    errors = harness.errors({"source": "data/churn.csv", "where": "true; DROP TABLE x"})
    assert list(errors) == [("where",)]


def test_columns_keep_their_order(harness: Harness) -> None:
    outputs = harness.built({"source": "data/churn.csv", "columns": ["churned", "tenure"]})
    assert [column["name"] for column in outputs["schema"]] == ["churned", "tenure"]


def test_limit(harness: Harness) -> None:
    assert ids(rows_of(harness, {"limit": 2})) == [1, 2]
    assert ids(rows_of(harness, {"limit": 100})) == [1, 2, 3, 4, 5, 6]


def test_limit_applies_after_where(harness: Harness) -> None:
    assert ids(rows_of(harness, {"where": "tenure > 0", "limit": 2})) == [1, 3]


@pytest.mark.parametrize("sample", [{"rows": 3, "seed": 7}, {"fraction": 0.5, "seed": 7}])
def test_sample_is_deterministic_and_keeps_order(harness: Harness, sample: dict[str, Any]) -> None:
    first = ids(rows_of(harness, {"sample": sample}))
    again = ids(rows_of(harness, {"sample": sample}))
    assert first == again
    assert len(first) == 3
    assert first == sorted(first)


def test_the_seed_chooses_the_sample(harness: Harness) -> None:
    samples = {tuple(ids(rows_of(harness, {"sample": {"rows": 3, "seed": s}}))) for s in range(8)}
    assert len(samples) > 1


def test_sample_without_seed_uses_seed_zero(harness: Harness) -> None:
    unseeded = rows_of(harness, {"sample": {"rows": 2}})
    assert unseeded == rows_of(harness, {"sample": {"rows": 2, "seed": 0}})


def test_sample_of_all_rows_is_the_data(harness: Harness) -> None:
    assert rows_of(harness, {"sample": {"fraction": 1}}) == rows_of(harness, {})
    assert rows_of(harness, {"sample": {"rows": 6, "seed": 3}}) == rows_of(harness, {})


def test_sample_after_where_then_limit(harness: Harness) -> None:
    rows = rows_of(harness, {"where": "tenure > 0", "sample": {"rows": 4, "seed": 1}, "limit": 3})
    assert len(rows) == 3
    assert all(row["tenure"] > 0 for row in rows)


def test_a_where_that_matches_nothing_warns(harness: Harness) -> None:
    response = harness.apply({"source": "data/churn.csv", "where": "tenure > 1000"})
    assert response.outputs["rows"] == 0
    [warning] = response.diagnostics
    assert not warning.is_error and warning.path == ("where",)
    assert "the dataset is empty" in warning.message


def test_types_survive_the_filter(harness: Harness) -> None:
    table = pa.table(
        {
            "n": pa.array([1, 2, 3], pa.int8()),
            "label": pa.array(["a", "b", "a"]).dictionary_encode(),
            "at": pa.array([1, 2, 3], pa.timestamp("us", tz="UTC")),
        }
    )
    pq.write_table(table, harness.config_dir / "typed.parquet")
    outputs = harness.built({"source": "typed.parquet", "where": "n >= 2"})
    assert outputs["schema"] == [
        {"name": "n", "type": "int8"},
        {"name": "label", "type": "string"},
        {"name": "at", "type": "timestamp[us, tz=UTC]"},
    ]
