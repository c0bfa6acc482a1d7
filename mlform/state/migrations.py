"""The schema version and how an older state database is brought up to date.

`schema_version` records every version a database was brought to, and which mlform did it.
A database created fresh gets the newest tables at once (`models`) and is stamped with
`SCHEMA_VERSION`; an older one runs each `Migration` above its version, in order, in the
same write transaction as the new stamp, so a process killed half-way leaves it untouched. A
database newer than this mlform is refused, naming both versions: reading it could misread
columns added since, and writing it could lose them.

To change the schema: change `models`, append a `Migration` to `MIGRATIONS` that turns the
previous version's tables into the new ones, and raise `SCHEMA_VERSION`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import JSON, Connection, MetaData, func, insert, inspect, select, text

from mlform import __version__
from mlform.state import models
from mlform.state.errors import NotAStateDatabaseError, SchemaVersionError
from mlform.state.models import schema_version_table

SCHEMA_VERSION = 2

_SCHEMA_LOCK = int.from_bytes(b"mlform")  # the key of a PostgreSQL advisory lock, any fixed one


@dataclass(frozen=True)
class Migration:
    """Upgrades a database from `version - 1` to `version`."""

    version: int
    description: str
    upgrade: Callable[[Connection], None]


def _add_workspace_outputs(connection: Connection) -> None:
    # The column is spelled out here, not taken from `models`: this migration must keep
    # producing version 2 however the tables change later. A nullable column without a
    # default is one ALTER TABLE that SQLite and PostgreSQL both run inside the migration's
    # transaction, and neither rewrites the table for it.
    json = JSON().compile(dialect=connection.dialect)
    connection.execute(text(f"ALTER TABLE workspaces ADD COLUMN outputs {json}"))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(2, "root outputs per workspace (workspaces.outputs)", _add_workspace_outputs),
)


@dataclass(frozen=True)
class Schema:
    """A schema version with the migrations leading to it (tests fake newer ones)."""

    version: int
    migrations: tuple[Migration, ...] = ()
    metadata: MetaData = models.metadata

    def __post_init__(self) -> None:
        versions = [migration.version for migration in self.migrations]
        if versions != list(range(self.version - len(versions) + 1, self.version + 1)):
            raise ValueError(f"migrations {versions} do not lead to version {self.version}")


SCHEMA = Schema(SCHEMA_VERSION, MIGRATIONS)


def read_version(connection: Connection) -> tuple[int, str] | None:
    """The database's schema version and the mlform that set it; None for an empty database."""
    if schema_version_table.name not in inspect(connection).get_table_names():
        return None
    return _version_row(connection)


def _version_row(connection: Connection) -> tuple[int, str] | None:
    columns = schema_version_table.c
    row = connection.execute(
        select(columns.version, columns.mlform_version).order_by(columns.version.desc()).limit(1)
    ).first()
    return None if row is None else (row[0], row[1])


def check(connection: Connection, schema: Schema, where: str) -> int | None:
    """The database's version, refused when newer than `schema`; None for an empty database.

    The table names are read once, in one statement: asked twice ("is there a schema_version
    table?", then "any tables at all?"), a PostgreSQL connection outside a transaction's
    snapshot could see no table, then every table another connection had just created, and
    take mlform's own schema for a stranger's.
    """
    tables = inspect(connection).get_table_names()
    if schema_version_table.name not in tables:
        if tables:
            raise NotAStateDatabaseError(where)
        return None
    found = _version_row(connection)
    if found is None:
        return None
    version, written_by = found
    if version > schema.version:
        raise SchemaVersionError(where, version, schema.version, written_by)
    return version


def prepare(connection: Connection, schema: Schema, where: str) -> int:
    """Create or migrate the schema inside the caller's write transaction; the new version.

    On PostgreSQL, processes that find the schema missing or old at the same moment take
    turns: each waits for the one before to commit, then finds the schema current. Without
    that, the second would create a table or add a column the first has just created or
    added, and fail. (SQLite's BEGIN IMMEDIATE already makes writers take turns.)
    """
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(_SCHEMA_LOCK)))
    version = check(connection, schema, where)
    if version == schema.version:
        return version
    if version is None:
        schema.metadata.create_all(connection)
        _stamp(connection, schema.version)
    else:
        for migration in schema.migrations:
            if migration.version > version:
                migration.upgrade(connection)
                _stamp(connection, migration.version)
    return schema.version


def _stamp(connection: Connection, version: int) -> None:
    connection.execute(
        insert(schema_version_table).values(
            version=version, mlform_version=__version__, applied=datetime.now(UTC)
        )
    )
