"""The SQLite state store (the default) passes the state store conformance suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlform.testing.state_conformance import StateStoreConformance


class TestSqliteStateStore(StateStoreConformance):
    @pytest.fixture
    def state_url(self, tmp_path: Path) -> str:
        return str(tmp_path / "home" / "mlform.db")
