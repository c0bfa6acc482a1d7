"""State URLs as users write them, and a missing database driver, without a server."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mlform.state import StateError, StateStore
from mlform.state.database import database_url


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("postgresql://alice:s3cret@db.example/mlform", "postgresql+psycopg://alice:s3cret@db.example/mlform"),
        ("postgres://alice@db.example:5433/mlform", "postgresql+psycopg://alice@db.example:5433/mlform"),
        ("postgresql+psycopg://db.example/mlform", "postgresql+psycopg://db.example/mlform"),
        ("postgresql+psycopg2://db.example/mlform", "postgresql+psycopg2://db.example/mlform"),
        ("sqlite:///state/mlform.db", "sqlite:///state/mlform.db"),
    ],
)  # fmt: skip
def test_a_bare_postgresql_url_means_psycopg_3(written: str, meant: str) -> None:
    assert database_url(written).render_as_string(hide_password=False) == meant


def test_a_path_means_a_sqlite_file(tmp_path: Path) -> None:
    url = database_url(f"{tmp_path}/mlform.db")
    assert url.drivername == "sqlite" and url.database == f"{tmp_path}/mlform.db"


def test_a_missing_driver_names_the_package_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if it were not installed
    store = StateStore.open("postgresql://alice:s3cret@db.example/mlform")
    with pytest.raises(StateError) as missing:
        store.snapshot("examples/churn:default")
    message = str(missing.value)
    assert "needs the database driver psycopg" in message
    assert "pip install 'psycopg[binary]'" in message and "mlform[postgres]" in message
    assert "s3cret" not in message


def test_an_unknown_database_kind_is_named() -> None:
    store = StateStore.open("nosuchdb://db.example/mlform")
    with pytest.raises(StateError, match="does not know the database kind 'nosuchdb'"):
        store.snapshot("examples/churn:default")
