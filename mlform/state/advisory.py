"""Workspace locks on PostgreSQL: an advisory lock held by a session, and a row describing it.

The lock itself is `pg_try_advisory_lock(<64-bit hash of the workspace key>)` taken on a
connection of its own (`Database.session`) that stays open as long as the lock is held; the
`locks` row beside it says who holds it (operation, who, host, pid, created) for the "State is
locked" message and for `force-unlock`. The advisory lock is taken before the row is written
and released after the row is deleted, so a row whose advisory lock is free belongs to a holder
whose session ended: its process died, on this host or any other, or lost its connection. The
server ends such a session by itself (server-side TCP keepalives are set short on the lock's
connection, so a vanished host counts too), and the next `lock` reports the row as stale
(`StateLockedError.holder_gone`), which `locking.acquire` releases like a dead local pid.

Each lock connection is named `mlform-lock:<lock id>` (its application_name): `force_unlock`
of a lock held by another process ends that session too, so the lock is really free.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, select, text

from mlform.state import records, statements
from mlform.state.database import Database
from mlform.state.errors import StateError
from mlform.state.locking import LockInfo, LockNotFoundError, StateLockedError
from mlform.state.models import lock_table

SESSION_NAME_PREFIX = "mlform-lock:"

# How long a lock whose row is missing is waited for: its holder has just taken the advisory
# lock and is writing the row (which a garbage collection's transaction can hold up), or was
# force-unlocked and its session is ending.
ROWLESS_WAIT = 30.0

# Server-side keepalives on a lock's connection: a holder whose host vanished loses its
# session, and so the lock, within about a minute instead of the operating system's two hours.
_SESSION_SETTINGS = {
    "tcp_keepalives_idle": "30",
    "tcp_keepalives_interval": "10",
    "tcp_keepalives_count": "3",
}


def advisory_key(workspace_key: str) -> int:
    """The workspace's advisory lock key: a signed 64-bit hash, as PostgreSQL's bigint."""
    digest = hashlib.blake2b(f"mlform workspace {workspace_key}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


@dataclass
class _HeldLock:
    workspace_key: str
    key: int
    session: Connection


class AdvisoryLocks:
    """The `Locker` half of the state store on PostgreSQL. Thread-safe."""

    def __init__(self, database: Database):
        self._database = database
        self._held: dict[str, _HeldLock] = {}
        self._mutex = threading.Lock()

    def lock(self, workspace_key: str, info: LockInfo) -> str:
        """Take the workspace lock, or raise StateLockedError naming its holder (with
        `holder_gone` when that holder's session has ended)."""
        key = advisory_key(workspace_key)
        session = self._open_session(info.id)
        taken = False
        try:
            self._take(session, workspace_key, key)
            taken = True
            with self._database.writing() as connection:
                row = records.lock_row(workspace_key, info)
                inserted = statements.insert_if_absent(
                    connection, lock_table, row, ["workspace_key"]
                )
                held = None if inserted else statements.get(connection, lock_table, workspace_key)
            if held is not None:  # we hold the advisory lock: its holder's session is gone
                raise StateLockedError(workspace_key, records.lock_of(held), holder_gone=True)
        except BaseException:
            _release(session, key if taken else None)
            raise
        with self._mutex:
            self._held[info.id] = _HeldLock(workspace_key, key, session)
        return info.id

    def unlock(self, lock_id: str) -> None:
        self.force_unlock(lock_id)

    def force_unlock(self, lock_id: str) -> LockInfo:
        """Release a lock whoever holds it; what it was. The row goes first, then the
        advisory lock: this store's own by unlocking, another process's by ending its
        session."""
        with self._mutex:
            mine = self._held.pop(lock_id, None)
        try:
            with self._database.writing() as connection:
                row = connection.execute(
                    select(lock_table).where(lock_table.c.id == lock_id)
                ).first()
                if row is None:
                    held = tuple(connection.scalars(select(lock_table.c.id)))
                    raise LockNotFoundError(lock_id, held)
                connection.execute(delete(lock_table).where(lock_table.c.id == lock_id))
        finally:
            if mine is not None:
                _release(mine.session, mine.key)
        if mine is None:
            self._end_sessions_of(lock_id)
        return records.lock_of(row)

    def close(self) -> None:
        """Close every lock session; the locks this store still held are left to be found
        stale (their rows stay, their advisory locks go with the sessions)."""
        with self._mutex:
            held, self._held = list(self._held.values()), {}
        for lock in held:
            _release(lock.session, lock.key)

    def _open_session(self, lock_id: str) -> Connection:
        session = self._database.session()
        try:
            settings = dict(_SESSION_SETTINGS, application_name=SESSION_NAME_PREFIX + lock_id)
            version = session.dialect.server_version_info or (0,)
            if version >= (14,):  # a server-wide idle timeout must not end a held lock
                settings["idle_session_timeout"] = "0"
            for name, value in settings.items():
                session.execute(select(func.set_config(name, value, False)))
        except BaseException:
            session.close()
            raise
        return session

    def _take(self, session: Connection, workspace_key: str, key: int) -> None:
        """Take the advisory lock, or raise StateLockedError with the row of its holder."""
        deadline = time.monotonic() + ROWLESS_WAIT
        pause = 0.01
        while not session.scalar(select(func.pg_try_advisory_lock(key))):
            with self._database.writing() as connection:
                held = statements.get(connection, lock_table, workspace_key)
            if held is not None:
                raise StateLockedError(workspace_key, records.lock_of(held))
            if time.monotonic() > deadline:
                raise StateError(self._rowless_message(session, workspace_key, key))
            time.sleep(pause)
            pause = min(pause * 2, 0.2)

    def _end_sessions_of(self, lock_id: str) -> None:
        """End the session holding lock `lock_id` for another process, if it still runs."""
        name = SESSION_NAME_PREFIX + lock_id
        with self._database.session() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )

    def _rowless_message(self, session: Connection, workspace_key: str, key: int) -> str:
        unsigned = key & 0xFFFF_FFFF_FFFF_FFFF
        pids = list(
            session.scalars(
                text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                    "AND classid = :high AND objid = :low AND objsubid = 1"
                ),
                {"high": unsigned >> 32, "low": unsigned & 0xFFFF_FFFF},
            )
        )
        holder = f"PostgreSQL session {pids[0]}" if pids else "another PostgreSQL session"
        return (
            f"the lock of workspace {workspace_key} is held by {holder}, but its lock record "
            f"is gone (force-unlocked while that session could not be ended) and stayed gone "
            f"for {ROWLESS_WAIT:g}s. If no mlform command runs on this workspace, end that "
            f"session: SELECT pg_terminate_backend({pids[0] if pids else 'PID'}), as a role "
            "allowed to."
        )


def _release(session: Connection, key: int | None) -> None:
    """Unlock, then close the session (which would unlock too, but not before returning)."""
    try:
        if key is not None:
            session.scalar(select(func.pg_advisory_unlock(key)))
    except Exception:
        session.invalidate()  # the session is gone already, and its lock with it
    finally:
        session.close()
