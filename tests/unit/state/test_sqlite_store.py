"""What only the SQLite store does: lazy creation, WAL, busy waits, many threads."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from mlform.addresses import Address
from mlform.artifacts import StatEntry
from mlform.state import ResourceInstance, StateError, StateStore

KEY = "config:default"


def test_reading_a_missing_home_creates_nothing(tmp_path: Path) -> None:
    home = tmp_path / "state"
    store = StateStore.open(home / "mlform.db")
    assert not store.exists and store.schema_version() is None
    assert store.snapshot(KEY).serial == 0 and store.workspace(KEY) is None
    assert store.workspaces() == [] and store.runs(KEY) == [] and store.metric_history(KEY) == []
    assert store.artifacts() == [] and store.artifact("ab" * 32) is None
    assert store.artifact_refs("ab" * 32) == [] and store.find_build("key") is None
    assert store.current_lock(KEY) is None and store.locks() == {}
    assert store.stat_cache_get("/data.csv") is None
    store.stat_cache_put(StatEntry("/data.csv", 1, 2, 3, 4, "ab" * 32, 5))  # a cache: dropped
    assert not home.exists()


def test_the_first_write_creates_a_wal_database(tmp_path: Path) -> None:
    path = tmp_path / "state" / "mlform.db"
    with StateStore.open(path, busy_timeout=2.5) as store:
        store.record_instance(KEY, ResourceInstance(Address("dataset", "churn")))
        assert path.is_file() and store.exists
        with store.engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA busy_timeout").scalar() == 2500
            assert pragma("PRAGMA foreign_keys").scalar() == 1


def test_an_empty_database_file_reads_as_empty_and_is_set_up_on_write(tmp_path: Path) -> None:
    path = tmp_path / "mlform.db"
    path.touch()  # as left by a process killed before it created the tables
    with StateStore.open(path) as store:
        assert store.snapshot(KEY).lineage is None and store.schema_version() is None
        assert store.record_instance(KEY, ResourceInstance(Address("dataset", "churn"))) == 1


def test_a_sqlite_url_names_the_same_database(tmp_path: Path) -> None:
    with StateStore.open(tmp_path / "mlform.db") as store:
        store.record_instance(KEY, ResourceInstance(Address("dataset", "churn")))
    with StateStore.open(f"sqlite:///{tmp_path / 'mlform.db'}") as store:
        assert store.snapshot(KEY).serial == 1
    with pytest.raises(StateError, match="in-memory"):
        StateStore.open("sqlite://")


def test_a_writer_waits_for_another_writer_then_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "mlform.db"
    holder = StateStore.open(path)
    holder.create_workspace(KEY)

    locked = threading.Event()

    def hold(seconds: float) -> None:
        with holder.engine.connect() as connection:
            connection.begin()  # BEGIN IMMEDIATE: the write lock
            locked.set()
            time.sleep(seconds)
            connection.rollback()

    patient = StateStore.open(path, busy_timeout=5)
    thread = threading.Thread(target=hold, args=(0.3,))
    thread.start()
    assert locked.wait(10)
    start = time.monotonic()
    patient.record_instance(KEY, ResourceInstance(Address("dataset", "a")))
    assert time.monotonic() - start >= 0.15
    thread.join()

    impatient = StateStore.open(path, busy_timeout=0.1)
    impatient.snapshot(KEY)  # opened before the lock is taken
    locked.clear()
    thread = threading.Thread(target=hold, args=(0.6,))
    thread.start()
    assert locked.wait(10)
    with pytest.raises(StateError, match=r"stayed busy for 0\.1s"):
        impatient.record_instance(KEY, ResourceInstance(Address("dataset", "b")))
    assert impatient.snapshot(KEY).serial == 1  # readers still read
    thread.join()
    for store in (holder, patient, impatient):
        store.close()


def test_one_store_serves_many_threads(tmp_path: Path) -> None:
    store = StateStore.open(tmp_path / "mlform.db")
    store.create_workspace(KEY)

    def record(start: int) -> None:
        for number in range(start, start + 10):
            store.record_instance(KEY, ResourceInstance(Address("model", "m", key=number)))

    threads = [threading.Thread(target=record, args=(start,)) for start in (0, 10, 20, 30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    snapshot = store.snapshot(KEY)
    assert snapshot.serial == 40 and len(snapshot.instances) == 40
    store.close()
