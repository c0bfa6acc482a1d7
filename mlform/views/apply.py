"""What apply and destroy print as they go.

On a terminal, a live panel (rich) shows every running resource with its elapsed time and
latest progress line, and finished resources scroll above it. Elsewhere (CI logs, pipes),
plain lines in Terraform's words: `dataset.churn: Creating...`, `dataset.churn: Creation
complete after 2s [id=3f2a9c1b0d4e]`, and a provider's progress at most every few seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

from mlform.addresses import Address
from mlform.diagnostics import Diagnostic
from mlform.plans.action import Action
from mlform.state.objects import Build
from mlform.views.plan import format_duration
from mlform.views.terminal import Terminal

_VERBS = {  # action: (running, finished noun)
    Action.CREATE: ("Creating...", "Creation"),
    Action.UPDATE: ("Modifying...", "Modifications"),
    Action.DELETE: ("Destroying...", "Destruction"),
    Action.DELETE_THEN_CREATE: ("Replacing...", "Replacement"),
    Action.CREATE_THEN_DELETE: ("Replacing...", "Replacement"),
}

PROGRESS_EVERY = 5.0
"""Seconds between two plain progress lines of one resource."""


def elapsed(seconds: float) -> str:
    """`0.4s`, `12s`, `3m5s`: Terraform's way of saying how long a resource took."""
    if seconds < 10:
        return f"{seconds:.1f}s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, rest = divmod(whole, 60)
    return f"{minutes}m{rest}s"


def short_id(id: str | None) -> str:
    return "" if not id else f" [id={id[:12]}]"


class ApplyView:
    """Implements `mlform.engine.events.ApplyEvents`; use as a context manager."""

    def __init__(self, terminal: Terminal, live: bool | None = None):
        self.terminal = terminal
        self.live = terminal.color and terminal.stream.isatty() if live is None else live
        self._lock = threading.RLock()  # an interrupt may arrive while the main thread holds it
        self._running: dict[Address, tuple[Action, float, str]] = {}
        self._last_progress: dict[Address, float] = {}
        self._display: Any = None
        self.failures: list[tuple[Address, Action, Sequence[Diagnostic]]] = []
        self.warnings: list[Diagnostic] = []

    def __enter__(self) -> ApplyView:
        if self.live:
            from rich.console import Console
            from rich.live import Live

            console = Console(file=self.terminal.stream, highlight=False)
            self._display = Live(
                get_renderable=self._panel,
                console=console,
                refresh_per_second=8,
                transient=True,
            )
            self._display.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._display is not None:
            self._display.stop()
            self._display = None

    # events ----------------------------------------------------------------------------------

    def started(self, address: Address, action: Action) -> None:
        with self._lock:
            self._running[address] = (action, time.monotonic(), "")
        self._line(f"{address}: {_VERBS[action][0]}", None)

    def progress(self, address: Address, message: str) -> None:
        now = time.monotonic()
        with self._lock:
            if address not in self._running:
                return
            action, started, _ = self._running[address]
            self._running[address] = (action, started, message)
            due = now - self._last_progress.get(address, float("-inf")) >= PROGRESS_EVERY
            if due:
                self._last_progress[address] = now
        if not self.live and due:
            self._line(f"{address}: {message} [{elapsed(now - started)} elapsed]", None)

    def completed(self, address: Address, action: Action, seconds: float, id: str | None) -> None:
        with self._lock:
            self._running.pop(address, None)
        after = elapsed(seconds)
        self._line(f"{address}: {_VERBS[action][1]} complete after {after}{short_id(id)}", "green")

    def restored(self, address: Address, action: Action, build: Build, id: str | None) -> None:
        with self._lock:
            self._running.pop(address, None)
        saved = f", {format_duration(build.duration)} saved" if build.duration else ""
        self._line(
            f"{address}: Restored from cache (built {build.recorded:%Y-%m-%d %H:%M}{saved})"
            f"{short_id(id)}",
            "green",
        )

    def unchanged(self, address: Address, because: str) -> None:
        self._line(f"{address}: No changes needed: {because}", "cyan")

    def failed(self, address: Address, action: Action, problems: Sequence[Diagnostic]) -> None:
        now = time.monotonic()
        with self._lock:
            entry = self._running.pop(address, None)
            self.failures.append((address, action, problems))
        after = elapsed(now - (entry[1] if entry is not None else now))
        self._line(f"{address}: {_VERBS[action][1]} failed after {after}", "bold red")

    def warned(self, problems: Sequence[Diagnostic]) -> None:
        with self._lock:
            self.warnings += problems

    def stopping(self, running: Sequence[Address]) -> None:
        waiting = ", ".join(str(a) for a in running) or "nothing"
        self._line(
            f"Interrupt received: no new work will start. Waiting for what is running to "
            f"finish and be recorded ({waiting}). Interrupt again to stop at once: that work "
            "is then lost, everything completed stays recorded.",
            "bold yellow",
        )

    # output ----------------------------------------------------------------------------------

    def _line(self, text: str, style: str | None) -> None:
        with self._lock:
            if self._display is not None:
                from rich.text import Text

                self._display.console.print(Text(text, style=style or ""))
            else:
                self.terminal.print(text, style)
                self.terminal.stream.flush()

    def _panel(self) -> Any:
        from rich.spinner import Spinner
        from rich.table import Table

        table = Table.grid(padding=(0, 1))
        now = time.monotonic()
        with self._lock:
            running = sorted(self._running.items(), key=lambda item: str(item[0]))
        for address, (action, started, message) in running:
            table.add_row(
                Spinner("dots", style="cyan"),
                str(address),
                _VERBS[action][0].rstrip("."),
                f"[dim]{elapsed(now - started)}[/dim]",
                message,
            )
        return table
