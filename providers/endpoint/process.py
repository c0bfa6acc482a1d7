"""Detached server processes on this machine: started in a session of their own so that they
outlive the CLI, told apart from a later process given the same pid by their start time, and
stopped as a whole process group (the server and its workers)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

PROC = Path("/proc")


def start_detached(
    command: Sequence[str], environment: Mapping[str, str], log_file: Path, cwd: Path
) -> tuple[int, int]:
    """Start `command` in a new session (its own process group), stdin from /dev/null,
    stdout and stderr appended to `log_file`; returns its pid and start time."""
    with open(log_file, "ab") as log:
        process = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=dict(environment),
            start_new_session=True,
            close_fds=True,
        )
    started = start_time(process.pid)
    if started is None:  # it died at once: reap it, its log says why
        process.wait()
        return process.pid, 0
    return process.pid, started


def start_time(pid: int) -> int | None:
    """The process's start time in clock ticks since boot, None when there is no such process
    (a zombie counts as gone: it no longer serves)."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except (OSError, ValueError):
        return None
    fields = text[text.rfind(")") + 2 :].split()  # the name in parentheses may hold spaces
    if len(fields) < 20 or fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def is_running(pid: int, started: int) -> bool:
    """Whether `pid` is still the process that was started at `started`."""
    return pid > 0 and start_time(pid) == started


def alive(pid: int) -> bool:
    """Whether any process has this pid (a worker's status file names a live worker)."""
    return start_time(pid) is not None


def stop_group(pid: int, started: int, timeout: float = 10.0) -> bool:
    """SIGTERM the process group led by `pid` (when it is still ours), then SIGKILL what is
    left after `timeout` seconds; True once the leader is gone."""
    if not is_running(pid, started):
        _reap(pid)
        return True
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(pid)
        if not is_running(pid, started) and not _group_alive(pid):
            return True
        time.sleep(0.05)
    _signal_group(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        _reap(pid)
        if not is_running(pid, started):
            return True
        time.sleep(0.05)
    return False


def _signal_group(pid: int, signal_number: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal_number)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return any(
        _process_group(entry.name) == pgid for entry in PROC.iterdir() if entry.name.isdigit()
    )


def _process_group(pid: str) -> int | None:
    try:
        text = (PROC / pid / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rfind(")") + 2 :].split()
    if len(fields) < 3 or fields[0] in ("Z", "X"):
        return None
    return int(fields[2])


def _reap(pid: int) -> None:
    """Collect the exit status of a server this process started (in tests, or an apply that
    starts and stops one), so that it does not linger as a zombie."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def free_port(host: str) -> int:
    """A port nobody listens on now (the kernel's choice)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((connect_host(host), 0))
        return int(probe.getsockname()[1])


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """Whether something accepts connections on the port."""
    try:
        with socket.create_connection((connect_host(host), port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_port_closed(host: str, port: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while port_open(host, port):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def connect_host(host: str) -> str:
    """The address to reach a server listening on `host`: loopback for a wildcard."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "::1"
    return host
