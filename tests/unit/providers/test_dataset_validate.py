"""The dataset provider's validate, case by case: the configuration changes applied to a
minimal valid one, and the errors expected (path -> part of the message)."""

from __future__ import annotations

from typing import Any

import pytest

import providers.dataset
from mlform.language.values import UNKNOWN, Sensitive
from mlform.testing import assert_validate_errors, validate_config

MINIMAL: dict[str, Any] = {"source": "data/churn.csv"}

CASES = [
    pytest.param({}, {}, id="minimal"),
    pytest.param({"source": "data/churn.parquet", "limit": 10}, {}, id="parquet-with-limit"),
    pytest.param({"source": "s3://bucket/churn.jsonl.gz"}, {}, id="object-store-jsonl"),
    pytest.param({"source": "file:///data/churn.csv"}, {}, id="file-url"),
    pytest.param({"source": "sklearn:iris"}, {}, id="sklearn-sample"),
    pytest.param(
        {"source": "sklearn:iriss"}, {("source",): 'did you mean "iris"?'}, id="sklearn-typo"
    ),
    pytest.param(
        {"source": "data/churn.txt"}, {("source",): "cannot tell the format"}, id="unknown-format"
    ),
    pytest.param({"source": "  "}, {("source",): "source is empty"}, id="empty-source"),
    pytest.param(
        {"source": "postgresql://db/crm", "query": "SELECT * FROM customers"},
        {},
        id="sql-with-query",
    ),
    pytest.param(
        {
            "source": "postgresql+psycopg://db/crm",
            "query": "SELECT 1",
            "fingerprint": "SELECT count(*) FROM t",
        },
        {},
        id="sql-with-fingerprint",
    ),
    pytest.param(
        {"source": "sqlite:///crm.db"}, {("source",): "needs `query`"}, id="sql-without-query"
    ),
    pytest.param(
        {"query": "SELECT 1"},
        {("query",): "only used with a database source"},
        id="query-with-file",
    ),
    pytest.param(
        {"fingerprint": "SELECT 1"},
        {("fingerprint",): "only used with a database source"},
        id="fingerprint-with-file",
    ),
    pytest.param({"sample": {"fraction": 0.5, "seed": 7}}, {}, id="sample-fraction"),
    pytest.param({"sample": {"rows": 1000}}, {}, id="sample-rows"),
    pytest.param({"sample": {"fraction": 1}}, {}, id="sample-fraction-one"),
    pytest.param(
        {"sample": {"seed": 7}}, {("sample",): "exactly one of fraction"}, id="sample-neither"
    ),
    pytest.param(
        {"sample": {"fraction": 0.5, "rows": 10}}, {("sample",): "not both"}, id="sample-both"
    ),
    pytest.param(
        {"sample": {"fraction": 0}},
        {("sample", "fraction"): "more than 0 and at most 1"},
        id="fraction-zero",
    ),
    pytest.param(
        {"sample": {"fraction": 1.5}}, {("sample", "fraction"): "not 1.5"}, id="fraction-above-one"
    ),
    pytest.param({"sample": {"rows": 0}}, {("sample", "rows"): "at least 1"}, id="rows-zero"),
    pytest.param(
        {"sample": {"rows": 2.5}}, {("sample", "rows"): "whole number"}, id="rows-fractional"
    ),
    pytest.param(
        {"limit": 0}, {("limit",): "limit must be a whole number of at least 1"}, id="limit-zero"
    ),
    pytest.param({"limit": -5}, {("limit",): "not -5"}, id="limit-negative"),
    pytest.param({"columns": ["a", "b"]}, {}, id="columns"),
    pytest.param({"columns": []}, {("columns",): "columns is empty"}, id="columns-empty"),
    pytest.param(
        {"columns": ["a", "b", "a"]},
        {("columns", 2): 'column "a" is listed twice'},
        id="columns-twice",
    ),
    # Unknown values skip the checks that need them; sensitive ones are looked through.
    pytest.param({"source": UNKNOWN, "query": "SELECT 1"}, {}, id="unknown-source"),
    pytest.param({"sample": {"fraction": UNKNOWN}}, {}, id="unknown-fraction"),
    pytest.param({"sample": UNKNOWN, "limit": UNKNOWN}, {}, id="unknown-sample-limit"),
    pytest.param(
        {"columns": ["a", UNKNOWN, "a"]}, {("columns", 2): "listed twice"}, id="unknown-column"
    ),
    pytest.param(
        {"source": Sensitive("postgresql://user:secret@db/crm")},
        {("source",): "needs `query`"},
        id="sensitive-source",
    ),
    pytest.param({"limit": Sensitive(0)}, {("limit",): "at least 1"}, id="sensitive-limit"),
]


@pytest.mark.parametrize(("changes", "expected"), CASES)
def test_validate(changes: dict[str, Any], expected: dict[tuple[str | int, ...], str]) -> None:
    assert_validate_errors(providers.dataset.provider, {**MINIMAL, **changes}, expected)


def test_messages_say_what_to_do() -> None:
    [diagnostic] = validate_config(providers.dataset.provider, {"source": "sqlite:///x.db"})
    assert 'query = "SELECT * FROM customers"' in diagnostic.message
