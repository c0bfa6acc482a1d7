"""`runtime = "local"`: the server as a detached process on this machine.

It runs in a session of its own (so it outlives the CLI and can be stopped as a process
group with its workers), with stdin from /dev/null and its output appended to
`server.log` in its directory. Its pid and start time are recorded: a later process given
the same pid is not taken for it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mlform.sdk import Values
from providers.endpoint import process
from providers.endpoint.runtime import STOP_TIMEOUT_SECONDS, Launch, Status
from providers.problems import Problem

TOKEN_VARIABLE = "MLFORM_ENDPOINT_TOKEN"
SERVING_MODULE = "providers.endpoint.serving"


def serving_command(launch: Launch, program: Sequence[str]) -> list[str]:
    settings = launch.settings
    return [
        *program,
        "--root",
        str(launch.layout.root),
        "--host",
        settings.host,
        "--port",
        str(launch.port),
        "--workers",
        str(settings.workers),
        "--name",
        settings.name,
        "--max-body-bytes",
        str(settings.max_body_bytes),
    ]


def serving_environment(token_environment: dict[str, str]) -> dict[str, str]:
    """This process's environment, with the token of this endpoint only (an inherited one is
    dropped) and the directory holding the `providers` package on the path."""
    environment = {k: v for k, v in os.environ.items() if k != TOKEN_VARIABLE}
    environment.update(token_environment)
    source = str(Path(__file__).resolve().parents[2])
    path = environment.get("PYTHONPATH")
    environment["PYTHONPATH"] = source if not path else f"{source}{os.pathsep}{path}"
    environment["PYTHONUNBUFFERED"] = "1"
    return environment


class LocalRuntime:
    def __init__(self, program: Sequence[str] | None = None):
        # the server to run, before its arguments: the real one but in tests of stand-ins
        self.program = tuple(program or (sys.executable, "-m", SERVING_MODULE))

    def start(self, launch: Launch) -> dict[str, Any]:
        log_file = launch.layout.log_file
        try:
            pid, started = process.start_detached(
                serving_command(launch, self.program),
                serving_environment(launch.settings.environment),
                log_file,
                launch.layout.root,
            )
        except OSError as error:
            raise Problem.at((), f"the server could not be started: {error}") from error
        return {"pid": pid, "started": started, "log_file": str(log_file)}

    def status(self, outputs: Values) -> Status:
        pid, started = _pid(outputs)
        if pid is None or started is None:
            return Status(False, "the server's process is not recorded")
        if process.is_running(pid, started):
            return Status(True)
        return Status(False, "the server is not running")

    def worker_alive(self, outputs: Values) -> Callable[[int], bool]:
        return process.alive

    def log_tail(self, outputs: Values, lines: int = 20) -> str:
        log_file = outputs.get("log_file")
        if not isinstance(log_file, str):
            return ""
        return tail(Path(log_file), lines)

    def stop(self, outputs: Values, keep_image: bool = False) -> None:
        pid, started = _pid(outputs)
        if pid is None or started is None:
            return
        if not process.stop_group(pid, started, STOP_TIMEOUT_SECONDS):
            raise Problem.at(
                (),
                f"the server (pid {pid}) did not stop, even after SIGKILL; stop it by hand "
                f"(kill -KILL -{pid}), then run the command again",
            )


def _pid(outputs: Values) -> tuple[int | None, int | None]:
    pid, started = outputs.get("pid"), outputs.get("started")
    return (
        int(pid) if isinstance(pid, int | float) else None,
        int(started) if isinstance(started, int | float) else None,
    )


def tail(path: Path, lines: int = 20, limit: int = 64 * 1024) -> str:
    """The last lines of a file (reading at most its last `limit` bytes)."""
    try:
        with open(path, "rb") as file:
            file.seek(0, os.SEEK_END)
            size = file.tell()
            file.seek(max(0, size - limit))
            data = file.read()
    except OSError:
        return ""
    text = data.decode("utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])
