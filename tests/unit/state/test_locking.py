"""The lock's waiting policy, stale-holder recognition and messages, without a database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from mlform.errors import MlformError
from mlform.state.locking import (
    LockInfo,
    LockNotFoundError,
    StateLockedError,
    acquire,
    format_age,
    holding,
    is_stale,
    parse_duration,
    process_alive,
    process_start_time,
)


class FakeLocker:
    """Locks in a dict; the real stores are tested by the conformance suite."""

    def __init__(self) -> None:
        self.held: dict[str, LockInfo] = {}

    def lock(self, workspace_key: str, info: LockInfo) -> str:
        if workspace_key in self.held:
            raise StateLockedError(workspace_key, self.held[workspace_key])
        self.held[workspace_key] = info
        return info.id

    def unlock(self, lock_id: str) -> None:
        self.force_unlock(lock_id)

    def force_unlock(self, lock_id: str) -> LockInfo:
        for key, info in self.held.items():
            if info.id == lock_id:
                return self.held.pop(key)
        raise LockNotFoundError(lock_id, tuple(info.id for info in self.held.values()))


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def holder(**changes: object) -> LockInfo:
    info = LockInfo.for_this_process("apply")
    return replace(info, **changes)  # type: ignore[arg-type]


def test_waiting_backs_off_until_the_timeout_then_reports_the_holder() -> None:
    locker, clock = FakeLocker(), FakeClock()
    locker.lock("k", holder(id="theirs"))
    with pytest.raises(StateLockedError) as locked:
        acquire(locker, "k", "apply", timeout=2.0, clock=clock, sleep=clock.sleep)
    assert locked.value.holder.id == "theirs"
    assert clock.sleeps == [0.05, 0.1, 0.2, 0.4, 0.8, pytest.approx(0.45)]
    assert clock.now == pytest.approx(102.0)


def test_no_timeout_means_one_attempt() -> None:
    locker, clock = FakeLocker(), FakeClock()
    locker.lock("k", holder(id="theirs"))
    with pytest.raises(StateLockedError):
        acquire(locker, "k", "apply", clock=clock, sleep=clock.sleep)
    assert clock.sleeps == []


def test_a_free_lock_is_taken_and_released_by_holding() -> None:
    locker = FakeLocker()
    with holding(locker, "k", "destroy") as acquired:
        assert locker.held["k"] == acquired.info
        assert acquired.info.operation == "destroy" and acquired.info.pid == os.getpid()
        assert acquired.notes == []
    assert locker.held == {}
    with pytest.raises(RuntimeError), holding(locker, "k", "apply"):
        raise RuntimeError("apply failed")
    assert locker.held == {}
    with pytest.raises(LockNotFoundError), holding(locker, "k", "apply") as acquired:
        locker.force_unlock(acquired.info.id)  # by someone else, meanwhile
    with pytest.raises(RuntimeError), holding(locker, "k", "apply") as acquired:
        locker.force_unlock(acquired.info.id)
        raise RuntimeError("the error worth reporting")


def test_a_dead_holder_on_this_host_is_released_with_a_note() -> None:
    locker = FakeLocker()
    stale = holder(id="old", pid=dead_pid(), created=datetime.now(UTC) - timedelta(hours=2))
    locker.lock("k", stale)
    acquired = acquire(locker, "k", "apply")
    assert acquired.released_stale == (stale,)
    assert acquired.notes == [
        f"Released the stale lock old (apply by {stale.who}, pid {stale.pid}, 2h 0m old): "
        "that process no longer runs."
    ]
    assert locker.held["k"] == acquired.info


def test_staleness() -> None:
    assert not is_stale(holder())  # this very process
    assert is_stale(holder(pid=dead_pid()))
    assert not is_stale(holder(pid=dead_pid(), host="another-host"))
    started = process_start_time(os.getpid())
    if started is not None:  # Linux: a pid now used by a process that started later
        assert is_stale(holder(process_started=started - 1))


def test_a_zombie_is_not_alive() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, not yet reaped
        if process_start_time(child.pid) is None:
            pytest.skip("no /proc here")
        assert not process_alive(child.pid)
    finally:
        child.wait()
    assert process_alive(os.getpid(), process_start_time(os.getpid()))


def test_the_locked_message_names_everything_needed_to_act() -> None:
    created = datetime(2024, 5, 1, 12, 0, 3, tzinfo=UTC)
    info = LockInfo("1b2c", "apply", "alice@build-7", "build-7", 4242, created)
    message = str(StateLockedError("examples/churn:default", info))
    lines = message.splitlines()
    assert lines[:5] == [
        "State is locked",
        "  ID:        1b2c",
        "  Operation: apply",
        "  Who:       alice@build-7",
        "  PID:       4242",
    ]
    assert lines[5].startswith("  Age:       ") and "(since 2024-05-01 12:00:03 UTC)" in lines[5]
    assert lines[6] == "  Workspace: examples/churn:default"
    assert "--lock-timeout" in lines[7] and lines[7].endswith("mlform force-unlock 1b2c")
    assert isinstance(StateLockedError("k", info), MlformError)


def test_this_process_describes_itself() -> None:
    info = LockInfo.for_this_process("apply")
    assert info.host == socket.gethostname() and info.who.endswith("@" + info.host)
    assert info.pid == os.getpid() and info.created.tzinfo is UTC and len(info.id) == 36


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (59.9, "59s"),
        (61, "1m 1s"),
        (3600 * 2 + 300, "2h 5m"),
        (86400 * 3 + 7200, "3d 2h"),
    ],
)
def test_ages(seconds: float, text: str) -> None:
    assert format_age(seconds) == text


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0", 0),
        ("0s", 0),
        ("500ms", 0.5),
        ("30s", 30),
        ("5m", 300),
        ("1h30m", 5400),
        ("1.5h", 5400),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5", "5 m", "m", "1x", "-1s", "1h 30m"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(MlformError, match="is not a duration"):
        parse_duration(text)
