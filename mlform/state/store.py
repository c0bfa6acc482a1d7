"""The state store: workspaces and their resource instances, history, artifacts, locks.

Every write is one short transaction. Writes that change a workspace's resources or root
outputs (`record_instance`, `remove_instance`, `record_outputs`) add one to its serial in the
same transaction (`instances`), so a snapshot's serial names exactly the resources and
outputs it holds. `snapshot` reads in one transaction and never waits for a writer. Nothing
is created until the first write: on a state home that does not exist, reads return empty
results and `stat_cache_put`, a cache, is dropped.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from sqlalchemy import Engine, delete, insert, select

from mlform.addresses import Address
from mlform.artifacts.fingerprint import StatEntry
from mlform.artifacts.hashing import is_digest
from mlform.state import collect, instances, records, statements
from mlform.state.advisory import AdvisoryLocks
from mlform.state.collect import ForgottenArtifacts
from mlform.state.database import BUSY_TIMEOUT, Database, database_url
from mlform.state.errors import StateError
from mlform.state.locking import LockInfo, LockNotFoundError, StateLockedError
from mlform.state.migrations import SCHEMA, Schema
from mlform.state.models import (
    artifact_table,
    build_table,
    instance_artifact_table,
    lock_table,
    metric_table,
    run_table,
    stat_cache_table,
    workspace_table,
)
from mlform.state.objects import (
    ArtifactRecord,
    ArtifactReference,
    Build,
    MetricPoint,
    ResourceInstance,
    RootOutput,
    Run,
    StateSnapshot,
    Workspace,
)


class StateStore:
    """One state database. Safe to share between threads; open one per process."""

    def __init__(self, database: Database):
        self._database = database
        # PostgreSQL: advisory locks held by sessions; elsewhere the row is the lock.
        self._advisory = AdvisoryLocks(database) if database.is_postgresql else None

    @classmethod
    def open(
        cls, target: str | Path, *, schema: Schema = SCHEMA, busy_timeout: float = BUSY_TIMEOUT
    ) -> StateStore:
        """A SQLAlchemy URL, or the path of a SQLite file (created on the first write)."""
        return cls(Database(database_url(target), schema, busy_timeout))

    @property
    def url(self) -> str:
        return self._database.url.render_as_string(hide_password=True)

    @property
    def exists(self) -> bool:
        """Whether the database exists yet (it is created by the first write)."""
        return self._database.exists

    @property
    def engine(self) -> Engine:
        """The engine, for tests and tools; creates the database."""
        return self._database.engine

    def schema_version(self) -> int | None:
        return self._database.version()

    def close(self) -> None:
        if self._advisory is not None:
            self._advisory.close()
        self._database.dispose()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # workspaces, resource instances and root outputs -----------------------------------------

    def workspace(self, key: str) -> Workspace | None:
        with self._database.reading() as connection:
            row = None if connection is None else statements.get(connection, workspace_table, key)
            return None if row is None else records.workspace_of(row)

    def workspaces(self) -> list[Workspace]:
        with self._database.reading() as connection:
            if connection is None:
                return []
            rows = connection.execute(select(workspace_table).order_by(workspace_table.c.key))
            return [records.workspace_of(row) for row in rows]

    def create_workspace(self, key: str) -> Workspace:
        """The workspace, created (serial 0, a new lineage) if it does not exist."""
        new = {"key": key, "lineage": str(uuid.uuid4()), "serial": 0, "created": datetime.now(UTC)}
        with self._database.writing() as connection:
            statements.insert_if_absent(connection, workspace_table, new, ["key"])
            row = statements.get(connection, workspace_table, key)
            assert row is not None
            return records.workspace_of(row)

    def snapshot(self, workspace_key: str) -> StateSnapshot:
        """The workspace as of one instant: lineage, serial, every resource instance and the
        root outputs."""
        with self._database.reading() as connection:
            if connection is None:
                return StateSnapshot(workspace_key, None, 0)
            return instances.read_snapshot(connection, workspace_key)

    def record_instance(self, workspace_key: str, instance: ResourceInstance) -> int:
        """Record (or replace) one instance; the workspace's new serial.

        Its artifacts must be recorded first, and a ready instance with a build key is kept
        as a build too, so the build cache can restore it even after a destroy.
        """
        now = datetime.now(UTC)
        with self._database.writing() as connection:
            return instances.write_instance(connection, workspace_key, instance, now)

    def remove_instance(self, workspace_key: str, address: Address) -> int:
        """Forget one instance (its build stays); the workspace's serial afterwards."""
        now = datetime.now(UTC)
        with self._database.writing() as connection:
            return instances.delete_instance(connection, workspace_key, address, now)

    def record_outputs(self, workspace_key: str, outputs: Mapping[str, RootOutput]) -> int:
        """Replace the workspace's root outputs (the values of its `output` blocks as of this
        apply); the workspace's new serial."""
        now = datetime.now(UTC)
        with self._database.writing() as connection:
            return instances.write_outputs(connection, workspace_key, outputs, now)

    def find_build(self, build_key: str) -> Build | None:
        """A finished build with this key, from any workspace, even if since destroyed."""
        with self._database.reading() as connection:
            row = None if connection is None else statements.get(connection, build_table, build_key)
            return None if row is None else records.build_of(row)

    # artifacts ------------------------------------------------------------------------------

    def record_artifact(self, digest: str, size: int, location: str) -> None:
        """Record an artifact whose file is completely stored (never before that)."""
        if not is_digest(digest):
            raise StateError(f'"{digest}" is not an artifact digest')
        values = {
            "digest": digest,
            "size": size,
            "location": location,
            "created": datetime.now(UTC),
        }
        with self._database.writing() as connection:
            statements.upsert(connection, artifact_table, values, ["digest"], keep=["created"])

    def artifact(self, digest: str) -> ArtifactRecord | None:
        with self._database.reading() as connection:
            row = None if connection is None else statements.get(connection, artifact_table, digest)
            return None if row is None else records.artifact_of(row)

    def artifacts(self) -> list[ArtifactRecord]:
        with self._database.reading() as connection:
            if connection is None:
                return []
            rows = connection.execute(select(artifact_table))
            return [records.artifact_of(row) for row in rows]

    def artifact_refs(self, digest: str) -> list[ArtifactReference]:
        """The resource instances, in every workspace, that use an artifact."""
        with self._database.reading() as connection:
            if connection is None:
                return []
            rows = connection.execute(
                select(instance_artifact_table).where(instance_artifact_table.c.digest == digest)
            )
            return [
                ArtifactReference(row.workspace_key, Address.parse(row.address), row.name, digest)
                for row in rows
            ]

    # garbage collection (mlform.state.collect) ---------------------------------------------

    def unreferenced_artifacts(self) -> list[ArtifactRecord]:
        """The recorded artifacts that no resource instance in any workspace uses, by digest."""
        with self._database.reading() as connection:
            return [] if connection is None else collect.unreferenced_artifacts(connection)

    def builds_needing(self, digests: Iterable[str]) -> list[Build]:
        """The builds that need any of these artifacts (which forgetting them would remove)."""
        wanted = frozenset(digests)
        with self._database.reading() as connection:
            return [] if connection is None else collect.builds_needing(connection, wanted)

    def forget_artifacts(
        self,
        digests: Iterable[str],
        *,
        own_locks: Iterable[str] = (),
        before_commit: Callable[[frozenset[str]], None] | None = None,
    ) -> ForgottenArtifacts:
        """Forget those of `digests` that no instance uses, with every build needing one of
        them, in one write transaction; what was forgotten.

        No other writer runs meanwhile, and no workspace lock but the `own_locks` (ids) may be
        held: StateLockedError names the holder of another. `before_commit(forgotten)` runs
        last inside the transaction, the place to delete the files: an apply taking its lock
        later finds neither them nor their records. Should it raise, nothing is forgotten.
        """
        with self._database.writing() as connection:
            return collect.forget_artifacts(
                connection, digests, frozenset(own_locks), before_commit
            )

    # history --------------------------------------------------------------------------------

    def record_run(self, workspace_key: str, run: Run) -> None:
        """Record a plan, apply or destroy; recording the same id again updates it."""
        with self._database.writing() as connection:
            statements.upsert(connection, run_table, records.run_row(workspace_key, run), ["id"])

    def runs(self, workspace_key: str, limit: int | None = None) -> list[Run]:
        """The workspace's runs, newest first."""
        with self._database.reading() as connection:
            if connection is None:
                return []
            query = (
                select(run_table)
                .where(run_table.c.workspace_key == workspace_key)
                .order_by(run_table.c.started.desc(), run_table.c.id)
                .limit(limit)
            )
            return [records.run_of(row) for row in connection.execute(query)]

    def record_metrics(self, workspace_key: str, points: Iterable[MetricPoint]) -> None:
        rows = [records.metric_row(workspace_key, point) for point in points]
        if rows:
            with self._database.writing() as connection:
                connection.execute(insert(metric_table), rows)

    def metric_history(
        self, workspace_key: str, address: Address | None = None, name: str | None = None
    ) -> list[MetricPoint]:
        """Recorded metric values, oldest first."""
        with self._database.reading() as connection:
            if connection is None:
                return []
            columns = metric_table.c
            query = select(metric_table).where(columns.workspace_key == workspace_key)
            if address is not None:
                query = query.where(columns.address == str(address))
            if name is not None:
                query = query.where(columns.name == name)
            query = query.order_by(columns.recorded, columns.id)
            return [records.metric_of(row) for row in connection.execute(query)]

    # the stat cache (mlform.artifacts.StatCache) --------------------------------------------

    def stat_cache_get(self, path: str) -> StatEntry | None:
        with self._database.reading() as connection:
            row = None if connection is None else statements.get(connection, stat_cache_table, path)
            return None if row is None else records.stat_of(row)

    def stat_cache_put(self, entry: StatEntry) -> None:
        if not self._database.exists:
            return  # a cache never creates a state home
        with self._database.writing() as connection:
            statements.upsert(connection, stat_cache_table, records.stat_row(entry), ["path"])

    # locks (mlform.state.locking.Locker) ----------------------------------------------------

    def lock(self, workspace_key: str, info: LockInfo) -> str:
        """Take the workspace lock, or raise StateLockedError naming its holder."""
        if self._advisory is not None:
            return self._advisory.lock(workspace_key, info)
        row = records.lock_row(workspace_key, info)
        with self._database.writing() as connection:
            while not statements.insert_if_absent(connection, lock_table, row, ["workspace_key"]):
                held = statements.get(connection, lock_table, workspace_key)
                if held is not None:  # else released since, by a transaction beside this one
                    raise StateLockedError(workspace_key, records.lock_of(held))
        return info.id

    def unlock(self, lock_id: str) -> None:
        self.force_unlock(lock_id)

    def force_unlock(self, lock_id: str) -> LockInfo:
        """Release a lock whoever holds it; what it was."""
        if self._advisory is not None:
            return self._advisory.force_unlock(lock_id)
        with self._database.writing() as connection:
            row = connection.execute(select(lock_table).where(lock_table.c.id == lock_id)).first()
            if row is None:
                held = tuple(connection.scalars(select(lock_table.c.id)))
                raise LockNotFoundError(lock_id, held)
            connection.execute(delete(lock_table).where(lock_table.c.id == lock_id))
            return records.lock_of(row)

    def current_lock(self, workspace_key: str) -> LockInfo | None:
        with self._database.reading() as connection:
            if connection is None:
                return None
            row = statements.get(connection, lock_table, workspace_key)
            return None if row is None else records.lock_of(row)

    def locks(self) -> dict[str, LockInfo]:
        """Every lock held, by workspace key."""
        with self._database.reading() as connection:
            if connection is None:
                return {}
            rows = connection.execute(select(lock_table))
            return {row.workspace_key: records.lock_of(row) for row in rows}
