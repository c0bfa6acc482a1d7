"""What PostgreSQL adds to the state store: workspace locks held by sessions (advisory locks),
so a holder whose session ended is known to be gone on any host, and snapshots that are
read-only REPEATABLE READ transactions. The server comes from the `postgresql_url` fixture."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from mlform.state import LockInfo, LockNotFoundError, StateLockedError, StateStore, acquire
from mlform.state.advisory import SESSION_NAME_PREFIX, advisory_key
from mlform.testing import state_workers
from mlform.testing.state_workers import Child

KEY = "examples/churn:default"
THIS_DATABASE = "database = (SELECT oid FROM pg_database WHERE datname = current_database())"


@pytest.fixture
def stores(postgresql_url: str) -> Iterator[list[StateStore]]:
    """Two stores on the test's database, as two processes would have."""
    opened = [StateStore.open(postgresql_url), StateStore.open(postgresql_url)]
    yield opened
    for store in opened:
        store.close()


def another_host(operation: str = "apply") -> LockInfo:
    return LockInfo(
        str(uuid.uuid4()), operation, "ci@runner-7", "runner-7", 4242,
        datetime.now(UTC) - timedelta(minutes=5),
    )  # fmt: skip


def end_session_of(store: StateStore, lock_id: str) -> None:
    with store.engine.connect() as connection:
        ended = connection.execute(
            text(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                "WHERE application_name = :name"
            ),
            {"name": SESSION_NAME_PREFIX + lock_id},
        ).scalars()
        assert list(ended) == [True]


def test_a_lock_whose_session_ended_is_stale_whatever_host_it_names(
    stores: list[StateStore],
) -> None:
    holder, other = stores
    elsewhere = another_host()
    holder.lock(KEY, elsewhere)
    with pytest.raises(StateLockedError) as locked:  # a live session on another host: held
        acquire(other, KEY, "apply")
    assert locked.value.holder == elsewhere and not locked.value.holder_gone
    end_session_of(other, elsewhere.id)  # its host vanished, or the server ended it
    held = other.current_lock(KEY)
    assert held is not None and held.id == elsewhere.id  # the row outlives the session
    with pytest.raises(StateLockedError) as stale:
        other.lock(KEY, LockInfo.for_this_process("apply"))  # the bare lock never steals
    assert stale.value.holder_gone and stale.value.holder.id == elsewhere.id
    acquired = acquire(other, KEY, "destroy")
    assert [lock.id for lock in acquired.released_stale] == [elsewhere.id]
    assert elsewhere.id in acquired.notes[0] and "no longer runs" in acquired.notes[0]
    now_held = holder.current_lock(KEY)
    assert now_held is not None and now_held.id == acquired.info.id
    with pytest.raises(LockNotFoundError):  # the first holder lost its lock
        holder.unlock(elsewhere.id)
    other.unlock(acquired.info.id)
    assert other.current_lock(KEY) is None


def test_closing_a_store_leaves_its_locks_stale(stores: list[StateStore]) -> None:
    holder, other = stores
    elsewhere = another_host()
    holder.lock(KEY, elsewhere)
    holder.close()
    acquired = acquire(other, KEY, "apply")
    assert [lock.id for lock in acquired.released_stale] == [elsewhere.id]


def test_force_unlock_ends_the_holders_session(postgresql_url: str) -> None:
    holder = Child(state_workers.hold_lock, postgresql_url, KEY, "apply")
    try:
        lock_id = holder.expect("locked")[1]
        with StateStore.open(postgresql_url) as store:
            assert store.force_unlock(lock_id).id == lock_id
            start = time.monotonic()
            acquired = acquire(store, KEY, "apply", timeout=0)  # no wait for a holder
            assert time.monotonic() - start < 5.0 and acquired.released_stale == ()
            with store.engine.connect() as connection:
                sessions = connection.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
                    {"name": SESSION_NAME_PREFIX + lock_id},
                ).scalar()
            assert sessions == 0
            store.unlock(acquired.info.id)
    finally:
        holder.kill()


def test_a_lock_is_one_session_per_workspace(stores: list[StateStore]) -> None:
    store, _ = stores
    first = store.lock(KEY, LockInfo.for_this_process("apply"))
    second = store.lock("examples/other:default", LockInfo.for_this_process("apply"))
    with store.engine.connect() as connection:
        names = set(
            connection.execute(
                text(
                    "SELECT application_name FROM pg_stat_activity "
                    "WHERE datname = current_database() AND application_name LIKE :p"
                ),
                {"p": SESSION_NAME_PREFIX + "%"},
            ).scalars()
        )
        held = connection.execute(
            text(
                f"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND {THIS_DATABASE}"
            )
        ).scalar()
    assert names == {SESSION_NAME_PREFIX + first, SESSION_NAME_PREFIX + second} and held == 2
    store.unlock(first)
    store.unlock(second)
    with store.engine.connect() as connection:
        assert (
            connection.execute(
                text(
                    f"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND {THIS_DATABASE}"
                )
            )
        ).scalar() == 0


def test_advisory_keys_are_stable_signed_64_bit_hashes() -> None:
    key = advisory_key(KEY)
    assert key == advisory_key(KEY) != advisory_key("examples/churn:staging")
    assert -(2**63) <= key < 2**63


def test_snapshots_read_in_read_only_repeatable_read_transactions(
    stores: list[StateStore],
) -> None:
    store, _ = stores
    store.create_workspace(KEY)
    with store._database.reading() as connection:
        assert connection is not None
        settings = connection.execute(
            text(
                "SELECT current_setting('transaction_isolation'), "
                "current_setting('transaction_read_only')"
            )
        ).one()
    assert tuple(settings) == ("repeatable read", "on")
