"""Golden cases for `mlform fmt`: each tests/data/fmt/<case>/ holds an input and hclwrite's output.

The `hclwrite-NN` cases are the input/expected pairs of HCL 2.14.1's hclwrite/format_test.go;
the others are mlform-flavoured configurations whose expected output came from the oracle
(`hclcheck fmt`, i.e. hclwrite.Format itself).
"""

from __future__ import annotations

import pytest

from mlform.fmt import format_source

from .strategies import CASES, CASES_DIR


def read(case: str, name: str) -> str:
    # Bytes, not text mode: line endings and trailing whitespace are part of the case.
    return (CASES_DIR / case / name).read_bytes().decode("utf-8")


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 70
    assert sum(case.startswith("hclwrite-") for case in CASES) == 57


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str) -> None:
    assert format_source(read(case, "input.mlf.hcl")) == read(case, "expected.mlf.hcl")


@pytest.mark.parametrize("case", CASES)
def test_formatting_is_idempotent(case: str) -> None:
    expected = read(case, "expected.mlf.hcl")
    assert format_source(expected) == expected
