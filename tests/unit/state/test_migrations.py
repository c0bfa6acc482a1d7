"""Schema versions on real SQLite files: creation, migration, refusal, interruption."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, inspect, text

from mlform import __version__
from mlform.addresses import Address
from mlform.state import ResourceInstance, StateStore
from mlform.state.errors import NotAStateDatabaseError, SchemaVersionError
from mlform.state.migrations import SCHEMA, SCHEMA_VERSION, Migration, Schema

KEY = "config:default"


def add_column(connection: Connection) -> None:
    connection.execute(text("ALTER TABLE runs ADD COLUMN note VARCHAR(200)"))


def add_table(connection: Connection) -> None:
    connection.execute(text("CREATE TABLE notes (note VARCHAR(200))"))


def fail(connection: Connection) -> None:
    raise RuntimeError("the migration broke half-way")


def versions(path: Path) -> list[tuple[int, str]]:
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT version, mlform_version FROM schema_version"))
        found = [(row[0], row[1]) for row in rows]
    engine.dispose()
    return found


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A database at the current version, holding one resource instance."""
    path = tmp_path / "mlform.db"
    with StateStore.open(path) as store:
        store.record_instance(KEY, ResourceInstance(Address("dataset", "churn")))
    return path


def test_a_new_database_gets_the_current_schema(database: Path) -> None:
    assert versions(database) == [(SCHEMA_VERSION, __version__)]
    assert SCHEMA.migrations == () or SCHEMA.migrations[-1].version == SCHEMA_VERSION


def test_an_older_database_runs_every_migration_in_order(database: Path) -> None:
    schema = Schema(
        SCHEMA_VERSION + 2,
        (
            Migration(SCHEMA_VERSION + 1, "note on runs", add_column),
            Migration(SCHEMA_VERSION + 2, "notes table", add_table),
        ),
    )
    with StateStore.open(database, schema=schema) as store:
        assert store.snapshot(KEY).addresses() == [Address("dataset", "churn")]
        tables = inspect(store.engine)
        assert tables.has_table("notes")
        assert "note" in {column["name"] for column in tables.get_columns("runs")}
    assert [version for version, _ in versions(database)] == [
        SCHEMA_VERSION, SCHEMA_VERSION + 1, SCHEMA_VERSION + 2,
    ]  # fmt: skip


def test_a_failed_migration_leaves_the_database_as_it_was(database: Path) -> None:
    schema = Schema(
        SCHEMA_VERSION + 2,
        (
            Migration(SCHEMA_VERSION + 1, "note on runs", add_column),
            Migration(SCHEMA_VERSION + 2, "breaks", fail),
        ),
    )
    with pytest.raises(RuntimeError), StateStore.open(database, schema=schema) as store:
        store.snapshot(KEY)
    assert versions(database) == [(SCHEMA_VERSION, __version__)]
    with StateStore.open(database) as store:
        assert "note" not in {
            column["name"] for column in inspect(store.engine).get_columns("runs")
        }
        assert store.snapshot(KEY).serial == 1


def test_a_newer_database_is_refused_naming_both_versions(database: Path) -> None:
    schema = Schema(SCHEMA_VERSION + 1, (Migration(SCHEMA_VERSION + 1, "notes", add_table),))
    with StateStore.open(database, schema=schema) as store:
        store.snapshot(KEY)
    for attempt in ("snapshot", "write"):
        with pytest.raises(SchemaVersionError) as refused, StateStore.open(database) as store:
            if attempt == "snapshot":
                store.snapshot(KEY)
            else:
                store.record_instance(KEY, ResourceInstance(Address("dataset", "other")))
        assert str(refused.value) == (
            f"the state database {database} has schema version {SCHEMA_VERSION + 1} (written "
            f"by mlform {__version__}), but this mlform reads schema version {SCHEMA_VERSION} "
            "at most; upgrade mlform (pip install --upgrade mlform) to use this state"
        )
        assert (refused.value.found, refused.value.supported) == (
            SCHEMA_VERSION + 1,
            SCHEMA_VERSION,
        )


def test_another_database_is_not_taken_for_a_state(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE customers (id INTEGER)"))
    engine.dispose()
    with (
        pytest.raises(NotAStateDatabaseError, match="not an mlform state"),
        StateStore.open(path) as store,
    ):
        store.snapshot(KEY)


def test_migrations_must_lead_to_the_version() -> None:
    with pytest.raises(ValueError, match="do not lead to version 3"):
        Schema(3, (Migration(2, "skips one", add_table),))
