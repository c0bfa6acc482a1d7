"""The state store on PostgreSQL passes the conformance suite too, where a server is given.

Set MLFORM_TEST_POSTGRESQL to the URL of a server on which the tests may create and drop
databases, like `postgresql+psycopg://postgres@127.0.0.1:5432/postgres`, with its driver
installed; without it, these tests are skipped. Each test gets a database of its own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, make_url

from mlform.testing.state_conformance import StateStoreConformance

SERVER = os.environ.get("MLFORM_TEST_POSTGRESQL", "")


@pytest.mark.skipif(not SERVER, reason="MLFORM_TEST_POSTGRESQL names no PostgreSQL server")
class TestPostgresqlStateStore(StateStoreConformance):
    @pytest.fixture
    def state_url(self) -> Iterator[str]:
        server = create_engine(SERVER, isolation_level="AUTOCOMMIT")
        name = f"mlform_test_{uuid.uuid4().hex[:16]}"
        with server.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(SERVER).set(database=name).render_as_string(hide_password=False)
        finally:
            with server.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
            server.dispose()
