"""Garbage collection: removing the artifacts no workspace uses, and the builds that need them.

An artifact is live while a resource instance in any workspace of the state home uses it.
Everything else is garbage: recorded artifacts nobody uses (the results of destroyed or
replaced resources, which the build cache kept until now), files in the artifact store that
the state does not record (left by an apply killed between storing a file and recording it),
and unfinished writes older than an hour. A build whose artifacts go is forgotten with them:
its files gone, it could not be restored.

Why no apply can slip in. An apply stores a file, records it, then records the instance
using it, all under its workspace lock; between the first and the last step its file looks
like garbage. So a collection takes the lock of every workspace the state knows of (waiting
up to `--lock-timeout` for a running apply, like apply does, and refusing with the holder's
name after that), which also covers a first apply whose workspace has no row yet, since its
lock is listed. An apply of a workspace that first appears after that listing is caught by the
write transaction that forgets the garbage (`forget_artifacts`): it refuses if any lock but the
collection's own is held, keeps out every other writer until it commits (SQLite's
`BEGIN IMMEDIATE` write lock; on PostgreSQL an EXCLUSIVE lock on the locks table, so no lock
can be taken meanwhile), checks again that nothing uses each digest, and deletes the files
before it commits. An apply that takes its lock afterwards finds the state and the store
already without them. Should the commit fail after the files went, the records left behind
are of artifacts nothing uses, whose builds are never restored (their files are missing), and
the next collection forgets them.

The connection-level functions are the store's (`StateStore.unreferenced_artifacts`,
`builds_needing`, `forget_artifacts`); `collect_garbage` drives a whole collection through the
store's public methods.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Connection, delete, exists, select

from mlform.artifacts.errors import ArtifactError
from mlform.state import records
from mlform.state.locking import AcquiredLock, LockNotFoundError, StateLockedError, acquire
from mlform.state.models import artifact_table, build_table, instance_artifact_table, lock_table
from mlform.state.objects import ArtifactRecord, Build

if TYPE_CHECKING:
    from mlform.artifacts.store import LocalArtifactStore
    from mlform.state.store import StateStore

PARTIAL_WRITE_AGE = 3600.0
"""Seconds after which an unfinished write is taken for one a killed process left."""

_CHUNK = 500  # digests per IN (...) list, well under SQLite's limit on bound parameters

_T = TypeVar("_T")


@dataclass(frozen=True)
class ForgottenArtifacts:
    """What `StateStore.forget_artifacts` removed: the digests nothing used (recorded or not,
    their files are the caller's to delete) and the builds that needed any of them."""

    digests: frozenset[str] = frozenset()
    builds: tuple[Build, ...] = ()


@dataclass(frozen=True)
class GarbageArtifact:
    """An artifact nothing uses. `recorded`: the state knows it; `stored`: its file is in the
    artifact store, `size` bytes (the recorded size when the file is gone already)."""

    digest: str
    size: int
    recorded: bool
    stored: bool


@dataclass(frozen=True)
class GarbageCollection:
    """What a collection removed or, with `dry_run`, would remove. `notes` tell of the stale
    locks released on the way."""

    artifacts: tuple[GarbageArtifact, ...] = ()
    builds: tuple[Build, ...] = ()
    partial_writes: int = 0
    dry_run: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def freed(self) -> int:
        """Bytes of artifact files removed (or that would be)."""
        return sum(artifact.size for artifact in self.artifacts if artifact.stored)

    @property
    def empty(self) -> bool:
        return not (self.artifacts or self.builds or self.partial_writes)


# a whole collection -----------------------------------------------------------------------


def collect_garbage(
    store: StateStore,
    files: LocalArtifactStore,
    *,
    dry_run: bool = False,
    lock_timeout: float = 0.0,
    partial_write_age: float = PARTIAL_WRITE_AGE,
) -> GarbageCollection:
    """Remove every artifact of `files` that no workspace of `store` uses, with the builds
    needing them and old unfinished writes; with `dry_run`, only say what would go.

    A state home never written holds nothing to collect, and nothing is created.
    """
    if not store.exists:
        return GarbageCollection(dry_run=dry_run)
    with _every_workspace_locked(store, lock_timeout) as locks:
        notes = tuple(note for lock in locks for note in lock.notes)
        garbage = find_garbage(store, files)
        if dry_run:
            _refuse_other_locks(store, locks)
            builds = store.builds_needing(artifact.digest for artifact in garbage)
            partial = len(_old_partial_writes(files, partial_write_age))
            return GarbageCollection(garbage, tuple(builds), partial, dry_run=True, notes=notes)
        removed: list[GarbageArtifact] = []

        def delete_files(forgotten: frozenset[str]) -> None:
            for artifact in garbage:
                if artifact.digest in forgotten:
                    stored = _delete(files, artifact.digest)
                    removed.append(replace(artifact, stored=stored))

        forgotten = ForgottenArtifacts()
        if garbage:
            forgotten = store.forget_artifacts(
                [artifact.digest for artifact in garbage],
                own_locks=[lock.info.id for lock in locks],
                before_commit=delete_files,
            )
        partial = files.discard_partial_writes(partial_write_age)
        return GarbageCollection(tuple(removed), forgotten.builds, partial, notes=notes)


def find_garbage(store: StateStore, files: LocalArtifactStore) -> tuple[GarbageArtifact, ...]:
    """The artifacts nothing uses: recorded ones no instance refers to, and stored files the
    state does not record. A snapshot for reporting; `forget_artifacts` checks again."""
    found: dict[str, GarbageArtifact] = {}
    for record in store.unreferenced_artifacts():
        size = _stored_size(files, record.digest)
        stored = size is not None
        found[record.digest] = GarbageArtifact(
            record.digest, record.size if size is None else size, True, stored
        )
    recorded = {record.digest for record in store.artifacts()}
    for digest in files.digests():
        if digest not in recorded and (size := _stored_size(files, digest)) is not None:
            found[digest] = GarbageArtifact(digest, size, recorded=False, stored=True)
    return tuple(found[digest] for digest in sorted(found))


@contextmanager
def _every_workspace_locked(store: StateStore, timeout: float) -> Iterator[list[AcquiredLock]]:
    """Hold the lock of every workspace, and of every key locked now (a first apply's), all
    within `timeout` seconds; released on leaving."""
    deadline = time.monotonic() + timeout
    keys = sorted({workspace.key for workspace in store.workspaces()} | set(store.locks()))
    taken: list[AcquiredLock] = []
    try:
        for key in keys:
            taken.append(acquire(store, key, "gc", max(0.0, deadline - time.monotonic())))
        yield taken
    finally:
        for lock in reversed(taken):
            with suppress(LockNotFoundError):  # force-unlocked meanwhile
                store.unlock(lock.info.id)


def _refuse_other_locks(store: StateStore, locks: Sequence[AcquiredLock]) -> None:
    own = {lock.info.id for lock in locks}
    for key, holder in sorted(store.locks().items()):
        if holder.id not in own:
            raise StateLockedError(key, holder)


def _delete(files: LocalArtifactStore, digest: str) -> bool:
    try:
        return files.delete(digest)
    except OSError as error:
        raise ArtifactError(
            f"cannot remove artifact {digest} from {files.location}: {error.strerror}. "
            "The state was left as it was (the files removed before this one were unused); "
            "make the artifact store writable and run mlform gc again."
        ) from error


def _stored_size(files: LocalArtifactStore, digest: str) -> int | None:
    try:
        return files.local_path(digest).stat().st_size
    except (ArtifactError, OSError):
        return None


def _old_partial_writes(files: LocalArtifactStore, older_than: float) -> list[str]:
    """What `discard_partial_writes(older_than)` would remove, for a dry run.

    It mirrors that method's layout (`.partial/` under the root) and cutoff."""
    cutoff = time.time() - older_than
    found = []
    with suppress(FileNotFoundError), os.scandir(files.root / ".partial") as entries:
        for entry in entries:
            with suppress(FileNotFoundError):
                if entry.stat().st_mtime < cutoff:
                    found.append(entry.name)
    return found


# inside a transaction the store opens -----------------------------------------------------


def unreferenced_artifacts(connection: Connection) -> list[ArtifactRecord]:
    """The recorded artifacts no resource instance, in any workspace, uses; by digest."""
    used = exists().where(instance_artifact_table.c.digest == artifact_table.c.digest)
    rows = connection.execute(select(artifact_table).where(~used).order_by(artifact_table.c.digest))
    return [records.artifact_of(row) for row in rows]


def builds_needing(connection: Connection, digests: Collection[str]) -> list[Build]:
    """The builds that need any of `digests`, by build key.

    Their artifacts are a JSON mapping, which SQLite and PostgreSQL query differently, so
    they are matched here rather than in SQL; the builds table holds one row per result."""
    if not digests:
        return []
    rows = connection.execute(select(build_table).order_by(build_table.c.build_key))
    return [
        records.build_of(row)
        for row in rows
        if not set(digests).isdisjoint((row.artifacts or {}).values())
    ]


def forget_artifacts(
    connection: Connection,
    digests: Iterable[str],
    own_locks: Collection[str],
    before_commit: Callable[[frozenset[str]], None] | None,
) -> ForgottenArtifacts:
    """Forget the digests nothing uses and the builds needing them, other writers kept out;
    `before_commit(forgotten)` runs last, still inside the transaction."""
    _exclude_other_writers(connection)
    for row in connection.execute(select(lock_table).order_by(lock_table.c.workspace_key)):
        if row.id not in own_locks:
            raise StateLockedError(row.workspace_key, records.lock_of(row))
    wanted = sorted(set(digests))
    references = instance_artifact_table.c
    used: set[str] = set()
    for chunk in _chunks(wanted):
        used.update(
            connection.scalars(select(references.digest).where(references.digest.in_(chunk)))
        )
    forgotten = frozenset(wanted) - used
    builds = builds_needing(connection, forgotten)
    for keys in _chunks([build.build_key for build in builds]):
        connection.execute(delete(build_table).where(build_table.c.build_key.in_(keys)))
    for chunk in _chunks(sorted(forgotten)):
        connection.execute(delete(artifact_table).where(artifact_table.c.digest.in_(chunk)))
    if before_commit is not None:
        before_commit(forgotten)
    return ForgottenArtifacts(forgotten, tuple(builds))


def _exclude_other_writers(connection: Connection) -> None:
    """Keep every other writer, and so every new lock, out until this transaction ends.

    SQLite's write transactions begin IMMEDIATE and exclude each other already. PostgreSQL
    runs writers side by side: an EXCLUSIVE lock on the locks table blocks taking or releasing
    any workspace lock (reads still go on)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"LOCK TABLE {lock_table.name} IN EXCLUSIVE MODE")


def _chunks(items: Sequence[_T]) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
