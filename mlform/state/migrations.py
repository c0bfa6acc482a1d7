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

from sqlalchemy import Connection, MetaData, insert, inspect, select

from mlform import __version__
from mlform.state.errors import NotAStateDatabaseError, SchemaVersionError
from mlform.state.models import Base, SchemaVersionRow

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Migration:
    """Upgrades a database from `version - 1` to `version`."""

    version: int
    description: str
    upgrade: Callable[[Connection], None]


# Version 1 is the first schema: there is nothing older to migrate from yet.
MIGRATIONS: tuple[Migration, ...] = ()


@dataclass(frozen=True)
class Schema:
    """A schema version with the migrations leading to it (tests fake newer ones)."""

    version: int
    migrations: tuple[Migration, ...] = ()
    metadata: MetaData = Base.metadata

    def __post_init__(self) -> None:
        versions = [migration.version for migration in self.migrations]
        if versions != list(range(self.version - len(versions) + 1, self.version + 1)):
            raise ValueError(f"migrations {versions} do not lead to version {self.version}")


SCHEMA = Schema(SCHEMA_VERSION, MIGRATIONS)


def read_version(connection: Connection) -> tuple[int, str] | None:
    """The database's schema version and the mlform that set it; None for an empty database."""
    if not inspect(connection).has_table(SchemaVersionRow.__tablename__):
        return None
    row = connection.execute(
        select(SchemaVersionRow.version, SchemaVersionRow.mlform_version)
        .order_by(SchemaVersionRow.version.desc())
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1])


def check(connection: Connection, schema: Schema, where: str) -> int | None:
    """The database's version, refused when newer than `schema`; None for an empty database."""
    found = read_version(connection)
    if found is None:
        if inspect(connection).get_table_names():
            raise NotAStateDatabaseError(where)
        return None
    version, written_by = found
    if version > schema.version:
        raise SchemaVersionError(where, version, schema.version, written_by)
    return version


def prepare(connection: Connection, schema: Schema, where: str) -> int:
    """Create or migrate the schema inside the caller's write transaction; the new version."""
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
        insert(SchemaVersionRow).values(
            version=version, mlform_version=__version__, applied=datetime.now(UTC)
        )
    )
