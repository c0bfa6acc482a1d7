"""`format_source` agrees byte for byte with hclwrite.Format, run through the `hclcheck` oracle.

The oracle is tests/tools/hclcheck built into .venv/bin/hclcheck (or wherever MLFORM_HCLCHECK
points). Without it these tests skip, except under CI, where a missing oracle is a failure.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlform.errors import MlformError
from mlform.fmt import format_source

from .strategies import CASES, CASES_DIR, respaced

ROOT = Path(__file__).resolve().parents[3]

BUILD = (
    "GO111MODULE=off GOPATH=/usr/share/gocode go build -o .venv/bin/hclcheck ./tests/tools/hclcheck"
)


def _oracle_path() -> Path | None:
    configured = os.environ.get("MLFORM_HCLCHECK")
    path = Path(configured) if configured else ROOT / ".venv" / "bin" / "hclcheck"
    return path if path.is_file() and os.access(path, os.X_OK) else None


@pytest.fixture(scope="module")
def oracle() -> Path:
    path = _oracle_path()
    if path is None:
        message = f"hclcheck oracle not found; build it with: {BUILD}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def hclwrite_format(oracle: Path, text: str) -> str:
    done = subprocess.run(
        [str(oracle), "fmt"], input=text.encode("utf-8"), capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


@pytest.mark.parametrize("case", CASES)
def test_golden_input_matches_hclwrite(oracle: Path, case: str) -> None:
    text = (CASES_DIR / case / "input.mlf.hcl").read_bytes().decode("utf-8")
    assert format_source(text) == hclwrite_format(oracle, text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=respaced())
def test_respaced_inputs_match_hclwrite(oracle: Path, text: str) -> None:
    assert format_source(text) == hclwrite_format(oracle, text)


_PIECES = [*'abcx_-019. \t\n{}[]()"=,:?!<>+*/%#$~&|\\', "${", "%{", "<<EOT\n", "\nEOT\n", "é", "in"]
_HCLISH = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_HCLISH)
def test_random_text_matches_hclwrite_or_is_rejected(oracle: Path, text: str) -> None:
    """Garbage in: either a clean MlformError, or exactly hclwrite's output."""
    try:
        got = format_source(text)
    except MlformError as error:
        assert str(error).startswith("line ")
        return
    assert got == hclwrite_format(oracle, text)


WIDE_TEXTS = [
    "café",
    "cafe\u0301",
    "𝒜",
    "🇬🇧🇫",
    "👍🏽",
    "👨\u200d👩\u200d👧",
    "한국어",
    "数据集",
    "नमस्ते",
]


@pytest.mark.parametrize("text", WIDE_TEXTS)
def test_alignment_counts_columns_as_hclwrite_does(oracle: Path, text: str) -> None:
    source = f'x = "{text}" # a\nyy = "{text}{text}" # b\nzzz = 1 # c\n'
    assert format_source(source) == hclwrite_format(oracle, source)
