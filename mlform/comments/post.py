"""One plan comment per workspace: create it, or edit the one an earlier run posted."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Comment:
    id: int
    body: str
    url: str | None = None


class Thread(Protocol):
    """The comments of one pull request (or merge request) on one code host."""

    @property
    def where(self) -> str:
        """How people name it: `owner/name#12`, `group/project!7`."""
        ...

    def comments(self) -> Iterator[Comment]:
        """Every comment, oldest first, across all pages."""
        ...

    def create(self, body: str) -> Comment: ...

    def update(self, comment: Comment, body: str) -> Comment: ...


class Outcome(enum.Enum):
    CREATED = "Posted"
    UPDATED = "Updated"
    UNCHANGED = "Left unchanged"


@dataclass(frozen=True)
class Posted:
    outcome: Outcome
    comment: Comment


def post(thread: Thread, marker: str, body: str) -> Posted:
    """Edit the latest comment that opens with `marker` to hold `body`, or add one.

    Only a comment that opens with the marker counts: one that quotes a plan comment (a
    reply) is someone else's. A comment that holds `body` already is left alone.
    """
    mine = [c for c in thread.comments() if c.body.lstrip().startswith(marker)]
    if not mine:
        return Posted(Outcome.CREATED, thread.create(body))
    latest = mine[-1]
    if _normal(latest.body) == _normal(body):
        return Posted(Outcome.UNCHANGED, latest)
    return Posted(Outcome.UPDATED, thread.update(latest, body))


def _normal(text: str) -> str:
    """As a code host may give a body back: CRLF line ends, trailing blanks dropped."""
    return text.replace("\r\n", "\n").strip()
