"""What an apply or destroy reports as it goes, for a view to show.

Called from the walking thread and from worker threads alike: implementations must be
thread-safe. `NullEvents` ignores everything (tests, embedding).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from mlform.addresses import Address
from mlform.diagnostics import Diagnostic
from mlform.plans.action import Action
from mlform.state.objects import Build


class ApplyEvents(Protocol):
    def started(self, address: Address, action: Action) -> None:
        """Work on an instance began."""

    def progress(self, address: Address, message: str) -> None:
        """A provider's progress line (`"round 40/200, logloss 0.31"`)."""

    def completed(self, address: Address, action: Action, seconds: float, id: str | None) -> None:
        """The instance is done and recorded."""

    def restored(self, address: Address, action: Action, build: Build, id: str | None) -> None:
        """An earlier build under the same key was restored instead of building again."""

    def unchanged(self, address: Address, because: str) -> None:
        """Planned for rebuilding, found unchanged once its upstream completed (early cutoff)."""

    def failed(self, address: Address, action: Action, problems: Sequence[Diagnostic]) -> None:
        """The work failed; `problems` say why, with positions where known."""

    def warned(self, problems: Sequence[Diagnostic]) -> None:
        """Warnings a provider returned with a success."""

    def stopping(self, running: Sequence[Address]) -> None:
        """An interrupt was received: no new work starts; these are still running."""


class NullEvents:
    def started(self, address: Address, action: Action) -> None:
        pass

    def progress(self, address: Address, message: str) -> None:
        pass

    def completed(self, address: Address, action: Action, seconds: float, id: str | None) -> None:
        pass

    def restored(self, address: Address, action: Action, build: Build, id: str | None) -> None:
        pass

    def unchanged(self, address: Address, because: str) -> None:
        pass

    def failed(self, address: Address, action: Action, problems: Sequence[Diagnostic]) -> None:
        pass

    def warned(self, problems: Sequence[Diagnostic]) -> None:
        pass

    def stopping(self, running: Sequence[Address]) -> None:
        pass
