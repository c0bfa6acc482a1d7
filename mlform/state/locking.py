"""The workspace lock: a two-method interface, and the waiting policy kept outside it.

A `Locker` (the state store) offers `lock(workspace_key, info) -> id`, which takes the lock or
raises `StateLockedError` describing who holds it, and `unlock(id)`; `force_unlock(id)` is the
same release, for the user who knows the holder is gone. `acquire` is the policy apply and
destroy use: retry with backoff until `--lock-timeout`, and release on the way a lock whose
process no longer runs on this host (found dead, a zombie, or its pid now taken by a process
that started later), or whose holder the store knows to be gone on any host (PostgreSQL: its
session ended, `mlform.state.advisory`), reporting it. Plans take no lock: they read a
snapshot.
"""

from __future__ import annotations

import getpass
import os
import re
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from mlform.errors import MlformError


@dataclass(frozen=True)
class LockInfo:
    """Who holds a lock. `process_started` tells a live holder from a later process given the
    same pid (Linux's start time in clock ticks since boot; None where unknown)."""

    id: str
    operation: str
    who: str
    host: str
    pid: int
    created: datetime
    process_started: int | None = None

    @classmethod
    def for_this_process(cls, operation: str) -> LockInfo:
        host = socket.gethostname()
        return cls(
            id=str(uuid.uuid4()),
            operation=operation,
            who=f"{_user()}@{host}",
            host=host,
            pid=os.getpid(),
            created=datetime.now(UTC),
            process_started=process_start_time(os.getpid()),
        )

    def age(self, now: datetime | None = None) -> float:
        """Seconds since the lock was taken."""
        return max(0.0, ((now or datetime.now(UTC)) - self.created).total_seconds())

    def describe(self) -> str:
        """`ID (apply by alice@build-7, pid 4242, 3m 12s old)`."""
        age = format_age(self.age())
        return f"{self.id} ({self.operation} by {self.who}, pid {self.pid}, {age} old)"


class StateLockedError(MlformError):
    """The workspace lock is held by someone else. `holder_gone`: the store knows the holder
    is gone (its database session ended), wherever it ran, and the lock is stale."""

    def __init__(self, workspace_key: str, holder: LockInfo, *, holder_gone: bool = False):
        self.workspace_key = workspace_key
        self.holder = holder
        self.holder_gone = holder_gone
        created = holder.created.strftime("%Y-%m-%d %H:%M:%S UTC")
        super().__init__(
            "State is locked\n"
            f"  ID:        {holder.id}\n"
            f"  Operation: {holder.operation}\n"
            f"  Who:       {holder.who}\n"
            f"  PID:       {holder.pid}\n"
            f"  Age:       {format_age(holder.age())} (since {created})\n"
            f"  Workspace: {workspace_key}\n"
            "Another mlform command is changing this workspace. Wait for it to finish, or give "
            "--lock-timeout (like --lock-timeout 5m) to wait for it. If no such command is "
            f"running any more, release the lock with: mlform force-unlock {holder.id}"
        )


class LockNotFoundError(MlformError):
    """There is no lock with the given ID."""

    def __init__(self, lock_id: str, held: tuple[str, ...] = ()):
        self.lock_id = lock_id
        others = f" The locks held now: {', '.join(held)}." if held else " No lock is held now."
        super().__init__(
            f"there is no lock with ID {lock_id}; it was released already, or the ID is "
            f"mistyped.{others}"
        )


class Locker(Protocol):
    def lock(self, workspace_key: str, info: LockInfo) -> str: ...

    def unlock(self, lock_id: str) -> None: ...

    def force_unlock(self, lock_id: str) -> LockInfo: ...


@dataclass(frozen=True)
class AcquiredLock:
    """A lock taken by `acquire`, with the stale locks it released to get it."""

    workspace_key: str
    info: LockInfo
    released_stale: tuple[LockInfo, ...] = field(default=())

    @property
    def notes(self) -> list[str]:
        """What to tell the user: one line per stale lock released."""
        return [
            f"Released the stale lock {stale.describe()}: that process no longer runs."
            for stale in self.released_stale
        ]


def acquire(
    locker: Locker,
    workspace_key: str,
    operation: str,
    timeout: float = 0.0,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> AcquiredLock:
    """Take the workspace lock, waiting up to `timeout` seconds, else raise StateLockedError."""
    info = LockInfo.for_this_process(operation)
    deadline = clock() + timeout
    pause = 0.05
    released: list[LockInfo] = []
    while True:
        try:
            locker.lock(workspace_key, info)
            return AcquiredLock(workspace_key, info, tuple(released))
        except StateLockedError as error:
            holder = error.holder
            if error.holder_gone or is_stale(holder):
                with suppress(LockNotFoundError):  # someone else released it first
                    locker.force_unlock(holder.id)
                    released.append(holder)
                continue
            remaining = deadline - clock()
            if remaining <= 0:
                raise
            sleep(min(pause, remaining))
            pause = min(pause * 2, 1.0)


@contextmanager
def holding(
    locker: Locker, workspace_key: str, operation: str, timeout: float = 0.0
) -> Iterator[AcquiredLock]:
    """`acquire`, run the block, then unlock, even when the block fails.

    A lock someone force-unlocked meanwhile raises LockNotFoundError on the way out, unless
    the block failed already, whose error is the one to report.
    """
    acquired = acquire(locker, workspace_key, operation, timeout)
    try:
        yield acquired
    except BaseException:
        with suppress(LockNotFoundError):
            locker.unlock(acquired.info.id)
        raise
    locker.unlock(acquired.info.id)


def is_stale(holder: LockInfo) -> bool:
    """Whether the holder was a process on this host that is gone."""
    if holder.host != socket.gethostname():
        return False
    return not process_alive(holder.pid, holder.process_started)


def process_alive(pid: int, started: int | None = None) -> bool:
    """Whether `pid` runs (not a zombie) and, when `started` is known, is the same process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    status = _proc_stat(pid)
    if status is None:
        return True
    state, start_time = status
    if state in ("Z", "X"):
        return False
    return started is None or start_time == started


def process_start_time(pid: int) -> int | None:
    """When a process started (Linux: clock ticks since boot), or None where unknown."""
    status = _proc_stat(pid)
    return None if status is None else status[1]


def _proc_stat(pid: int) -> tuple[str, int] | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            text = file.read().decode(errors="replace")
    except OSError:
        return None
    # "pid (command) state ppid ...": the command may hold spaces and parentheses.
    fields = text[text.rfind(")") + 2 :].split()
    try:
        return fields[0], int(fields[19])
    except (IndexError, ValueError):
        return None


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def format_age(seconds: float) -> str:
    """`45s`, `3m 12s`, `2h 5m`, `4d 1h`."""
    whole = int(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"


_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ms|s|m|h)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """Seconds in a duration as Terraform writes them (`0s`, `500ms`, `5m`, `1h30m`)."""
    compact = text.strip()
    if compact == "0":
        return 0.0
    parts = _DURATION_PART.findall(compact)
    if not parts or "".join(number + unit for number, unit in parts) != compact:
        raise MlformError(
            f'"{text}" is not a duration; write a number with a unit, like 30s, 5m or 1h30m'
        )
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)
