"""Golden tests: each hand-built plan below renders exactly as `tests/data/plan_views/<name>.txt`.

Set MLFORM_UPDATE_GOLDEN=1 to rewrite the expected files, then review the diff.
"""

import io
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mlform.addresses import Address
from mlform.language.values import UNKNOWN, Sensitive
from mlform.plans.action import Action, ActionReason
from mlform.plans.changes import CacheHit, DriftNote, OutputChange, Plan, ResourceChange
from mlform.views.plan import format_duration, print_plan, render_plan
from mlform.views.terminal import Terminal

DATA = Path(__file__).parents[2] / "data" / "plan_views"
RECENT = Address("dataset", "recent")
SPLIT = Address("split", "churn")
MODEL = Address("model", "churn", key="deep")
HIT = CacheHit("b3f0", datetime(2026, 11, 20, 14, 3, tzinfo=UTC), 41.0)


def create() -> Plan:
    return Plan(
        (
            ResourceChange(
                RECENT,
                Action.CREATE,
                after={
                    "source": "data/recent.csv",
                    "format": "csv",
                    "rows": UNKNOWN,
                    "id": UNKNOWN,
                },
                expected_seconds=12.0,
            ),
        ),
        outputs={"rows": OutputChange("rows", Action.CREATE, after=UNKNOWN)},
    )


def update() -> Plan:
    return Plan(
        (
            ResourceChange(
                RECENT,
                Action.UPDATE,
                before={
                    "id": "9c1e",
                    "source": "a.csv",
                    "description": "old",
                    "tags": {"team": "ml"},
                    "rows": 10,
                },
                after={
                    "id": "9c1e",
                    "source": "a.csv",
                    "description": "new",
                    "tags": {"team": "ml", "tier": "gold"},
                    "rows": 10,
                },
            ),
        )
    )


def replace() -> Plan:
    return Plan(
        (
            ResourceChange(
                RECENT,
                Action.DELETE_THEN_CREATE,
                ActionReason.REPLACE_BECAUSE_CANNOT_UPDATE,
                before={
                    "id": "9c1e",
                    "source": "a.csv",
                    "format": "csv",
                    "description": "d",
                    "rows": 1200,
                },
                after={
                    "id": UNKNOWN,
                    "source": "b.csv",
                    "format": "csv",
                    "description": "d",
                    "rows": UNKNOWN,
                },
                replace_paths=(("source",),),
                expected_seconds=20.0,
            ),
            ResourceChange(
                SPLIT,
                Action.DELETE_THEN_CREATE,
                ActionReason.REPLACE_BECAUSE_UPSTREAM,
                before={"id": "77aa", "dataset": "9c1e", "ratio": 0.8, "seed": 1},
                after={"id": UNKNOWN, "dataset": UNKNOWN, "ratio": 0.8, "seed": 1},
                replace_paths=(("dataset",),),
                replaced_upstream=(RECENT,),
                expected_seconds=5.0,
            ),
            ResourceChange(
                MODEL,
                Action.CREATE_THEN_DELETE,
                ActionReason.REPLACE_BECAUSE_UPSTREAM,
                before={"id": "e0f1", "split": "77aa", "algorithm": "xgboost", "depth": 6},
                after={"id": UNKNOWN, "split": UNKNOWN, "algorithm": "xgboost", "depth": 6},
                replace_paths=(("split",),),
                replaced_upstream=(SPLIT,),
                expected_seconds=95.0,
            ),
        )
    )


def delete() -> Plan:
    return Plan(
        (
            ResourceChange(
                RECENT,
                Action.DELETE,
                ActionReason.DELETE_BECAUSE_NO_RESOURCE_CONFIG,
                before={"id": "9c1e", "source": "a.csv", "rows": 1200, "description": None},
            ),
            ResourceChange(
                Address("model", "churn", key="shallow"),
                Action.DELETE,
                ActionReason.DELETE_BECAUSE_EACH_KEY,
                before={"id": "e0f1", "depth": 2},
            ),
            ResourceChange(
                Address("split", "fold", key=3),
                Action.DELETE,
                ActionReason.DELETE_BECAUSE_COUNT_INDEX,
                before={"id": "77aa", "seed": 3},
            ),
        )
    )


def tainted() -> Plan:
    return Plan(
        (
            ResourceChange(
                MODEL,
                Action.DELETE_THEN_CREATE,
                ActionReason.REPLACE_BECAUSE_TAINTED,
                before={"id": None, "split": "77aa", "depth": 6},
                after={"id": UNKNOWN, "split": "77aa", "depth": 6},
            ),
            ResourceChange(
                Address("model", "baseline"),
                Action.DELETE_THEN_CREATE,
                ActionReason.REPLACE_BY_REQUEST,
                before={"id": "aa01", "depth": 2},
                after={"id": UNKNOWN, "depth": 2},
            ),
        ),
        warnings=('model.churn["deep"] failed during the last apply and was marked tainted.',),
    )


def sensitive() -> Plan:
    return Plan(
        (
            ResourceChange(
                Address("endpoint", "churn"),
                Action.UPDATE,
                before={
                    "id": "5d5d",
                    "url": "http://localhost:8080",
                    "token": "old",
                    "headers": {"x": Sensitive("a")},
                },
                after={
                    "id": "5d5d",
                    "url": "http://localhost:8081",
                    "token": "new",
                    "headers": {"x": Sensitive("b")},
                },
                sensitive_paths=(("token",),),
            ),
            ResourceChange(
                Address("dataset", "private"),
                Action.CREATE,
                after={
                    "source": "s3://bucket/x.csv",
                    "password": Sensitive("hunter2"),
                    "id": UNKNOWN,
                },
            ),
        ),
        outputs={
            "token": OutputChange(
                "token", Action.UPDATE, before="old", after="new", sensitive=True
            ),
        },
    )


def restored_from_cache() -> Plan:
    return Plan(
        (
            ResourceChange(
                MODEL,
                Action.CREATE,
                after={"split": "77aa", "depth": 6, "id": UNKNOWN},
                restored_from_cache=HIT,
                expected_seconds=41.0,
            ),
            ResourceChange(
                Address("model", "churn", key="wide"),
                Action.CREATE,
                after={"split": "77aa", "depth": 3, "id": UNKNOWN},
                expected_seconds=130.0,
            ),
        )
    )


def no_changes() -> Plan:
    return Plan(
        (ResourceChange(RECENT, Action.NO_OP, before={"id": "9c1e"}, after={"id": "9c1e"}),)
    )


def drift() -> Plan:
    return Plan(
        (
            ResourceChange(
                RECENT,
                Action.DELETE_THEN_CREATE,
                ActionReason.DRIFT,
                before={"id": "9c1e", "source": "a.csv", "fingerprint": "f2"},
                after={"id": UNKNOWN, "source": "a.csv", "fingerprint": "f2"},
            ),
        ),
        drift=(
            DriftNote(
                RECENT,
                before={"id": "9c1e", "source": "a.csv", "fingerprint": "f1"},
                after={"id": "9c1e", "source": "a.csv", "fingerprint": "f2"},
            ),
            DriftNote(
                Address("endpoint", "churn"),
                before={"id": "5d5d", "url": "http://localhost:8080"},
                after=None,
            ),
        ),
    )


SCENARIOS: dict[str, Callable[[], Plan]] = {
    "create": create,
    "update": update,
    "replace": replace,
    "delete": delete,
    "tainted": tainted,
    "sensitive": sensitive,
    "restored_from_cache": restored_from_cache,
    "no_changes": no_changes,
    "drift": drift,
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_golden(name: str) -> None:
    text = render_plan(SCENARIOS[name]())
    path = DATA / f"{name}.txt"
    if os.environ.get("MLFORM_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_golden_files_all_have_a_scenario() -> None:
    assert {p.stem for p in DATA.glob("*.txt")} == set(SCENARIOS)


class RecordingTerminal(Terminal):
    """A colouring terminal that records each line's style instead of asking rich."""

    def __init__(self) -> None:
        super().__init__(io.StringIO(), color=True)
        self.lines: list[tuple[str, str | None]] = []

    def print(self, text: str = "", style: str | None = None) -> None:
        self.lines.append((text, style))


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_colour_changes_nothing_but_colour(name: str) -> None:
    terminal = RecordingTerminal()
    print_plan(SCENARIOS[name](), terminal)
    assert "".join(text + "\n" for text, _ in terminal.lines) == render_plan(SCENARIOS[name]())
    assert any(style for _, style in terminal.lines)


def test_symbols_are_coloured_by_action() -> None:
    terminal = RecordingTerminal()
    print_plan(replace(), terminal)
    styles = dict(terminal.lines)
    assert styles['-/+ dataset "recent" {'] == "red"
    assert styles['+/- model "churn" {'] == "green"
    assert styles['      ~ source = "a.csv" -> "b.csv" # forces replacement'] == "yellow"
    terminal = RecordingTerminal()
    print_plan(create(), terminal)
    assert dict(terminal.lines)['  + dataset "recent" {'] == "green"


def test_sensitive_values_never_appear() -> None:
    text = render_plan(sensitive())
    for secret in ("hunter2", "old", "new", '"a"', '"b"'):
        assert secret not in text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.2, "1 s"), (41, "41 s"), (89, "89 s"), (130, "2 min"), (3900, "1 h 5 min"), (7200, "2 h")],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
