"""The statements the store needs that SQLAlchemy Core does not spell portably: a look-up
by primary key, an upsert, and an insert that leaves an existing row alone.

On SQLite and PostgreSQL the last two are one INSERT ... ON CONFLICT each, which cannot race
with a concurrent writer; elsewhere they fall back to a look-up or update, then an insert.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, Table, insert, select, update

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresqlInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert


def get(connection: Connection, table: Table, key: object) -> Row[Any] | None:
    """The row of `table` whose (single-column) primary key is `key`, if any."""
    (column,) = table.primary_key.columns
    return connection.execute(select(table).where(column == key)).first()


def upsert(
    connection: Connection,
    table: Table,
    values: Mapping[str, Any],
    keys: Sequence[str],
    keep: Sequence[str] = (),
) -> None:
    """Insert a row, or update the existing one with the same keys (except `keep` columns)."""
    changed = [name for name in values if name not in keys and name not in keep]
    if not changed:
        insert_if_absent(connection, table, values, keys)
        return
    statement = _insert_on_conflict(connection, table, values)
    if statement is not None:
        excluded = statement.excluded
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=list(keys), set_={name: excluded[name] for name in changed}
            )
        )
        return
    matching = [table.c[name] == values[name] for name in keys]
    updated = connection.execute(
        update(table).where(*matching).values({name: values[name] for name in changed})
    )
    if not updated.rowcount:
        connection.execute(insert(table).values(values))


def insert_if_absent(
    connection: Connection, table: Table, values: Mapping[str, Any], keys: Sequence[str]
) -> bool:
    """Insert a row unless one with the same keys exists; whether it was inserted.

    On PostgreSQL a concurrent insert of the same keys waits for the other transaction and
    then does nothing, where a look-up followed by an insert would fail on the unique key.
    """
    statement = _insert_on_conflict(connection, table, values)
    key_columns = table.primary_key.columns
    if statement is not None:
        # RETURNING tells whether it inserted: an INSERT's rowcount is -1 on psycopg 3.
        ignoring = statement.on_conflict_do_nothing(index_elements=keys).returning(*key_columns)
        return connection.execute(ignoring).first() is not None
    matching = [table.c[name] == values[name] for name in keys]
    if connection.execute(select(*key_columns).where(*matching)).first() is not None:
        return False
    connection.execute(insert(table).values(values))
    return True


def _insert_on_conflict(
    connection: Connection, table: Table, values: Mapping[str, Any]
) -> SqliteInsert | PostgresqlInsert | None:
    """An INSERT with ON CONFLICT for the dialect in use, or None where it has none.

    The dialect modules are imported here, not at the top: importing them costs more than
    the rest of the state store, and the engine has loaded its own by now anyway.
    """
    dialect = connection.dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).values(values)
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table).values(values)
    return None
