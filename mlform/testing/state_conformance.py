"""The state store conformance suite: what every state backend must do, checked for real.

Use it from a backend's tests by naming a fresh, empty database that child processes can
open too (a SQLAlchemy URL, or the path of a SQLite file):

    class TestSqliteStateStore(StateStoreConformance):
        @pytest.fixture
        def state_url(self, tmp_path: Path) -> str:
            return str(tmp_path / "home" / "mlform.db")

Nothing is mocked: snapshots are taken while another connection writes, locks are contended
by other processes, and writers are killed with SIGKILL at chosen instants and at random ones
(the child processes are in `mlform.testing.state_workers`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text, update

from mlform.addresses import Address
from mlform.artifacts import LocalArtifactStore, hash_bytes
from mlform.state import (
    SCHEMA_VERSION,
    ArtifactRecord,
    Build,
    LockInfo,
    LockNotFoundError,
    MetricPoint,
    ObjectStatus,
    ResourceInstance,
    RootOutput,
    Run,
    RunOperation,
    RunStatus,
    SchemaVersionError,
    StateError,
    StateLockedError,
    StateStore,
    acquire,
)
from mlform.state.collect import ForgottenArtifacts
from mlform.state.migrations import Migration, Schema
from mlform.state.models import workspace_table
from mlform.testing import state_workers
from mlform.testing.state_workers import CRASH_POINTS, Child

KEY = "examples/churn:default"
OTHER = "examples/churn:staging"
DIGEST = "ab" * 32

OpenStore = Callable[..., StateStore]


def instance(number: int = 0, **changes: Any) -> ResourceInstance:
    values: dict[str, Any] = {"address": Address("dataset", "d", key=number)}
    values.update(changes)
    return ResourceInstance(**values)


class StateStoreConformance:
    """Subclass it and define the `state_url` fixture: a fresh, empty database per test."""

    @pytest.fixture
    def state_url(self) -> str:
        raise NotImplementedError("a StateStoreConformance subclass defines state_url")

    @pytest.fixture
    def open_store(self, state_url: str) -> Iterator[OpenStore]:
        """Opens the test's database, as often as asked (one engine each); closes them after."""
        opened: list[StateStore] = []

        def open_store(**options: Any) -> StateStore:
            store = StateStore.open(state_url, **options)
            opened.append(store)
            return store

        yield open_store
        for store in opened:
            store.close()

    # workspaces and instances ---------------------------------------------------------------

    def test_a_workspace_never_written_is_empty(self, open_store: OpenStore) -> None:
        store = open_store()
        snapshot = store.snapshot(KEY)
        assert (snapshot.lineage, snapshot.serial, snapshot.instances) == (None, 0, ())
        assert store.workspace(KEY) is None
        assert store.runs(KEY) == [] and store.metric_history(KEY) == []
        assert store.current_lock(KEY) is None and store.stat_cache_get("/nowhere") is None

    def test_instances_round_trip_with_every_field(self, open_store: OpenStore) -> None:
        store = open_store()
        store.record_artifact(DIGEST, 10, "/artifacts")
        started = datetime(2024, 5, 1, 12, 0, 3, 250000, tzinfo=UTC)
        recorded = ResourceInstance(
            Address("model", "churn", key="deep"),
            status=ObjectStatus.TAINTED,
            inputs={"params": {"max_depth": 8, "eta": 0.1}, "label": "churned", "tags": None},
            outputs={"history": [0.5, 0.25], "format": "ubj"},
            id=DIGEST,
            build_key="build-1",
            artifacts={"model": DIGEST},
            started=started,
            finished=started + timedelta(seconds=42),
            duration=41.5,
            library_versions={"xgboost": "3.0.2"},
            config_commit="9535127",
            dependencies=(Address("split", "churn"), Address("dataset", "churn")),
        )
        store.record_instance(KEY, recorded)
        read = open_store().snapshot(KEY).instance(recorded.address)
        assert read == recorded
        assert read is not None and read.tainted and read.kind == "model"
        assert read.started is not None and read.started.utcoffset() == timedelta(0)

    def test_serial_counts_writes_and_lineage_never_changes(self, open_store: OpenStore) -> None:
        store = open_store()
        assert store.record_instance(KEY, instance(0)) == 1
        lineage = store.snapshot(KEY).lineage
        assert lineage is not None
        assert store.record_instance(KEY, instance(1)) == 2
        assert store.record_instance(KEY, instance(1, outputs={"rows": 3})) == 3
        assert store.remove_instance(KEY, instance(0).address) == 4
        assert store.remove_instance(KEY, instance(0).address) == 4  # nothing to remove
        assert store.remove_instance(KEY, instance(1).address) == 5
        snapshot = open_store().snapshot(KEY)
        assert (snapshot.lineage, snapshot.serial, snapshot.instances) == (lineage, 5, ())
        other = store.create_workspace(OTHER)
        assert other.serial == 0 and other.lineage != lineage
        assert store.record_instance(OTHER, instance(0)) == 1
        assert [workspace.key for workspace in store.workspaces()] == sorted([KEY, OTHER])

    def test_snapshot_lists_instances_in_address_order(self, open_store: OpenStore) -> None:
        store = open_store()
        for number in (10, 2, 1):
            store.record_instance(KEY, instance(number))
        store.record_instance(KEY, ResourceInstance(Address("dataset", "a")))
        snapshot = store.snapshot(KEY)
        assert [str(address) for address in snapshot.addresses()] == [
            "dataset.a", "dataset.d[1]", "dataset.d[2]", "dataset.d[10]",
        ]  # fmt: skip
        assert len(snapshot.resource("dataset", "d")) == 3

    def test_builds_outlive_their_instances(self, open_store: OpenStore) -> None:
        store = open_store()
        store.record_artifact(DIGEST, 10, "/artifacts")
        built = instance(0, id=DIGEST, build_key="key-1", artifacts={"data": DIGEST}, duration=2.0)
        store.record_instance(KEY, built)
        store.record_instance(KEY, instance(1, build_key="key-2", status=ObjectStatus.TAINTED))
        store.remove_instance(KEY, built.address)
        build = store.find_build("key-1")
        assert build is not None
        assert (build.kind, build.id, build.artifacts, build.duration) == (
            "dataset", DIGEST, {"data": DIGEST}, 2.0,
        )  # fmt: skip
        assert store.find_build("key-2") is None  # a tainted object is no build to restore

    def test_root_outputs_round_trip_and_count_as_a_write(self, open_store: OpenStore) -> None:
        store = open_store()
        assert store.snapshot(KEY).outputs == {}
        assert store.record_outputs(KEY, {"rows": RootOutput(3)}) == 1  # creates the workspace
        lineage = store.snapshot(KEY).lineage
        assert lineage is not None
        assert store.record_instance(KEY, instance(0)) == 2
        outputs = {
            "endpoint": RootOutput({"url": "http://localhost:8080/", "replicas": [1, 2]}),
            "token": RootOutput("s3crét", sensitive=True),
            "auc": RootOutput(0.8125),
            "nothing": RootOutput(None),
        }
        assert store.record_outputs(KEY, outputs) == 3
        snapshot = open_store().snapshot(KEY)
        assert (snapshot.lineage, snapshot.serial, snapshot.outputs) == (lineage, 3, outputs)
        assert snapshot.addresses() == [instance(0).address]
        assert store.record_instance(KEY, instance(1)) == 4  # instances leave outputs alone
        assert store.snapshot(KEY).outputs == outputs
        assert store.snapshot(OTHER).outputs == {}
        assert store.record_outputs(KEY, {"auc": RootOutput(0.9)}) == 5  # replaced, not merged
        assert store.snapshot(KEY).outputs == {"auc": RootOutput(0.9)}
        assert store.record_outputs(KEY, {}) == 6
        assert store.snapshot(KEY).outputs == {} and store.snapshot(KEY).lineage == lineage

    # artifacts, history, stat cache ---------------------------------------------------------

    def test_an_instance_cannot_use_an_unrecorded_artifact(self, open_store: OpenStore) -> None:
        store = open_store()
        with pytest.raises(StateError, match="not recorded as stored"):
            store.record_instance(KEY, instance(0, artifacts={"data": DIGEST}))
        assert store.snapshot(KEY).serial == 0

    def test_artifact_records_and_references(self, open_store: OpenStore) -> None:
        store = open_store()
        store.record_artifact(DIGEST, 10, "/first")
        store.record_artifact(DIGEST, 10, "/second")
        record = store.artifact(DIGEST)
        assert record is not None and (record.size, record.location) == (10, "/second")
        store.record_instance(KEY, instance(0, artifacts={"data": DIGEST}))
        store.record_instance(OTHER, instance(1, artifacts={"train": DIGEST}))
        references = {
            (ref.workspace_key, str(ref.address), ref.name) for ref in store.artifact_refs(DIGEST)
        }
        assert references == {(KEY, "dataset.d[0]", "data"), (OTHER, "dataset.d[1]", "train")}
        store.remove_instance(KEY, instance(0).address)
        assert [ref.workspace_key for ref in store.artifact_refs(DIGEST)] == [OTHER]
        assert [artifact.digest for artifact in store.artifacts()] == [DIGEST]
        with pytest.raises(StateError):
            store.record_artifact("../../etc/passwd", 1, "/")

    def test_runs_and_metric_history(self, open_store: OpenStore) -> None:
        store = open_store()
        started = datetime.now(UTC)
        running = Run("run-1", RunOperation.APPLY, RunStatus.RUNNING, started, who="me@here")
        store.record_run(
            KEY, Run("run-0", RunOperation.PLAN, RunStatus.SUCCEEDED, started - timedelta(hours=1))
        )
        store.record_run(KEY, running)
        finished = Run(
            "run-1", RunOperation.APPLY, RunStatus.SUCCEEDED, started,
            finished=started + timedelta(seconds=5), who="me@here", serial=3,
            summary={"add": 2, "change": 0, "destroy": 0},
        )  # fmt: skip
        store.record_run(KEY, finished)
        assert store.runs(KEY) == [finished, store.runs(KEY, limit=2)[1]]
        assert [run.id for run in store.runs(KEY, limit=1)] == ["run-1"]
        model = Address("evaluation", "churn")
        points = [
            MetricPoint(model, "auc", 0.81, recorded=started),
            MetricPoint(model, "auc", 0.84, slice="plan=basic", run_id="run-1", recorded=started),
            MetricPoint(model, "logloss", 0.3, recorded=started),
            MetricPoint(model, "auc", 0.86, recorded=started + timedelta(days=1)),
        ]
        store.record_metrics(KEY, points)
        assert store.metric_history(KEY, model, "auc") == [points[0], points[1], points[3]]
        assert len(store.metric_history(KEY)) == 4 and store.metric_history(OTHER) == []

    def test_stat_cache_round_trip(self, open_store: OpenStore) -> None:
        from mlform.artifacts import StatEntry

        store = open_store()
        store.create_workspace(KEY)
        entry = StatEntry(
            "/data/churn.csv",
            2**64 - 5,
            1 << 30,
            1_700_000_000_123_456_789,
            1_700_000_000_123_456_789,
            DIGEST,
            1_700_000_100_000_000_000,
        )
        store.stat_cache_put(entry)
        assert open_store().stat_cache_get(entry.path) == entry
        changed = StatEntry(entry.path, 7, 1, 2, 3, "cd" * 32, 4)
        store.stat_cache_put(changed)
        assert store.stat_cache_get(entry.path) == changed

    # garbage collection (mlform.state.collect) ---------------------------------------------

    def test_unreferenced_artifacts_are_those_no_workspace_uses(
        self, open_store: OpenStore
    ) -> None:
        store = open_store()
        assert store.unreferenced_artifacts() == [] and store.builds_needing([DIGEST]) == []
        first, second, third = "a1" * 32, "b2" * 32, "c3" * 32
        for digest in (third, first, second):
            store.record_artifact(digest, 10, "/artifacts")
        store.record_instance(KEY, instance(0, artifacts={"data": first}))
        store.record_instance(OTHER, instance(0, artifacts={"data": second, "extra": first}))
        assert digests(store.unreferenced_artifacts()) == [third]
        store.remove_instance(KEY, instance(0).address)
        assert digests(store.unreferenced_artifacts()) == [third]  # OTHER uses it still
        store.record_instance(OTHER, instance(0, artifacts={"data": third}))  # replaced
        unused = store.unreferenced_artifacts()
        assert digests(unused) == [first, second]
        assert (unused[0].size, unused[0].location) == (10, "/artifacts")

    def test_forgetting_artifacts_removes_the_builds_that_need_them(
        self, open_store: OpenStore
    ) -> None:
        store = open_store()
        first, second, third, unrecorded = "a1" * 32, "b2" * 32, "c3" * 32, "d4" * 32
        for digest in (first, second, third):
            store.record_artifact(digest, 10, "/artifacts")
        store.record_instance(
            KEY, instance(0, build_key="both", artifacts={"a": first, "b": second})
        )
        store.record_instance(KEY, instance(1, build_key="third", artifacts={"c": third}))
        store.record_instance(KEY, instance(2, build_key="none"))
        store.remove_instance(KEY, instance(0).address)  # its build stays, for the cache
        assert build_keys(store.builds_needing([second])) == ["both"]
        assert build_keys(store.builds_needing([third, first])) == ["both", "third"]
        assert store.builds_needing([]) == [] and store.builds_needing([unrecorded]) == []
        serial = store.snapshot(KEY).serial
        forgotten = store.forget_artifacts([first, third, unrecorded])
        assert forgotten.digests == {first, unrecorded}  # third is in use: kept
        assert build_keys(forgotten.builds) == ["both"]
        assert forgotten.builds[0].artifacts == {"a": first, "b": second}
        assert store.find_build("both") is None
        assert store.find_build("third") is not None and store.find_build("none") is not None
        assert store.artifact(first) is None
        assert store.artifact(second) is not None and store.artifact(third) is not None
        snapshot = store.snapshot(KEY)
        assert snapshot.serial == serial  # no workspace changed
        used = snapshot.instance(instance(1).address)
        assert used is not None and used.artifacts == {"c": third}
        assert store.forget_artifacts([]) == ForgottenArtifacts()

    def test_forgetting_artifacts_refuses_while_another_lock_is_held(
        self, open_store: OpenStore
    ) -> None:
        store = open_store()
        store.record_artifact(DIGEST, 10, "/artifacts")
        held = store.lock(OTHER, LockInfo.for_this_process("apply"))
        with pytest.raises(StateLockedError) as locked:
            store.forget_artifacts([DIGEST])
        assert locked.value.workspace_key == OTHER and locked.value.holder.id == held
        assert store.artifact(DIGEST) is not None
        own = store.lock(KEY, LockInfo.for_this_process("gc"))
        with pytest.raises(StateLockedError):
            store.forget_artifacts([DIGEST], own_locks=[own])
        assert store.forget_artifacts([DIGEST], own_locks=[own, held]).digests == {DIGEST}
        assert store.artifact(DIGEST) is None

    def test_forgetting_artifacts_is_undone_when_before_commit_fails(
        self, open_store: OpenStore
    ) -> None:
        store = open_store()
        store.record_artifact(DIGEST, 10, "/artifacts")
        store.record_instance(KEY, instance(0, build_key="key-1", artifacts={"data": DIGEST}))
        store.remove_instance(KEY, instance(0).address)
        seen: list[frozenset[str]] = []

        def fail(forgotten: frozenset[str]) -> None:
            seen.append(forgotten)
            raise OSError("read-only file system")

        with pytest.raises(OSError, match="read-only"):
            store.forget_artifacts([DIGEST], before_commit=fail)
        assert seen == [frozenset({DIGEST})]
        assert store.artifact(DIGEST) is not None and store.find_build("key-1") is not None

    def test_no_lock_can_be_taken_until_forgotten_artifacts_are_committed(
        self, open_store: OpenStore
    ) -> None:
        """The files go in `before_commit`; an apply that locked its workspace meanwhile
        could store one of them again and record it after the collection deleted it."""
        store, applying = open_store(), open_store()
        store.record_artifact(DIGEST, 10, "/artifacts")
        applying.create_workspace(KEY)  # its engine ready: only the lock is left to wait for
        taken = threading.Event()
        lock_ids: list[str] = []
        blocked: list[bool] = []

        def take_lock() -> None:
            lock_ids.append(applying.lock(KEY, LockInfo.for_this_process("apply")))
            taken.set()

        thread = threading.Thread(target=take_lock)

        def while_forgetting(forgotten: frozenset[str]) -> None:
            thread.start()
            blocked.append(not taken.wait(0.5))

        store.forget_artifacts([DIGEST], before_commit=while_forgetting)
        assert taken.wait(10)
        thread.join()
        assert blocked == [True]
        held = store.current_lock(KEY)
        assert held is not None and [held.id] == lock_ids and store.artifact(DIGEST) is None

    # concurrency ----------------------------------------------------------------------------

    def test_snapshots_are_consistent_while_another_connection_writes(
        self, open_store: OpenStore
    ) -> None:
        reader, writer = open_store(), open_store()
        done = threading.Event()
        failures: list[BaseException] = []

        def write() -> None:
            try:
                for number in range(40):
                    writer.record_instance(KEY, instance(number))
            except BaseException as error:
                failures.append(error)
            finally:
                done.set()

        thread = threading.Thread(target=write)
        thread.start()
        serials = []
        while not done.is_set():
            snapshot = reader.snapshot(KEY)
            assert len(snapshot.instances) == snapshot.serial  # one write, one instance
            serials.append(snapshot.serial)
        thread.join()
        assert not failures
        assert serials == sorted(serials) and len(set(serials)) > 2

    def test_writers_racing_to_create_a_workspace_or_take_a_lock_all_succeed(
        self, open_store: OpenStore
    ) -> None:
        stores = [open_store() for _ in range(6)]
        start = threading.Barrier(len(stores))
        failures: list[BaseException] = []
        taken: list[str] = []

        def race(store: StateStore, number: int) -> None:
            try:
                start.wait(10)
                for key in (KEY, OTHER):  # each the first write to its workspace, for all
                    store.record_instance(key, instance(number))
                with contextlib.suppress(StateLockedError):
                    taken.append(store.lock(KEY, LockInfo.for_this_process("apply")))
            except BaseException as error:
                failures.append(error)

        threads = [
            threading.Thread(target=race, args=(store, number))
            for number, store in enumerate(stores)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == [] and len(taken) == 1
        for key in (KEY, OTHER):
            snapshot = open_store().snapshot(key)
            assert snapshot.serial == len(snapshot.instances) == len(stores)

    def test_a_snapshot_never_waits_for_a_writer(self, open_store: OpenStore) -> None:
        store = open_store()
        store.record_instance(KEY, instance(0))
        writer = open_store()
        with writer.engine.connect() as connection:
            transaction = connection.begin()  # holds the write lock until rolled back
            connection.execute(update(workspace_table).values(serial=99))
            start = time.monotonic()
            snapshot = store.snapshot(KEY)
            elapsed = time.monotonic() - start
            transaction.rollback()
        assert snapshot.serial == 1 and elapsed < 1.0

    # schema versions ------------------------------------------------------------------------

    def test_an_older_database_is_migrated_and_a_newer_one_refused(
        self, open_store: OpenStore
    ) -> None:
        store = open_store()
        store.record_instance(KEY, instance(0))
        assert store.schema_version() == SCHEMA_VERSION
        store.close()
        newer = SCHEMA_VERSION + 1

        def add_notes(connection: Any) -> None:
            connection.execute(text("CREATE TABLE conformance_notes (note VARCHAR(10))"))

        schema = Schema(newer, (Migration(newer, "add notes", add_notes),))
        migrated = open_store(schema=schema)
        assert migrated.snapshot(KEY).addresses() == [instance(0).address]  # reading migrates
        assert migrated.schema_version() == newer
        assert inspect(migrated.engine).has_table("conformance_notes")
        migrated.close()
        with pytest.raises(SchemaVersionError) as refused:
            open_store().snapshot(KEY)
        message = str(refused.value)
        assert f"schema version {newer}" in message
        assert f"schema version {SCHEMA_VERSION} at most" in message

    # locks ----------------------------------------------------------------------------------

    def test_a_lock_held_by_another_process_is_waited_for_then_reported(
        self, state_url: str, open_store: OpenStore
    ) -> None:
        holder = Child(state_workers.hold_lock, state_url, KEY, "apply")
        try:
            lock_id = holder.expect("locked")[1]
            store = open_store()
            start = time.monotonic()
            with pytest.raises(StateLockedError) as locked:
                acquire(store, KEY, "destroy", timeout=0)
            assert time.monotonic() - start < 1.0
            lines = str(locked.value).splitlines()
            assert lines[0] == "State is locked"
            assert f"  ID:        {lock_id}" in lines
            assert "  Operation: apply" in lines
            assert f"  Who:       {LockInfo.for_this_process('x').who}" in lines
            assert f"  PID:       {holder.pid}" in lines
            assert any(line.startswith("  Age:       ") for line in lines)
            assert f"mlform force-unlock {lock_id}" in lines[-1]
            start = time.monotonic()
            with pytest.raises(StateLockedError):
                acquire(store, KEY, "apply", timeout=0.4)
            assert time.monotonic() - start >= 0.4
            assert acquire(store, OTHER, "apply").released_stale == ()  # other workspace
            holder.send(0.3)
            start = time.monotonic()
            acquired = acquire(store, KEY, "apply", timeout=10)
            assert time.monotonic() - start >= 0.2 and acquired.released_stale == ()
            store.unlock(acquired.info.id)
            holder.expect("unlocked")
        finally:
            holder.kill()

    def test_a_lock_left_by_a_killed_process_is_released(
        self, state_url: str, open_store: OpenStore
    ) -> None:
        holder = Child(state_workers.hold_lock, state_url, KEY, "apply")
        lock_id = holder.expect("locked")[1]
        holder.kill()
        store = open_store()
        held = store.current_lock(KEY)
        assert held is not None and held.id == lock_id
        acquired = acquire(store, KEY, "destroy")
        assert [stale.id for stale in acquired.released_stale] == [lock_id]
        assert lock_id in acquired.notes[0] and "no longer runs" in acquired.notes[0]
        now_held = store.current_lock(KEY)
        assert now_held is not None and now_held.id == acquired.info.id

    def test_force_unlock_releases_any_lock(self, open_store: OpenStore) -> None:
        store = open_store()
        elsewhere = LockInfo(
            str(uuid.uuid4()), "apply", "ci@runner-7", "runner-7", 4242,
            datetime.now(UTC) - timedelta(minutes=3, seconds=4),
        )  # fmt: skip
        assert store.lock(KEY, elsewhere) == elsewhere.id
        with pytest.raises(StateLockedError) as locked:
            acquire(store, KEY, "apply")  # another host's process is never presumed dead
        assert "  Age:       3m 4s (since " in str(locked.value)
        with pytest.raises(LockNotFoundError) as missing:
            store.force_unlock("no-such-lock")
        assert elsewhere.id in str(missing.value)
        assert store.force_unlock(elsewhere.id) == elsewhere
        assert store.current_lock(KEY) is None
        with pytest.raises(LockNotFoundError):
            store.unlock(elsewhere.id)

    # crashes --------------------------------------------------------------------------------

    def test_a_writer_killed_at_any_instant_leaves_a_consistent_state(
        self, state_url: str, open_store: OpenStore, tmp_path: Path
    ) -> None:
        open_store().create_workspace("setup:default")  # created before the writers race
        random_kills = ("random-1", "random-2")
        children = {}
        for point in (*CRASH_POINTS, *random_kills):
            crash = point if point in CRASH_POINTS else "none"
            artifacts = str(tmp_path / point)
            children[point] = Child(state_workers.write, state_url, artifacts, point, crash, 100)
            if point in CRASH_POINTS:
                children[point].send("go")
        for delay, point in enumerate(random_kills):
            children[point].send("go")
            children[point].expect("recorded")
            time.sleep(0.005 * delay)
            children[point].kill()
        for point, child in children.items():
            assert child.finish() == -signal.SIGKILL, (point, child.messages)
        store = open_store()
        check_consistent(store, [tmp_path / point for point in children])
        for point, child in children.items():
            recorded = child.count("recorded")
            serial = store.snapshot(point).serial
            expected = (2,) if point in CRASH_POINTS else (recorded, recorded + 1)
            assert serial in expected, (point, child.messages, serial)
        third = {point: hash_bytes(state_workers.content(point, 3)) for point in CRASH_POINTS}
        for point in ("partial-write", "before-rename"):
            assert os.listdir(tmp_path / point / ".partial"), point  # left behind, invisible
            assert not LocalArtifactStore(tmp_path / point).exists(third[point])
        orphan = third["after-rename"]  # stored completely, killed before it was recorded
        assert LocalArtifactStore(tmp_path / "after-rename").verify(orphan)
        assert store.artifact(orphan) is None
        assert store.artifact(third["before-commit"]) is not None
        assert store.record_instance("partial-write", instance(9)) == 3  # still writable
        assert acquire(store, "partial-write", "apply").released_stale == ()


def digests(artifacts: Iterable[ArtifactRecord]) -> list[str]:
    return [artifact.digest for artifact in artifacts]


def build_keys(builds: Iterable[Build]) -> list[str]:
    return [build.build_key for build in builds]


def check_consistent(store: StateStore, artifact_roots: Iterable[str | Path]) -> None:
    """What must hold after any crash: a sound database, every recorded artifact complete,
    every artifact an instance uses recorded, and every file under a digest's name complete."""
    if store.engine.dialect.name == "sqlite":
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    records = store.artifacts()
    for record in records:
        assert LocalArtifactStore(record.location).verify(record.digest), record
    recorded = {record.digest for record in records}
    for workspace in store.workspaces():
        for used in store.snapshot(workspace.key).instances:
            assert set(used.artifacts.values()) <= recorded, used
    for root in artifact_roots:
        files = LocalArtifactStore(root)
        for digest in files.digests():
            assert files.verify(digest), (root, digest)
