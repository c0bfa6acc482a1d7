"""The state database's tables, as SQLAlchemy Core tables on one `metadata`.

These describe the newest schema (`migrations.SCHEMA_VERSION`); a database created fresh gets
them all at once, an older one reaches them through `migrations`. Changing a table here means
adding a migration and raising the version.

Core tables rather than ORM classes: `mlform plan` imports the state on every run, and the ORM
(with the declarative classes built on it) more than doubles what importing SQLAlchemy costs,
while the store only ever reads and writes whole rows.

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
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)

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


def _json(name: str, nullable: bool = False) -> Column[Any]:
    """A JSON column; Python's None is stored as SQL NULL, never as the JSON `null`."""
    return Column(name, JSON(none_as_null=True), nullable=nullable)


def _time(name: str, nullable: bool = False) -> Column[datetime]:
    return Column(name, UtcDateTime(), nullable=nullable)


metadata = MetaData()

schema_version_table = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("mlform_version", String(64), nullable=False),
    _time("applied"),
)

workspace_table = Table(
    "workspaces",
    metadata,
    Column("key", KEY, primary_key=True),
    Column("lineage", String(36), nullable=False),
    Column("serial", Integer, nullable=False),
    _time("created"),
    # The root outputs as of the last apply: {name: {"value": ..., "sensitive": ...}}; NULL
    # until one is recorded (and in every workspace migrated from schema version 1).
    _json("outputs", nullable=True),
)

instance_table = Table(
    "resource_instances",
    metadata,
    Column(
        "workspace_key",
        KEY,
        ForeignKey("workspaces.key", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("address", KEY, primary_key=True),
    Column("kind", String(128), nullable=False),
    Column("status", String(16), nullable=False),
    _json("inputs"),
    _json("outputs"),
    Column("object_id", DIGEST),
    Column("build_key", BUILD_KEY, index=True),
    _time("started", nullable=True),
    _time("finished", nullable=True),
    Column("duration", Float),
    _json("library_versions"),
    Column("config_commit", String(64)),
    _json("dependencies"),
    _time("updated"),
)

instance_artifact_table = Table(
    "instance_artifacts",
    metadata,
    Column("workspace_key", KEY, primary_key=True),
    Column("address", KEY, primary_key=True),
    Column("name", String(128), primary_key=True),
    Column("digest", DIGEST, ForeignKey("artifacts.digest"), nullable=False, index=True),
    ForeignKeyConstraint(
        ["workspace_key", "address"],
        ["resource_instances.workspace_key", "resource_instances.address"],
        ondelete="CASCADE",
    ),
)

artifact_table = Table(
    "artifacts",
    metadata,
    Column("digest", DIGEST, primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("location", Text, nullable=False),
    _time("created"),
)

build_table = Table(
    "builds",
    metadata,
    Column("build_key", BUILD_KEY, primary_key=True),
    Column("kind", String(128), nullable=False),
    Column("object_id", DIGEST),
    _json("outputs"),
    _json("artifacts"),
    Column("duration", Float),
    _json("library_versions"),
    _time("recorded"),
)

run_table = Table(
    "runs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("workspace_key", KEY, nullable=False),
    Column("operation", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    _time("started"),
    _time("finished", nullable=True),
    Column("who", String(256), nullable=False),
    Column("config_commit", String(64)),
    Column("serial", Integer),
    _json("summary"),
    Index("ix_runs_workspace_started", "workspace_key", "started"),
)

metric_table = Table(
    "metrics",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("workspace_key", KEY, nullable=False),
    Column("address", KEY, nullable=False),
    Column("name", String(256), nullable=False),
    Column("value", Float, nullable=False),
    Column("slice", String(1024)),
    Column("evaluation_id", DIGEST),
    Column("run_id", String(36)),
    _time("recorded"),
    Index("ix_metrics_series", "workspace_key", "address", "name"),
)

lock_table = Table(
    "locks",
    metadata,
    Column("workspace_key", KEY, primary_key=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("operation", String(64), nullable=False),
    Column("who", String(256), nullable=False),
    Column("host", String(256), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("process_started", BigInteger),
    _time("created"),
)

stat_cache_table = Table(
    "stat_cache",
    metadata,
    Column("path", Text, primary_key=True),
    # Text, not an integer: some filesystems use all 64 bits, beyond a signed BIGINT.
    Column("inode", String(20), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("ctime_ns", BigInteger, nullable=False),
    Column("digest", DIGEST, nullable=False),
    Column("hashed_ns", BigInteger, nullable=False),
)
