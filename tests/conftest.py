"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HCLCHECK_BUILD = (
    "GO111MODULE=off GOPATH=/usr/share/gocode go build -o .venv/bin/hclcheck ./tests/tools/hclcheck"
    " (or `make test`, which installs Go and HCL's sources first)"
)


@pytest.fixture(scope="session")
def hclcheck() -> Path:
    """HashiCorp's own parser and formatter (HCL 2.14.1), built from tests/tools/hclcheck.

    Missing, the tests that need it skip on a developer's machine and fail in CI.
    """
    configured = os.environ.get("MLFORM_HCLCHECK")
    path = Path(configured) if configured else ROOT / ".venv" / "bin" / "hclcheck"
    if not (path.is_file() and os.access(path, os.X_OK)):
        message = f"the hclcheck oracle is not built: {HCLCHECK_BUILD}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path
