"""Child processes for the state conformance suite: lock holders, and writers to kill.

A `Child` runs one of the functions below in a process of its own, forked from a fork
server that has imported mlform once and never opened a database: each child starts in
milliseconds and inherits nothing from the test process (a SQLite connection must not cross a
fork). It talks to the test through a pipe:

- `hold_lock` takes the workspace lock, sends `("locked", ID)`, receives a delay in seconds,
  waits that long, unlocks and sends `("unlocked",)`, unless it is killed first.
- `write` receives `"go"`, then stores an artifact, records it, and records a resource
  instance that uses it, sending `("stored", N)` and `("recorded", N)`, up to `limit` times.
  With a `crash_point` other than `"none"` it sends itself SIGKILL at that instant of its
  third write: `partial-write` (the temporary file written and flushed, not renamed yet),
  `before-rename`, `after-rename` (the artifact complete but not recorded) or
  `before-commit` (the instance's statements executed, their transaction not committed).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from typing import Any

from sqlalchemy import event

from mlform.addresses import Address
from mlform.artifacts import LocalArtifactStore
from mlform.state.locking import acquire
from mlform.state.objects import ResourceInstance
from mlform.state.store import StateStore

CRASH_POINTS = ("partial-write", "before-rename", "after-rename", "before-commit")
CRASH_AT_WRITE = 3


def context() -> ForkServerContext:
    """The multiprocessing context children start in (a fork server with mlform loaded)."""
    forkserver = multiprocessing.get_context("forkserver")
    # "__main__" too, or every child would run the main script (pytest's) again on start.
    forkserver.set_forkserver_preload(["__main__", __name__])
    return forkserver


class Child:
    """A `state_workers` process and its end of the pipe, with every message it sent."""

    def __init__(self, target: Callable[..., None], *arguments: Any):
        forkserver = context()
        self.channel, theirs = forkserver.Pipe()
        self.process: Any = forkserver.Process(
            target=target, args=(theirs, *arguments), daemon=True
        )
        self.process.start()
        theirs.close()
        self.messages: list[tuple[Any, ...]] = []

    @property
    def pid(self) -> int:
        return int(self.process.pid)

    def send(self, message: Any) -> None:
        self.channel.send(message)

    def expect(self, kind: str, timeout: float = 60.0) -> tuple[Any, ...]:
        """Messages up to the first of `kind`, which is returned."""
        while self.channel.poll(timeout):
            try:
                message = self.channel.recv()
            except EOFError:
                break  # the child ended
            self.messages.append(message)
            if message[0] == kind:
                return tuple(message)
        raise AssertionError(f"no {kind!r} message from the child; it sent {self.messages}")

    def kill(self) -> None:
        self.process.kill()
        self.finish()

    def finish(self) -> int:
        """Wait for the child to end; its exit code, with its last messages read."""
        self.process.join(60)
        while True:
            try:
                self.messages.append(self.channel.recv())
            except (EOFError, OSError):
                break
        return int(self.process.exitcode)

    def count(self, kind: str) -> int:
        return sum(1 for message in self.messages if message[0] == kind)


def content(key: str, number: int) -> bytes:
    """Artifact `number` of the writer of workspace `key`: 256 KiB to 1 MiB, different for
    every writer, large enough for a kill to land in the middle of writing it."""
    size = (1 + number % 4) << 18
    pattern = f"{key}:{number};".encode()
    return (pattern * (size // len(pattern) + 1))[:size]


def hold_lock(channel: Connection, state: str, key: str, operation: str) -> None:
    store = StateStore.open(state)
    acquired = acquire(store, key, operation)
    channel.send(("locked", acquired.info.id))
    time.sleep(channel.recv())
    store.unlock(acquired.info.id)
    channel.send(("unlocked",))


def write(
    channel: Connection, state: str, artifacts: str, key: str, crash_point: str, limit: int
) -> None:
    store = StateStore.open(state)
    files = LocalArtifactStore(artifacts)
    armed = [False]

    def die() -> None:
        if armed[0]:
            os.kill(os.getpid(), signal.SIGKILL)

    _install_crash(crash_point, store, die)
    channel.recv()
    for number in range(1, limit + 1):
        armed[0] = crash_point != "none" and number == CRASH_AT_WRITE
        stored = files.put_bytes(content(key, number))
        channel.send(("stored", number))
        store.record_artifact(stored.digest, stored.size, files.location)
        instance = ResourceInstance(
            Address("dataset", "written", key=number % 5),
            outputs={"number": number},
            id=stored.digest,
            artifacts={"data": stored.digest},
        )
        store.record_instance(key, instance)
        channel.send(("recorded", number))


def _install_crash(crash_point: str, store: StateStore, die: Callable[[], None]) -> None:
    real_fsync, real_replace = os.fsync, os.replace
    if crash_point == "partial-write":

        def fsync(descriptor: int) -> None:
            real_fsync(descriptor)
            die()

        os.fsync = fsync  # type: ignore[assignment]
    elif crash_point in ("before-rename", "after-rename"):

        def replace(source: Any, target: Any) -> None:
            if crash_point == "before-rename":
                die()
            real_replace(source, target)
            die()

        os.replace = replace  # type: ignore[assignment]
    elif crash_point == "before-commit":
        statements: list[str] = []

        def remember(connection: Any, cursor: Any, statement: str, *rest: Any) -> None:
            statements.append(statement)

        def commit(connection: Any) -> None:
            if any("resource_instances" in statement for statement in statements):
                die()
            statements.clear()

        event.listen(store.engine, "before_cursor_execute", remember)
        event.listen(store.engine, "commit", commit)
        event.listen(store.engine, "rollback", lambda connection: statements.clear())
    elif crash_point != "none":
        raise ValueError(f"unknown crash point {crash_point}; choose from {CRASH_POINTS}")
