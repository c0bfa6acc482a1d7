"""Garbage collection on a real SQLite state and a real artifact store (mlform.state.collect)."""

from __future__ import annotations

import errno
import os
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mlform.addresses import Address
from mlform.artifacts import ArtifactError, LocalArtifactStore
from mlform.cli.gc_command import human_size, report_lines
from mlform.state import (
    ArtifactRecord,
    LockInfo,
    ObjectStatus,
    ResourceInstance,
    StateLockedError,
    StateStore,
)
from mlform.state.collect import GarbageCollection, collect_garbage

KEY = "churn:default"
OTHER = "churn:staging"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def store(home: Path) -> Iterator[StateStore]:
    with StateStore.open(home / "mlform.db") as opened:
        yield opened


@pytest.fixture
def files(home: Path) -> LocalArtifactStore:
    return LocalArtifactStore(home / "artifacts")


def stored(store: StateStore, files: LocalArtifactStore, data: bytes) -> str:
    """Store and record an artifact, as apply does."""
    artifact = files.put_bytes(data)
    store.record_artifact(artifact.digest, artifact.size, files.location)
    return artifact.digest


def dataset(name: str, build_key: str | None = None, **artifacts: str) -> ResourceInstance:
    return ResourceInstance(Address("dataset", name), build_key=build_key, artifacts=artifacts)


def another_host_lock(operation: str = "apply") -> LockInfo:
    """A lock held by a process on another machine, which is never presumed dead."""
    created = datetime.now(UTC) - timedelta(minutes=2)
    return LockInfo(str(uuid.uuid4()), operation, "ci@runner-7", "runner-7", 4242, created)


@pytest.fixture
def destroyed(store: StateStore, files: LocalArtifactStore) -> dict[str, str]:
    """Two workspaces; `kept` is used by both, `shared` by staging only, and `old` and
    `gone` were used by resources since destroyed or replaced (their builds kept)."""
    digests = {
        name: stored(store, files, data)
        for name, data in {
            "kept": b"k" * 100,
            "shared": b"s" * 2000,
            "old": b"o" * 3000,
            "gone": b"g" * 40,
        }.items()
    }
    store.record_instance(KEY, dataset("customers", "key-kept", data=digests["kept"]))
    store.record_instance(KEY, dataset("orders", "key-old", data=digests["old"]))
    store.record_instance(KEY, dataset("orders", "key-shared", data=digests["shared"]))  # replaced
    store.record_instance(KEY, dataset("regions", "key-gone", data=digests["gone"]))
    store.remove_instance(KEY, Address("dataset", "regions"))  # destroyed
    store.record_instance(OTHER, dataset("customers", "key-kept", data=digests["kept"]))
    store.record_instance(OTHER, dataset("orders", "key-shared", data=digests["shared"]))
    store.remove_instance(KEY, Address("dataset", "orders"))  # destroyed here, used in staging
    return digests


def test_a_state_home_never_written_has_nothing_to_collect(
    home: Path, store: StateStore, files: LocalArtifactStore
) -> None:
    for dry_run in (True, False):
        collected = collect_garbage(store, files, dry_run=dry_run)
        assert collected.empty and collected.dry_run == dry_run and collected.freed == 0
    assert not home.exists()
    assert store.unreferenced_artifacts() == [] and store.builds_needing(["ab" * 32]) == []
    assert report_lines(GarbageCollection()) == [
        ("Nothing to collect: every stored artifact is in use.", "bold green")
    ]


def test_what_no_workspace_uses_is_removed_with_its_builds(
    store: StateStore, files: LocalArtifactStore, destroyed: dict[str, str]
) -> None:
    collected = collect_garbage(store, files)
    assert not collected.dry_run and collected.notes == ()
    assert [artifact.digest for artifact in collected.artifacts] == sorted(
        [destroyed["old"], destroyed["gone"]]
    )
    assert all(artifact.recorded and artifact.stored for artifact in collected.artifacts)
    assert collected.freed == 3040
    assert sorted(build.build_key for build in collected.builds) == ["key-gone", "key-old"]
    assert set(files.digests()) == {destroyed["kept"], destroyed["shared"]}
    assert {record.digest for record in store.artifacts()} == set(files.digests())
    assert store.find_build("key-old") is None and store.find_build("key-gone") is None
    assert store.find_build("key-kept") is not None and store.find_build("key-shared") is not None
    assert store.locks() == {}  # every workspace lock released
    assert report_lines(collected) == [
        ("Removed 2 artifacts (3.0 kB freed) and 2 cached builds.", "bold green")
    ]
    again = collect_garbage(store, files)
    assert again.empty


def test_a_dry_run_lists_what_would_go_and_changes_nothing(
    store: StateStore, files: LocalArtifactStore, destroyed: dict[str, str]
) -> None:
    records_before, files_before = store.artifacts(), sorted(files.digests())
    serials = {key: store.snapshot(key).serial for key in (KEY, OTHER)}
    collected = collect_garbage(store, files, dry_run=True)
    assert collected.dry_run and collected.freed == 3040
    assert {artifact.digest for artifact in collected.artifacts} == {
        destroyed["old"],
        destroyed["gone"],
    }
    assert sorted(build.build_key for build in collected.builds) == ["key-gone", "key-old"]
    assert store.artifacts() == records_before and sorted(files.digests()) == files_before
    assert store.find_build("key-old") is not None and store.find_build("key-gone") is not None
    assert {key: store.snapshot(key).serial for key in (KEY, OTHER)} == serials
    assert store.locks() == {}
    lines = [text for text, _ in report_lines(collected)]
    assert lines[0] == "mlform gc would remove:"
    assert f"  - artifact {destroyed['old']} (3.0 kB, used by no workspace)" in lines
    assert "  - cached build key-old (dataset)" in lines
    assert lines[-1] == (
        "Dry run: would remove 2 artifacts (3.0 kB) and 2 cached builds. "
        "Nothing was changed; run mlform gc to do it."
    )
    assert collect_garbage(store, files).artifacts == collected.artifacts  # as announced


def test_stray_files_and_old_partial_writes_are_removed(
    store: StateStore, files: LocalArtifactStore
) -> None:
    used = stored(store, files, b"used")
    store.record_instance(KEY, dataset("customers", data=used))
    stray = files.put_bytes(b"stored, then the apply was killed before recording it").digest
    partial = files.root / ".partial"
    old, young = partial / "123-old", partial / "123-young"
    old.write_bytes(b"half")
    young.write_bytes(b"being written")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))

    dry = collect_garbage(store, files, dry_run=True)
    assert [(a.digest, a.recorded, a.stored) for a in dry.artifacts] == [(stray, False, True)]
    assert dry.partial_writes == 1 and dry.builds == () and old.exists()
    lines = [text for text, _ in report_lines(dry)]
    assert any("not recorded in the state: left by an interrupted apply" in line for line in lines)
    assert "  - 1 unfinished write older than an hour" in lines

    collected = collect_garbage(store, files)
    assert [artifact.digest for artifact in collected.artifacts] == [stray]
    assert collected.freed == 53 and collected.partial_writes == 1
    assert set(files.digests()) == {used}
    assert not old.exists() and young.exists()  # a write in progress survives
    assert [text for text, _ in report_lines(collected)] == [
        "Removed 1 artifact (53 B freed) and 0 cached builds.",
        "Removed 1 unfinished write left by interrupted applies.",
    ]


def test_a_record_whose_file_is_gone_is_forgotten_with_its_build(
    store: StateStore, files: LocalArtifactStore
) -> None:
    digest = stored(store, files, b"deleted by hand")
    store.record_instance(KEY, dataset("customers", "key-1", data=digest))
    store.remove_instance(KEY, Address("dataset", "customers"))
    files.delete(digest)
    collected = collect_garbage(store, files)
    assert [(a.digest, a.stored) for a in collected.artifacts] == [(digest, False)]
    assert collected.freed == 0 and [b.build_key for b in collected.builds] == ["key-1"]
    assert store.artifact(digest) is None and store.find_build("key-1") is None


def test_a_tainted_instance_keeps_its_artifacts(
    store: StateStore, files: LocalArtifactStore
) -> None:
    digest = stored(store, files, b"half a model")
    tainted = ResourceInstance(
        Address("model", "churn"), status=ObjectStatus.TAINTED, artifacts={"model": digest}
    )
    store.record_instance(KEY, tainted)
    assert collect_garbage(store, files).empty
    assert files.exists(digest)


def test_a_file_that_cannot_be_removed_leaves_the_state_as_it_was(
    store: StateStore,
    files: LocalArtifactStore,
    destroyed: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(digest: str) -> bool:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files, "delete", refuse)
    with pytest.raises(ArtifactError) as refused:
        collect_garbage(store, files)
    assert "Permission denied" in str(refused.value)
    assert "run mlform gc again" in str(refused.value)
    assert len(store.artifacts()) == 4 and store.find_build("key-old") is not None
    assert store.locks() == {}


@pytest.mark.parametrize("key", [OTHER, "new:default"], ids=["workspace", "first-apply"])
def test_a_held_lock_stops_the_collection(
    store: StateStore, files: LocalArtifactStore, destroyed: dict[str, str], key: str
) -> None:
    """Any workspace's, even one whose first apply has recorded nothing yet."""
    holder = another_host_lock()
    store.lock(key, holder)
    for dry_run in (True, False):
        with pytest.raises(StateLockedError) as locked:
            collect_garbage(store, files, dry_run=dry_run)
        message = str(locked.value)
        assert message.startswith("State is locked\n")
        assert f"  ID:        {holder.id}" in message and f"  Workspace: {key}" in message
        assert "--lock-timeout" in message and f"mlform force-unlock {holder.id}" in message
    assert set(files.digests()) == set(destroyed.values())
    assert store.find_build("key-old") is not None
    assert list(store.locks()) == [key]  # the collection's own locks released


def test_the_collection_waits_for_a_lock_up_to_the_timeout(
    store: StateStore, files: LocalArtifactStore, destroyed: dict[str, str]
) -> None:
    holder = another_host_lock()
    store.lock(OTHER, holder)
    release = threading.Timer(0.3, store.unlock, [holder.id])
    release.start()
    try:
        started = time.monotonic()
        collected = collect_garbage(store, files, lock_timeout=10)
    finally:
        release.join()
    assert time.monotonic() - started >= 0.25
    assert len(collected.artifacts) == 2 and store.locks() == {}


def test_a_lock_left_by_a_dead_process_is_released_and_told(
    store: StateStore, files: LocalArtifactStore, destroyed: dict[str, str]
) -> None:
    dead = LockInfo.for_this_process("apply")
    dead = LockInfo(dead.id, "apply", dead.who, dead.host, 2**22 + 17, dead.created)  # no such pid
    store.lock(OTHER, dead)
    collected = collect_garbage(store, files)
    assert len(collected.artifacts) == 2
    assert len(collected.notes) == 1 and dead.id in collected.notes[0]


def test_an_apply_locking_a_new_workspace_meanwhile_stops_the_collection(
    home: Path, store: StateStore, files: LocalArtifactStore, destroyed: dict[str, str]
) -> None:
    """A workspace first applied after the collection took its locks is not among them: its
    lock, seen in the transaction that would forget the garbage, stops it."""
    finding = store.unreferenced_artifacts
    holder = another_host_lock()

    def apply_starts_meanwhile() -> list[ArtifactRecord]:
        with StateStore.open(home / "mlform.db") as applying:
            applying.lock("new:default", holder)
        return finding()

    store.unreferenced_artifacts = apply_starts_meanwhile  # type: ignore[method-assign]
    with pytest.raises(StateLockedError) as locked:
        collect_garbage(store, files)
    assert locked.value.workspace_key == "new:default" and locked.value.holder == holder
    assert set(files.digests()) == set(destroyed.values())
    assert len(store.artifacts()) == 4 and store.find_build("key-old") is not None


def test_an_artifact_used_again_before_the_transaction_is_kept(
    home: Path, store: StateStore, files: LocalArtifactStore, destroyed: dict[str, str]
) -> None:
    """An apply of a new workspace that ran whole between the look and the transaction."""
    finding = store.unreferenced_artifacts

    def used_again_meanwhile() -> list[ArtifactRecord]:
        found = finding()
        with StateStore.open(home / "mlform.db") as applying:
            applying.record_instance("new:default", dataset("orders", data=destroyed["old"]))
        return found

    store.unreferenced_artifacts = used_again_meanwhile  # type: ignore[method-assign]
    collected = collect_garbage(store, files)
    assert [artifact.digest for artifact in collected.artifacts] == [destroyed["gone"]]
    assert files.exists(destroyed["old"]) and store.artifact(destroyed["old"]) is not None


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (0, "0 B"),
        (999, "999 B"),
        (1000, "1.0 kB"),
        (12_400_000, "12.4 MB"),
        (999_949, "999.9 kB"),
        (999_950, "1.0 MB"),
        (3 * 10**9, "3.0 GB"),
        (5 * 10**18, "5000.0 PB"),
    ],
)
def test_sizes_are_shown_in_decimal_units(size: int, shown: str) -> None:
    assert human_size(size) == shown
