"""The state store: workspaces and their resource instances, history, artifacts, locks.

Every write is one short transaction. Writes that change a workspace's resources
(`record_instance`, `remove_instance`) add one to its serial in the same transaction, so a
snapshot's serial names exactly the resources it holds. `snapshot` reads in one transaction
and never waits for a writer. Nothing is created until the first write: on a state home that
does not exist, reads return empty results and `stat_cache_put`, a cache, is dropped.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.orm import Session

from mlform.addresses import Address
from mlform.artifacts.fingerprint import StatEntry
from mlform.artifacts.hashing import is_digest
from mlform.state import records
from mlform.state.database import BUSY_TIMEOUT, Database, database_url
from mlform.state.errors import StateError
from mlform.state.locking import LockInfo, LockNotFoundError, StateLockedError
from mlform.state.migrations import SCHEMA, Schema
from mlform.state.models import (
    ArtifactRow,
    BuildRow,
    InstanceArtifactRow,
    InstanceRow,
    LockRow,
    MetricRow,
    RunRow,
    StatCacheRow,
    WorkspaceRow,
)
from mlform.state.objects import (
    ArtifactRecord,
    ArtifactReference,
    Build,
    MetricPoint,
    ObjectStatus,
    ResourceInstance,
    Run,
    StateSnapshot,
    Workspace,
)


class StateStore:
    """One state database. Safe to share between threads; open one per process."""

    def __init__(self, database: Database):
        self._database = database

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

    # workspaces and resource instances ------------------------------------------------------

    def workspace(self, key: str) -> Workspace | None:
        with self._database.reading() as session:
            row = None if session is None else session.get(WorkspaceRow, key)
            return None if row is None else records.workspace_of(row)

    def workspaces(self) -> list[Workspace]:
        with self._database.reading() as session:
            if session is None:
                return []
            rows = session.scalars(select(WorkspaceRow).order_by(WorkspaceRow.key))
            return [records.workspace_of(row) for row in rows]

    def create_workspace(self, key: str) -> Workspace:
        """The workspace, created (serial 0, a new lineage) if it does not exist."""
        with self._database.writing() as session:
            row = session.get(WorkspaceRow, key)
            if row is None:
                row = WorkspaceRow(
                    key=key, lineage=str(uuid.uuid4()), serial=0, created=datetime.now(UTC)
                )
                session.add(row)
            return records.workspace_of(row)

    def snapshot(self, workspace_key: str) -> StateSnapshot:
        """The workspace as of one instant: lineage, serial and every resource instance."""
        with self._database.reading() as session:
            workspace = None if session is None else session.get(WorkspaceRow, workspace_key)
            if session is None or workspace is None:
                return StateSnapshot(workspace_key, None, 0)
            artifacts: dict[str, dict[str, str]] = {}
            for reference in session.scalars(
                select(InstanceArtifactRow).where(
                    InstanceArtifactRow.workspace_key == workspace_key
                )
            ):
                artifacts.setdefault(reference.address, {})[reference.name] = reference.digest
            rows = session.execute(  # rows, not ORM objects: twice as fast for large states
                select(*InstanceRow.__table__.columns).where(
                    InstanceRow.workspace_key == workspace_key
                )
            )
            instances = [records.instance_of(row, artifacts.get(row.address, {})) for row in rows]
            instances.sort(key=lambda instance: records.address_order(instance.address))
            return StateSnapshot(
                workspace_key, workspace.lineage, workspace.serial, tuple(instances)
            )

    def record_instance(self, workspace_key: str, instance: ResourceInstance) -> int:
        """Record (or replace) one instance; the workspace's new serial.

        Its artifacts must be recorded first, and a ready instance with a build key is kept
        as a build too, so the build cache can restore it even after a destroy.
        """
        now = datetime.now(UTC)
        with self._database.writing() as session:
            self._check_artifacts_recorded(session, instance)
            serial = self._bump_serial(session, workspace_key, now)
            row = records.instance_row(workspace_key, instance, now)
            records.upsert(session, InstanceRow, row, ["workspace_key", "address"])
            address = str(instance.address)
            session.execute(
                delete(InstanceArtifactRow).where(
                    InstanceArtifactRow.workspace_key == workspace_key,
                    InstanceArtifactRow.address == address,
                )
            )
            session.add_all(
                InstanceArtifactRow(
                    workspace_key=workspace_key, address=address, name=name, digest=digest
                )
                for name, digest in instance.artifacts.items()
            )
            if instance.build_key and instance.status is ObjectStatus.READY:
                records.upsert(session, BuildRow, records.build_row(instance, now), ["build_key"])
            return serial

    def remove_instance(self, workspace_key: str, address: Address) -> int:
        """Forget one instance (its build stays); the workspace's serial afterwards."""
        now = datetime.now(UTC)
        with self._database.writing() as session:
            removed = session.execute(
                delete(InstanceRow).where(
                    InstanceRow.workspace_key == workspace_key,
                    InstanceRow.address == str(address),
                )
            )
            if getattr(removed, "rowcount", 0):
                return self._bump_serial(session, workspace_key, now)
            workspace = session.get(WorkspaceRow, workspace_key)
            return 0 if workspace is None else workspace.serial

    def find_build(self, build_key: str) -> Build | None:
        """A finished build with this key, from any workspace, even if since destroyed."""
        with self._database.reading() as session:
            row = None if session is None else session.get(BuildRow, build_key)
            return None if row is None else records.build_of(row)

    def _bump_serial(self, session: Session, workspace_key: str, now: datetime) -> int:
        serial = session.execute(
            update(WorkspaceRow)
            .where(WorkspaceRow.key == workspace_key)
            .values(serial=WorkspaceRow.serial + 1)
            .returning(WorkspaceRow.serial)
        ).scalar_one_or_none()
        if serial is not None:
            return serial
        session.add(
            WorkspaceRow(key=workspace_key, lineage=str(uuid.uuid4()), serial=1, created=now)
        )
        session.flush()
        return 1

    def _check_artifacts_recorded(self, session: Session, instance: ResourceInstance) -> None:
        wanted = set(instance.artifacts.values())
        if not wanted:
            return
        found = set(
            session.scalars(select(ArtifactRow.digest).where(ArtifactRow.digest.in_(wanted)))
        )
        if missing := sorted(wanted - found):
            raise StateError(
                f"{instance.address} refers to artifacts that are not recorded as stored: "
                f"{', '.join(missing)}. This is a bug in mlform: an artifact must be stored "
                "and recorded before the resource that uses it."
            )

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
        with self._database.writing() as session:
            records.upsert(session, ArtifactRow, values, ["digest"], keep=["created"])

    def artifact(self, digest: str) -> ArtifactRecord | None:
        with self._database.reading() as session:
            row = None if session is None else session.get(ArtifactRow, digest)
            return None if row is None else records.artifact_of(row)

    def artifacts(self) -> list[ArtifactRecord]:
        with self._database.reading() as session:
            if session is None:
                return []
            return [records.artifact_of(row) for row in session.scalars(select(ArtifactRow))]

    def artifact_refs(self, digest: str) -> list[ArtifactReference]:
        """The resource instances, in every workspace, that use an artifact."""
        with self._database.reading() as session:
            if session is None:
                return []
            rows = session.scalars(
                select(InstanceArtifactRow).where(InstanceArtifactRow.digest == digest)
            )
            return [
                ArtifactReference(row.workspace_key, Address.parse(row.address), row.name, digest)
                for row in rows
            ]

    # history --------------------------------------------------------------------------------

    def record_run(self, workspace_key: str, run: Run) -> None:
        """Record a plan, apply or destroy; recording the same id again updates it."""
        with self._database.writing() as session:
            records.upsert(session, RunRow, records.run_row(workspace_key, run), ["id"])

    def runs(self, workspace_key: str, limit: int | None = None) -> list[Run]:
        """The workspace's runs, newest first."""
        with self._database.reading() as session:
            if session is None:
                return []
            query = (
                select(RunRow)
                .where(RunRow.workspace_key == workspace_key)
                .order_by(RunRow.started.desc(), RunRow.id)
                .limit(limit)
            )
            return [records.run_of(row) for row in session.scalars(query)]

    def record_metrics(self, workspace_key: str, points: Iterable[MetricPoint]) -> None:
        rows = [records.metric_row(workspace_key, point) for point in points]
        if rows:
            with self._database.writing() as session:
                session.execute(insert(MetricRow), rows)

    def metric_history(
        self, workspace_key: str, address: Address | None = None, name: str | None = None
    ) -> list[MetricPoint]:
        """Recorded metric values, oldest first."""
        with self._database.reading() as session:
            if session is None:
                return []
            query = select(MetricRow).where(MetricRow.workspace_key == workspace_key)
            if address is not None:
                query = query.where(MetricRow.address == str(address))
            if name is not None:
                query = query.where(MetricRow.name == name)
            query = query.order_by(MetricRow.recorded, MetricRow.id)
            return [records.metric_of(row) for row in session.scalars(query)]

    # the stat cache (mlform.artifacts.StatCache) --------------------------------------------

    def stat_cache_get(self, path: str) -> StatEntry | None:
        with self._database.reading() as session:
            row = None if session is None else session.get(StatCacheRow, path)
            return None if row is None else records.stat_of(row)

    def stat_cache_put(self, entry: StatEntry) -> None:
        if not self._database.exists:
            return  # a cache never creates a state home
        with self._database.writing() as session:
            records.upsert(session, StatCacheRow, records.stat_row(entry), ["path"])

    # locks (mlform.state.locking.Locker) ----------------------------------------------------

    def lock(self, workspace_key: str, info: LockInfo) -> str:
        """Take the workspace lock, or raise StateLockedError naming its holder."""
        with self._database.writing() as session:
            held = session.get(LockRow, workspace_key)
            if held is not None:
                raise StateLockedError(workspace_key, records.lock_of(held))
            session.add(records.lock_row(workspace_key, info))
        return info.id

    def unlock(self, lock_id: str) -> None:
        self.force_unlock(lock_id)

    def force_unlock(self, lock_id: str) -> LockInfo:
        """Release a lock whoever holds it; what it was."""
        with self._database.writing() as session:
            row = session.scalars(select(LockRow).where(LockRow.id == lock_id)).first()
            if row is None:
                held = tuple(session.scalars(select(LockRow.id)))
                raise LockNotFoundError(lock_id, held)
            info = records.lock_of(row)
            session.delete(row)
            return info

    def current_lock(self, workspace_key: str) -> LockInfo | None:
        with self._database.reading() as session:
            row = None if session is None else session.get(LockRow, workspace_key)
            return None if row is None else records.lock_of(row)

    def locks(self) -> dict[str, LockInfo]:
        """Every lock held, by workspace key."""
        with self._database.reading() as session:
            if session is None:
                return {}
            return {
                row.workspace_key: records.lock_of(row) for row in session.scalars(select(LockRow))
            }
