"""What a runtime does for an endpoint, whatever runs the server: start it on a prepared
directory, say whether it still runs, and stop it. `local` runs a process on this machine
(`runtime_local.py`), `docker` a container (`runtime_docker.py`); the rest (the version
directory, the swap, health checks) is the same for both (`deployment.py`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from mlform.sdk import Values
from providers.endpoint.layout import Layout
from providers.endpoint.settings import EndpointSettings

READY_TIMEOUT_SECONDS = 120.0
"""How long a new server may take to answer ready: importing the libraries and loading the
model (seconds on a warm machine; a cold container start on a busy one takes longer)."""

STOP_TIMEOUT_SECONDS = 10.0
"""How long a server may take to stop after SIGTERM before it is killed."""


@dataclass(frozen=True)
class Launch:
    """What a runtime needs to start a server: where, what, and the workspace and address
    it serves (a container is labelled with them)."""

    layout: Layout
    settings: EndpointSettings
    port: int
    workspace: str
    address: str


@dataclass(frozen=True)
class Status:
    """Whether the server runs; `problem` says what is wrong when it does not."""

    running: bool
    problem: str | None = None


class Runtime(Protocol):
    def start(self, launch: Launch) -> dict[str, Any]:
        """Start the server and return the runtime's outputs (a pid, a container id); a
        `Problem` when it cannot start. It need not be ready yet."""
        ...

    def status(self, outputs: Values) -> Status:
        """Whether the recorded server still runs; a `Problem` when that cannot be told (no
        Docker engine answers)."""
        ...

    def worker_alive(self, outputs: Values) -> Callable[[int], bool]:
        """Whether a worker pid in `workers/` is a live process (pids inside a container
        cannot be checked from here: the server prunes the files of its dead workers)."""
        ...

    def log_tail(self, outputs: Values, lines: int = 20) -> str:
        """The last lines of the server's log, for an error message."""
        ...

    def stop(self, outputs: Values, keep_image: bool = False) -> None:
        """Stop the server and remove what the runtime made for it; a `Problem` when it
        cannot."""
        ...
