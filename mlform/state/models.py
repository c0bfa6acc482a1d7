"""The state database's tables, as SQLAlchemy 2.0 declarative models.

These describe the newest schema (`migrations.SCHEMA_VERSION`); a database created fresh gets
them all at once, an older one reaches them through `migrations`. Changing a table here means
adding a migration and raising the version.

Dicts (inputs, outputs, summaries) are JSON columns. Times are stored in UTC. A resource
instance references the artifacts it uses, and an artifact row exists only once its file is
completely stored, so no instance can point at a half-written artifact.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DIGEST = String(64)
BUILD_KEY = String(128)
KEY = String(1024)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database, SQLite included."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a naive datetime ({value}) cannot be stored; give it a timezone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads it from the class
        datetime: UtcDateTime(),
        dict[str, Any]: JSON(none_as_null=True),
        list[Any]: JSON(none_as_null=True),
    }


class SchemaVersionRow(Base):
    __tablename__ = "schema_version"

    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    mlform_version: Mapped[str] = mapped_column(String(64))
    applied: Mapped[datetime]


class WorkspaceRow(Base):
    __tablename__ = "workspaces"

    key: Mapped[str] = mapped_column(KEY, primary_key=True)
    lineage: Mapped[str] = mapped_column(String(36))
    serial: Mapped[int] = mapped_column(Integer)
    created: Mapped[datetime]


class InstanceRow(Base):
    __tablename__ = "resource_instances"

    workspace_key: Mapped[str] = mapped_column(
        ForeignKey("workspaces.key", ondelete="CASCADE"), primary_key=True
    )
    address: Mapped[str] = mapped_column(KEY, primary_key=True)
    kind: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    inputs: Mapped[dict[str, Any]]
    outputs: Mapped[dict[str, Any]]
    object_id: Mapped[str | None] = mapped_column(DIGEST)
    build_key: Mapped[str | None] = mapped_column(BUILD_KEY, index=True)
    started: Mapped[datetime | None]
    finished: Mapped[datetime | None]
    duration: Mapped[float | None] = mapped_column(Float)
    library_versions: Mapped[dict[str, Any]]
    config_commit: Mapped[str | None] = mapped_column(String(64))
    dependencies: Mapped[list[Any]]
    updated: Mapped[datetime]


class InstanceArtifactRow(Base):
    __tablename__ = "instance_artifacts"
    __table_args__ = (
        ForeignKeyConstraint(
            ["workspace_key", "address"],
            ["resource_instances.workspace_key", "resource_instances.address"],
            ondelete="CASCADE",
        ),
    )

    workspace_key: Mapped[str] = mapped_column(KEY, primary_key=True)
    address: Mapped[str] = mapped_column(KEY, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    digest: Mapped[str] = mapped_column(ForeignKey("artifacts.digest"), index=True)


class ArtifactRow(Base):
    __tablename__ = "artifacts"

    digest: Mapped[str] = mapped_column(DIGEST, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    location: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime]


class BuildRow(Base):
    __tablename__ = "builds"

    build_key: Mapped[str] = mapped_column(BUILD_KEY, primary_key=True)
    kind: Mapped[str] = mapped_column(String(128))
    object_id: Mapped[str | None] = mapped_column(DIGEST)
    outputs: Mapped[dict[str, Any]]
    artifacts: Mapped[dict[str, Any]]
    duration: Mapped[float | None] = mapped_column(Float)
    library_versions: Mapped[dict[str, Any]]
    recorded: Mapped[datetime]


class RunRow(Base):
    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_workspace_started", "workspace_key", "started"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    workspace_key: Mapped[str] = mapped_column(KEY)
    operation: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    started: Mapped[datetime]
    finished: Mapped[datetime | None]
    who: Mapped[str] = mapped_column(String(256))
    config_commit: Mapped[str | None] = mapped_column(String(64))
    serial: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[dict[str, Any]]


class MetricRow(Base):
    __tablename__ = "metrics"
    __table_args__ = (Index("ix_metrics_series", "workspace_key", "address", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_key: Mapped[str] = mapped_column(KEY)
    address: Mapped[str] = mapped_column(KEY)
    name: Mapped[str] = mapped_column(String(256))
    value: Mapped[float] = mapped_column(Float)
    slice: Mapped[str | None] = mapped_column(String(1024))
    evaluation_id: Mapped[str | None] = mapped_column(DIGEST)
    run_id: Mapped[str | None] = mapped_column(String(36))
    recorded: Mapped[datetime]


class LockRow(Base):
    __tablename__ = "locks"

    workspace_key: Mapped[str] = mapped_column(KEY, primary_key=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    operation: Mapped[str] = mapped_column(String(64))
    who: Mapped[str] = mapped_column(String(256))
    host: Mapped[str] = mapped_column(String(256))
    pid: Mapped[int] = mapped_column(Integer)
    process_started: Mapped[int | None] = mapped_column(BigInteger)
    created: Mapped[datetime]


class StatCacheRow(Base):
    __tablename__ = "stat_cache"

    path: Mapped[str] = mapped_column(Text, primary_key=True)
    # Text, not an integer: some filesystems use all 64 bits, beyond a signed BIGINT.
    inode: Mapped[str] = mapped_column(String(20))
    size: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    ctime_ns: Mapped[int] = mapped_column(BigInteger)
    digest: Mapped[str] = mapped_column(DIGEST)
    hashed_ns: Mapped[int] = mapped_column(BigInteger)
