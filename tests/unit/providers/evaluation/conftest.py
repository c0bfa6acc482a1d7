"""Fixtures for the evaluation provider's tests (the doubles are in evaluation_doubles.py)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# This folder mirrors the package it tests, and pytest puts `tests/unit` on sys.path (for the
# `tests/unit/fmt` package), ahead of the editable install's finder: without the repository
# root first, `providers.evaluation` would resolve to this folder as a namespace package.
ROOT = str(Path(__file__).resolve().parents[4])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from evaluation_doubles import Harness, make_harness  # noqa: E402


@pytest.fixture
def harness_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Harness]:
    def make(kind: str = "binary", **kwargs: Any) -> Harness:
        return make_harness(tmp_path, monkeypatch, kind, **kwargs)

    return make


@pytest.fixture
def binary(harness_for: Callable[..., Harness]) -> Harness:
    return harness_for("binary")
