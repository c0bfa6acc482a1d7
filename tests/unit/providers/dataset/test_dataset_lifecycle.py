"""Refresh, plan, apply of an update, and delete: drift when the source changes but not when
it is only touched, a dataset gone from the artifact store, what forces replacement."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import providers.dataset
from mlform.language.values import UNKNOWN, Sensitive
from mlform.sdk import DeleteRequest, ReadRequest

if TYPE_CHECKING:
    from conftest import Harness

CHURN: dict[str, Any] = {"source": "data/churn.csv", "where": "tenure > 0"}


def test_an_unchanged_source_is_no_drift_and_is_not_read_again(harness: Harness) -> None:
    outputs = harness.built(CHURN)
    hashed = len(harness.fingerprints.hashed)
    response = harness.read(CHURN, outputs)
    assert response.drift is None and not response.gone and not response.diagnostics
    assert response.outputs == outputs
    assert len(harness.fingerprints.hashed) == hashed  # the stat cache answered


def test_a_touched_but_unchanged_file_is_no_drift(harness: Harness) -> None:
    outputs = harness.built(CHURN)
    harness.touch(harness.config_dir / "data" / "churn.csv")
    hashed = len(harness.fingerprints.hashed)
    response = harness.read(CHURN, outputs)
    assert response.drift is None
    assert response.outputs == outputs
    assert len(harness.fingerprints.hashed) == hashed + 1  # read again, found the same


def test_a_changed_file_is_drift(harness: Harness) -> None:
    outputs = harness.built(CHURN)
    path = harness.config_dir / "data" / "churn.csv"
    path.write_text(path.read_text() + "7,3,basic,19.5,west,2023-04-01,0\n")
    response = harness.read(CHURN, outputs)
    assert response.drift == "the source changed: data/churn.csv"
    assert response.outputs["source_fingerprint"] != outputs["source_fingerprint"]
    assert {**response.outputs, "source_fingerprint": None} == {
        **outputs,
        "source_fingerprint": None,
    }
    assert not response.gone


def test_without_the_cores_fingerprinter_files_are_hashed(harness: Harness) -> None:
    outputs = harness.built(CHURN)
    request = ReadRequest("dataset.test", CHURN, outputs, config_dir=harness.config_dir)
    response = providers.dataset.provider.read(request)
    assert response.drift is None and not response.diagnostics


def test_a_dataset_missing_from_the_store_is_gone(harness: Harness) -> None:
    outputs = harness.built(CHURN)
    harness.store.files.clear()
    response = harness.read(CHURN, outputs)
    assert response.gone and response.drift is None


def test_verify_checks_the_stored_file_by_digest(harness: Harness) -> None:
    outputs = harness.built(CHURN)
    assert not harness.read(CHURN, outputs, verify=True).gone
    stored = harness.store.local_path(outputs["data"])
    stored.write_bytes(stored.read_bytes()[:-1] + b"\0")
    assert not harness.read(CHURN, outputs).gone  # exists: enough without verify
    assert harness.read(CHURN, outputs, verify=True).gone


def test_a_source_gone_is_an_error_on_refresh(harness: Harness) -> None:
    outputs = harness.built(CHURN)
    (harness.config_dir / "data" / "churn.csv").unlink()
    response = harness.read(CHURN, outputs)
    [error] = response.diagnostics
    assert error.path == ("source",) and "does not exist" in error.message
    assert response.outputs == outputs


def test_database_drift_through_the_fingerprint_query(
    harness: Harness, make_sqlite: Callable[[str], Path]
) -> None:
    path = make_sqlite("crm.db")
    config = {
        "source": "sqlite:///crm.db",
        "query": "SELECT customer_id, plan FROM customers",
        "fingerprint": "SELECT count(*), max(updated_at) FROM customers",
    }
    outputs = harness.built(config)
    assert harness.read(config, outputs).drift is None
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE customers SET tenure = 99, updated_at = '2025-01-01'")
    connection.close()
    response = harness.read(config, outputs)
    assert response.drift == (
        "the source changed: the result of the fingerprint query on sqlite:///crm.db"
    )


def test_database_drift_without_a_fingerprint_query(
    harness: Harness, make_sqlite: Callable[[str], Path]
) -> None:
    path = make_sqlite("crm.db")
    config = {"source": "sqlite:///crm.db", "query": "SELECT customer_id, plan FROM customers"}
    outputs = harness.built(config)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE customers SET tenure = 99")  # not a selected column
    connection.close()
    assert harness.read(config, outputs).drift is None
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE customers SET plan = 'gold' WHERE customer_id = 1")
    connection.close()
    assert harness.read(config, outputs).drift is not None


def test_sklearn_drift_is_a_new_scikit_learn(harness: Harness) -> None:
    config = {"source": "sklearn:wine"}
    outputs = {"id": "ab", "source_fingerprint": "sklearn:wine@scikit-learn==0.1"}
    response = harness.read(config, outputs)
    assert response.drift is not None
    assert response.drift.startswith("the source changed: sklearn:wine now comes with scikit")


def test_plan_a_create_fingerprints_the_source(harness: Harness) -> None:
    response = harness.plan(CHURN)
    assert response.requires_replace == [] and response.diagnostics == []
    planned = dict(response.planned_outputs)
    assert planned.pop("source_fingerprint") == harness.built(CHURN)["source_fingerprint"]
    assert planned == dict.fromkeys(["id", "rows", "schema", "data"], UNKNOWN)


def test_plan_a_create_with_an_unknown_source(harness: Harness) -> None:
    response = harness.plan({"source": UNKNOWN})
    assert set(response.planned_outputs.values()) == {UNKNOWN}
    assert response.diagnostics == []


def test_plan_a_create_of_a_missing_file_fails_early(harness: Harness) -> None:
    [error] = harness.plan({"source": "data/nope.csv"}).diagnostics
    assert error.path == ("source",) and "does not exist" in error.message


def test_plan_description_and_tags_update_in_place(harness: Harness) -> None:
    outputs = harness.built(CHURN)
    proposed = {**CHURN, "description": "customers", "tags": {"team": "growth"}}
    response = harness.plan(proposed, prior_inputs=CHURN, prior_outputs=outputs)
    assert response.requires_replace == []
    assert response.planned_outputs == outputs


def test_plan_any_other_change_replaces(harness: Harness) -> None:
    outputs = harness.built(CHURN)
    proposed = {**CHURN, "where": "tenure > 1", "sample": {"rows": 2}, "description": "x"}
    response = harness.plan(proposed, prior_inputs=CHURN, prior_outputs=outputs)
    assert sorted(response.requires_replace) == [("sample",), ("where",)]
    assert response.planned_outputs["id"] is UNKNOWN
    assert response.planned_outputs["source_fingerprint"] == outputs["source_fingerprint"]


def test_plan_an_unknown_input_replaces(harness: Harness) -> None:
    outputs = harness.built(CHURN)
    response = harness.plan({**CHURN, "limit": UNKNOWN}, CHURN, outputs)
    assert response.requires_replace == [("limit",)]
    assert response.planned_outputs["rows"] is UNKNOWN


def test_plan_looks_through_sensitive_marks(harness: Harness) -> None:
    outputs = harness.built(CHURN)
    proposed = {"source": Sensitive("data/churn.csv"), "where": Sensitive("tenure > 0")}
    assert harness.plan(proposed, CHURN, outputs).requires_replace == []


def test_apply_an_update_keeps_the_outputs(harness: Harness) -> None:
    outputs = harness.built(CHURN)
    response = harness.apply({**CHURN, "description": "customers"}, prior=outputs)
    assert response.outputs == outputs
    assert response.artifacts == [] and response.diagnostics == []


def test_delete_has_nothing_to_tear_down(harness: Harness) -> None:
    outputs = harness.built(CHURN)
    request = DeleteRequest("dataset.test", CHURN, outputs)
    assert providers.dataset.provider.delete(request).diagnostics == []
    assert harness.store.exists(outputs["data"])  # stored files stay for the build cache


def test_the_cores_fingerprinter_fits(harness: Harness) -> None:
    fingerprint = pytest.importorskip("mlform.artifacts.fingerprint")
    cached = fingerprint.CachedFingerprinter(fingerprint.MemoryStatCache(), racy_window_ns=0)
    outputs = harness.built(CHURN)
    request = ReadRequest(
        "dataset.test", CHURN, outputs, config_dir=harness.config_dir, fingerprints=cached
    )
    assert providers.dataset.provider.read(request).drift is None
    harness.touch(harness.config_dir / "data" / "churn.csv")
    assert providers.dataset.provider.read(request).drift is None
