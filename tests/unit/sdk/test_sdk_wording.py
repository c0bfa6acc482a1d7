"""Did-you-mean suggestions and lists of choices in messages."""

from __future__ import annotations

import pytest

from mlform.sdk import did_you_mean, quoted_choices
from mlform.sdk.wording import closest, edit_distance

KINDS = ["dataset", "endpoint", "evaluation", "model", "split"]


@pytest.mark.parametrize(
    ("name", "choices", "suggestion"),
    [
        ("modle", KINDS, "model"),
        ("splt", KINDS, "split"),
        ("adma", ["adam", "adamax", "nadam"], "adam"),
        ("round", ["rounds", "seed"], "rounds"),
        ("evalution", KINDS, "evaluation"),
        ("spaceship", KINDS, None),
        ("x", [], None),
    ],
)
def test_closest(name: str, choices: list[str], suggestion: str | None) -> None:
    assert closest(name, choices) == suggestion


def test_did_you_mean() -> None:
    assert did_you_mean("modle", KINDS) == '; did you mean "model"?'
    assert did_you_mean("spaceship", KINDS) == ""
    assert did_you_mean("spaceship", KINDS, otherwise=".") == "."


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("", "abc", 3), ("abc", "abc", 0), ("modle", "model", 1), ("kitten", "sitting", 3)],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance == edit_distance(b, a)


def test_quoted_choices() -> None:
    assert quoted_choices([]) == ""
    assert quoted_choices(["local"]) == '"local"'
    assert quoted_choices(["local", "docker"]) == '"local" or "docker"'
    assert quoted_choices("abc", "and") == '"a", "b" and "c"'
