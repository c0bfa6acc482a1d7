"""Connections and transactions: short writers, readers that never wait, lazy creation.

SQLite (the default) runs in WAL mode: a reader sees the last commit while a writer holds its
transaction, so a plan never waits for an apply. A write transaction starts with
`BEGIN IMMEDIATE`, taking the write lock up front, so two writers queue on the busy timeout
instead of failing half-way when one tries to upgrade a read lock. `synchronous=NORMAL` in WAL
mode cannot corrupt the database and keeps every commit across a killed process; a power cut
may lose the last commits, never the file.

A state home that does not exist reads as empty: nothing is created until the first write.
Another database (PostgreSQL) reads its snapshots in REPEATABLE READ, READ ONLY transactions,
which see one instant and never wait for a writer's row locks. A `postgresql://` URL, as users
write it, names psycopg 3, the driver the `postgres` extra installs.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import NoSuchModuleError, OperationalError
from sqlalchemy.pool import NullPool

from mlform.state import migrations
from mlform.state.errors import StateError
from mlform.state.migrations import Schema

BUSY_TIMEOUT = 10.0

_BEGIN = "mlform_begin"

# What users write, mapped to the driver mlform installs: SQLAlchemy's own default for a bare
# `postgresql://` is psycopg2, which mlform does not depend on.
_DEFAULT_DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}
_DRIVER_PACKAGES = {"psycopg": "psycopg[binary]", "psycopg2": "psycopg2-binary"}


def database_url(target: str | Path) -> URL:
    """The SQLAlchemy URL for a URL, or for a local database file path."""
    if isinstance(target, str) and "://" in target:
        url = make_url(target)
        return url.set(drivername=_DEFAULT_DRIVERS.get(url.drivername, url.drivername))
    return URL.create("sqlite", database=str(Path(target).absolute()))


class Database:
    """One state database; thread-safe, with connections for reads and for writes."""

    def __init__(self, url: URL, schema: Schema, busy_timeout: float = BUSY_TIMEOUT):
        self.url = url
        self.schema = schema
        self.busy_timeout = busy_timeout
        self.path: Path | None = None
        if url.get_backend_name() == "sqlite":
            if not url.database or url.database == ":memory:":
                raise StateError("an in-memory SQLite database cannot hold state; give a file")
            self.path = Path(url.database)
        self._engine: Engine | None = None
        self._session_engine: Engine | None = None
        self._current = False
        self._mutex = threading.Lock()

    @property
    def where(self) -> str:
        return str(self.path) if self.path is not None else self.url.render_as_string(True)

    @property
    def is_postgresql(self) -> bool:
        return self.url.get_backend_name() == "postgresql"

    @property
    def exists(self) -> bool:
        """Whether the database exists (a local file); a server database always does."""
        return self.path is None or self.path.exists()

    @contextmanager
    def reading(self) -> Iterator[Connection | None]:
        """A connection in a read-only snapshot transaction, or None when there is no state
        yet to read."""
        with self._busy_is_an_error():
            engine = self._ready(write=False)
            if engine is None:
                yield None
                return
            with self._snapshot_engine(engine).connect() as connection, connection.begin():
                yield connection

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction, committed on leaving; the database is created if need be."""
        with self._busy_is_an_error():
            engine = self._ready(write=True)
            assert engine is not None
            with engine.begin() as connection:
                yield connection

    @contextmanager
    def _busy_is_an_error(self) -> Iterator[None]:
        try:
            yield
        except OperationalError as error:
            if getattr(error.orig, "sqlite_errorname", "") not in ("SQLITE_BUSY", "SQLITE_LOCKED"):
                raise
            raise StateError(
                f"the state database {self.where} stayed busy for {self.busy_timeout:g}s: "
                "another process kept it locked (a long migration, or a stuck process holding a "
                "transaction open). Run the command again; if it persists, look for that process."
            ) from error

    @property
    def engine(self) -> Engine:
        """The engine, creating the database (for tests and tools that need raw SQL)."""
        engine = self._ready(write=True)
        assert engine is not None
        return engine

    def version(self) -> int | None:
        """The schema version, or None when the database is absent or empty."""
        if not self.exists:
            return None
        with self._mutex, self._get_engine().connect() as connection:
            connection = connection.execution_options(**{_BEGIN: "DEFERRED"})
            found = migrations.read_version(connection)
        return None if found is None else found[0]

    def session(self) -> Connection:
        """A server connection of its own, outside the pool, in autocommit mode, open until
        the caller closes it: what PostgreSQL's session-level advisory locks live on."""
        with self._mutex:
            if self._session_engine is None:
                self._session_engine = _create_engine(
                    self.url, poolclass=NullPool, isolation_level="AUTOCOMMIT"
                )
            engine = self._session_engine
        return engine.connect()

    def dispose(self) -> None:
        with self._mutex:
            for engine in (self._engine, self._session_engine):
                if engine is not None:
                    engine.dispose()
            self._engine = self._session_engine = None
            self._current = False

    def _ready(self, write: bool) -> Engine | None:
        """The engine once the schema is current; None if reading a state not yet created."""
        if self._current:
            return self._engine
        if not write and not self.exists:
            return None
        with self._mutex:
            if self._current:
                return self._engine
            if self.path is not None and not self.path.exists():
                self._create_file(self.path)
            engine = self._get_engine()
            with engine.connect() as connection:
                connection = connection.execution_options(**{_BEGIN: "DEFERRED"})
                version = migrations.check(connection, self.schema, self.where)
            if version != self.schema.version:
                if version is None and not write:
                    return None
                with engine.begin() as connection:
                    migrations.prepare(connection, self.schema, self.where)
            self._current = True
            return engine

    def _create_file(self, path: Path) -> None:
        """Make a new SQLite state appear whole: built under a temporary name, already in WAL
        mode with the current schema, then linked into place, never over another's.

        Built in place, a reader could open the file while it is still in rollback-journal
        mode, and the creator's switch to WAL would then fail at once with "database is
        locked" (the switch takes an exclusive lock and does not wait).
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.new")
        engine = _sqlite_engine(make_url(f"sqlite:///{temporary}"), self.busy_timeout)
        try:
            with engine.begin() as connection:
                migrations.prepare(connection, self.schema, self.where)
            engine.dispose()
            with suppress(FileExistsError):  # another process created it first: use theirs
                os.link(temporary, path)
        finally:
            engine.dispose()
            for leftover in (temporary, Path(f"{temporary}-wal"), Path(f"{temporary}-shm")):
                with suppress(FileNotFoundError):
                    leftover.unlink()

    def _get_engine(self) -> Engine:
        if self._engine is None:
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._engine = _sqlite_engine(self.url, self.busy_timeout)
            else:
                self._engine = _create_engine(self.url)
        return self._engine

    def _snapshot_engine(self, engine: Engine) -> Engine:
        if self.path is not None:
            return engine.execution_options(**{_BEGIN: "DEFERRED"})
        if self.is_postgresql:
            return engine.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        return engine.execution_options(isolation_level="REPEATABLE READ")


def _create_engine(url: URL, **options: Any) -> Engine:
    """An engine for a server database; a driver that is not installed is a StateError that
    names the package to install."""
    try:
        return create_engine(url, **options)
    except NoSuchModuleError as error:
        raise StateError(
            f"mlform does not know the database kind {url.drivername!r} of the state "
            f"{url.render_as_string(True)}; give a PostgreSQL URL (postgresql://user@host/db) "
            "or a local path"
        ) from error
    except ImportError as error:
        driver = url.get_driver_name()
        package = _DRIVER_PACKAGES.get(driver, error.name or driver)
        raise StateError(
            f"the state {url.render_as_string(True)} needs the database driver {driver}, "
            f"which is not installed; install it with: pip install '{package}'"
            + (
                " (or mlform's postgres extra: pip install 'mlform[postgres]')"
                if driver == "psycopg"
                else ""
            )
        ) from error


def _sqlite_engine(url: URL, busy_timeout: float) -> Engine:
    engine = create_engine(url, connect_args={"timeout": busy_timeout, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def configure(connection: sqlite3.Connection, record: Any) -> None:
        connection.isolation_level = None  # let the begin listener issue BEGIN itself
        connection.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        # WAL is a property of the file, set once by whoever opens it first. Switching needs
        # an exclusive lock, so a reader that asked every time could fail on a busy database
        # ("database is locked", without waiting) while a writer creates it.
        mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return
        connection.exec_driver_sql(f"BEGIN {options.get(_BEGIN, 'IMMEDIATE')}")

    return engine
