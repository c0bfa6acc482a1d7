"""A user's mistake comes back as an error on the attribute at fault, saying what to do;
no verb raises for one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mlform.language.values import Sensitive

if TYPE_CHECKING:
    from conftest import Harness

CHURN = {"source": "data/churn.csv"}


def only_error(harness: Harness, config: dict[str, Any]) -> tuple[tuple[str | int, ...], str]:
    errors = harness.errors(config)
    assert len(errors) == 1, errors
    [(path, message)] = errors.items()
    return path, message


def test_missing_file(harness: Harness) -> None:
    path, message = only_error(harness, {"source": "data/churm.csv"})
    assert path == ("source",)
    assert 'the source file "data/churm.csv" does not exist' in message
    assert str(harness.config_dir / "data" / "churm.csv") in message
    assert "relative to the configuration directory" in message


def test_a_directory_is_not_a_file(harness: Harness) -> None:
    (harness.config_dir / "parts.csv").mkdir()
    path, message = only_error(harness, {"source": "parts.csv"})
    assert path == ("source",) and "is a directory" in message


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("broken.parquet", b"this is not parquet", 'cannot read "broken.parquet" as Parquet'),
        ("empty.csv", b"", 'cannot read "empty.csv" as CSV'),
        ("ragged.csv", b"a,b\n1,2\n3,4,5\n", 'cannot read "ragged.csv" as CSV'),
        ("bad.jsonl", b'{"a": 1}\n{"a": \n', 'cannot read "bad.jsonl" as JSON Lines'),
        ("bad.csv.gz", b"not gzip at all", 'cannot read "bad.csv.gz" as CSV'),
    ],
)
def test_unreadable_format(harness: Harness, name: str, content: bytes, expected: str) -> None:
    (harness.config_dir / name).write_bytes(content)
    path, message = only_error(harness, {"source": name})
    assert path == ("source",)
    assert expected in message and "suffix says its format" in message


def test_unknown_columns_are_named_at_their_index(harness: Harness) -> None:
    errors = harness.errors({**CHURN, "columns": ["tenure", "plan", "regoin", "churn"]})
    assert set(errors) == {("columns", 2), ("columns", 3)}
    assert 'column "regoin" is not in the source; did you mean "region"?' in errors[("columns", 2)]
    assert "The source's columns are: customer_id, tenure" in errors[("columns", 3)]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("tenur > 0", 'Referenced column "tenur" not found'),
        ("tenure >", "syntax error"),
        ("plan = ", "syntax error"),
        ("avg(tenure) > 1", "WHERE clause cannot contain aggregates"),
    ],
)
def test_bad_sql_in_where(harness: Harness, where: str, expected: str) -> None:
    path, message = only_error(harness, {**CHURN, "where": where})
    assert path == ("where",)
    assert expected.lower() in message.lower()
    assert "__mlform" not in message  # the row numbers mlform adds stay out of sight
    assert "Write one condition in DuckDB's SQL" in message


@pytest.mark.parametrize(("where", "kind"), [("tenure + 1", "BIGINT"), ("plan", "VARCHAR")])
def test_where_must_be_a_condition(harness: Harness, where: str, kind: str) -> None:
    path, message = only_error(harness, {**CHURN, "where": where})
    assert path == ("where",)
    assert f"gives a value of type {kind} for each row, not true or false" in message


def test_sample_larger_than_the_data(harness: Harness) -> None:
    path, message = only_error(harness, {**CHURN, "where": "tenure > 0", "sample": {"rows": 9}})
    assert path == ("sample",)
    assert "sample asks for 9 rows, but there are only 5 rows that match `where`" in message
    assert "ask for at most 5 rows" in message


def test_bad_sql_in_query(harness: Harness, make_sqlite: Callable[[str], Path]) -> None:
    make_sqlite("crm.db")
    path, message = only_error(
        harness, {"source": "sqlite:///crm.db", "query": "SELECT * FROM customer"}
    )
    assert path == ("query",)
    assert "no such table: customer" in message and "check the SQL" in message


def test_a_query_that_selects_nothing_to_read(
    harness: Harness, make_sqlite: Callable[[str], Path]
) -> None:
    make_sqlite("crm.db")
    path, message = only_error(
        harness, {"source": "sqlite:///crm.db", "query": "UPDATE customers SET tenure = 1"}
    )
    assert path == ("query",) and "write a SELECT statement" in message


def test_a_query_column_of_mixed_types(
    harness: Harness, make_sqlite: Callable[[str], Path]
) -> None:
    make_sqlite("crm.db")
    query = "SELECT customer_id FROM customers UNION ALL SELECT 'five'"
    path, message = only_error(harness, {"source": "sqlite:///crm.db", "query": query})
    assert path == ("query",)
    assert 'column "customer_id"' in message and "CAST it to one type" in message


def test_bad_sql_in_fingerprint(harness: Harness, make_sqlite: Callable[[str], Path]) -> None:
    make_sqlite("crm.db")
    config = {
        "source": "sqlite:///crm.db",
        "query": "SELECT * FROM customers",
        "fingerprint": "SELECT max(updated) FROM customers",
    }
    path, message = only_error(harness, config)
    assert path == ("fingerprint",)
    assert "the fingerprint query failed" in message and "no such column" in message


def test_missing_sqlite_database(harness: Harness) -> None:
    path, message = only_error(harness, {"source": "sqlite:///nowhere.db", "query": "SELECT 1"})
    assert path == ("source",)
    assert "does not exist" in message
    assert not (harness.config_dir / "nowhere.db").exists()  # not created empty either


def test_a_database_that_does_not_answer(harness: Harness) -> None:
    path, message = only_error(
        harness,
        {"source": "postgresql+pg8000://me:secret@127.0.0.1:9/crm", "query": "SELECT 1"},
    )
    assert path == ("source",)
    assert "secret" not in message and "me:***@127.0.0.1" in message


def test_object_store_sources_are_not_read_yet(harness: Harness) -> None:
    path, message = only_error(harness, {"source": "s3://bucket/churn.csv"})
    assert path == ("source",) and "not supported yet" in message


def test_a_configuration_validate_rejects(harness: Harness) -> None:
    errors = harness.errors({**CHURN, "sample": {"fraction": 2}, "limit": 0})
    assert set(errors) == {("sample", "fraction"), ("limit",)}


def test_verbs_never_raise_for_a_mistake(harness: Harness) -> None:
    bad: dict[str, Any] = {"source": "data/missing.csv", "columns": ["x"], "where": ")"}
    assert harness.read(bad, {"id": "ab", "source_fingerprint": "cd"}).diagnostics
    assert harness.plan(bad).diagnostics
    assert harness.errors(bad)


def test_sensitive_values_stay_out_of_messages(harness: Harness) -> None:
    errors = harness.errors({"source": Sensitive("data/secret-name.csv")})
    assert "secret-name" not in errors[("source",)]
    assert "(sensitive value) does not exist" in errors[("source",)]
    errors = harness.errors({**CHURN, "where": Sensitive("tenure > 'hunter2'")})
    assert "hunter2" not in errors[("where",)]
