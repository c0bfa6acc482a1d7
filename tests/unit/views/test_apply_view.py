"""The plain lines apply prints when not on a terminal, in Terraform's words."""

from __future__ import annotations

import io

from mlform.addresses import Address
from mlform.diagnostics import error
from mlform.plans.action import Action
from mlform.views import apply as view
from mlform.views.apply import ApplyView, elapsed
from mlform.views.terminal import Terminal


def test_elapsed_reads_like_terraform() -> None:
    assert [elapsed(s) for s in (0.04, 2.26, 12.4, 65, 3725)] == [
        "0.0s",
        "2.3s",
        "12s",
        "1m5s",
        "62m5s",
    ]


def test_plain_lines_for_each_event(monkeypatch) -> None:
    clock = iter([0.0, 1.0, 2.0, 7.0, 9.5, 10.5])
    monkeypatch.setattr(view.time, "monotonic", lambda: next(clock))
    stream = io.StringIO()
    churn, old = Address.parse("dataset.churn"), Address.parse("dataset.old")
    with ApplyView(Terminal(stream, color=False)) as shown:
        assert not shown.live
        shown.started(churn, Action.CREATE)
        shown.progress(churn, "read 1000 rows")  # first progress line: shown
        shown.progress(churn, "read 2000 rows")  # a second later: held back
        shown.progress(churn, "read 9000 rows")  # five seconds on: shown
        shown.completed(churn, Action.CREATE, 9.5, "0831bcd5bc48669ce89")
        shown.started(old, Action.DELETE)
        shown.failed(old, Action.DELETE, [error("it is in use", address=str(old))])
        shown.unchanged(Address.parse("split.churn"), "dataset.churn came out with the same id")
    assert stream.getvalue().splitlines() == [
        "dataset.churn: Creating...",
        "dataset.churn: read 1000 rows [1.0s elapsed]",
        "dataset.churn: read 9000 rows [7.0s elapsed]",
        "dataset.churn: Creation complete after 9.5s [id=0831bcd5bc48]",
        "dataset.old: Destroying...",
        "dataset.old: Destruction failed after 1.0s",
        "split.churn: No changes needed: dataset.churn came out with the same id",
    ]
    assert [address for address, _, _ in shown.failures] == [old]
