"""The state store on PostgreSQL passes the conformance suite too.

The server comes from the `postgresql_url` fixture (tests/conftest.py): MLFORM_TEST_POSTGRESQL,
which `make test` sets after starting a throwaway cluster (`make postgres`). Without it these
tests skip, except in CI, where they fail. Each test gets a database of its own.
"""

from __future__ import annotations

import pytest

from mlform.testing.state_conformance import StateStoreConformance


class TestPostgresqlStateStore(StateStoreConformance):
    @pytest.fixture
    def state_url(self, postgresql_url: str) -> str:
        return postgresql_url
