"""Fixtures shared by every test package."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from mlform.errors import MlformError
from mlform.state.database import database_url

ROOT = Path(__file__).resolve().parents[1]
HCLCHECK_BUILD = (
    "GO111MODULE=off GOPATH=/usr/share/gocode go build -o .venv/bin/hclcheck ./tests/tools/hclcheck"
    " (or `make test`, which installs Go and HCL's sources first)"
)
POSTGRESQL_START = (
    "start one with `make postgres` and set "
    "MLFORM_TEST_POSTGRESQL=postgresql://postgres@127.0.0.1:55432/mlform_test "
    "(`make test` does both)"
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


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[Engine]:
    """An engine on the PostgreSQL server named by MLFORM_TEST_POSTGRESQL (a URL on which the
    tests may create and drop databases), checked once.

    Without one, or when it does not answer, the tests that need it skip on a developer's
    machine and fail in CI, saying how to start it.
    """
    configured = os.environ.get("MLFORM_TEST_POSTGRESQL", "")
    if not configured:
        _missing(f"MLFORM_TEST_POSTGRESQL names no PostgreSQL server: {POSTGRESQL_START}")
    url = database_url(configured)
    try:
        server = create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    except MlformError as error:
        _missing(str(error))
    try:
        with server.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except Exception as error:
        server.dispose()
        summary = str(error).strip().splitlines()[0]
        _missing(
            f"the PostgreSQL server {url.render_as_string(True)} does not answer ({summary}): "
            f"{POSTGRESQL_START}"
        )
    yield server
    server.dispose()


@pytest.fixture
def postgresql_url(postgresql_server: Engine) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database of this test's own, dropped after it."""
    name = f"mlform_test_{uuid.uuid4().hex[:16]}"
    with postgresql_server.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield postgresql_server.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with postgresql_server.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')


def _missing(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
