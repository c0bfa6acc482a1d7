"""A state written at schema version 1 (mlform 0.1.0, before root outputs) is migrated.

The tables are the ones version 1 created on SQLite, as SQL, and are never to be changed:
they stand for the state files already on users' disks, whatever `models` says today.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from mlform import __version__
from mlform.addresses import Address
from mlform.state import SCHEMA_VERSION, ResourceInstance, RootOutput, StateStore

KEY = "examples/churn:default"
LINEAGE = "0b5e6c7a-8a44-4c1b-9d55-1f0c2a9e4e21"
DIGEST = "ab" * 32
WHEN = datetime(2024, 5, 1, 12, 0, 3, 250000, tzinfo=UTC)

VERSION_1_TABLES = """
CREATE TABLE artifacts (
    digest VARCHAR(64) NOT NULL,
    size BIGINT NOT NULL,
    location TEXT NOT NULL,
    created DATETIME NOT NULL,
    PRIMARY KEY (digest)
);
CREATE TABLE builds (
    build_key VARCHAR(128) NOT NULL,
    kind VARCHAR(128) NOT NULL,
    object_id VARCHAR(64),
    outputs JSON NOT NULL,
    artifacts JSON NOT NULL,
    duration FLOAT,
    library_versions JSON NOT NULL,
    recorded DATETIME NOT NULL,
    PRIMARY KEY (build_key)
);
CREATE TABLE locks (
    workspace_key VARCHAR(1024) NOT NULL,
    id VARCHAR(36) NOT NULL,
    operation VARCHAR(64) NOT NULL,
    who VARCHAR(256) NOT NULL,
    host VARCHAR(256) NOT NULL,
    pid INTEGER NOT NULL,
    process_started BIGINT,
    created DATETIME NOT NULL,
    PRIMARY KEY (workspace_key),
    UNIQUE (id)
);
CREATE TABLE metrics (
    id INTEGER NOT NULL,
    workspace_key VARCHAR(1024) NOT NULL,
    address VARCHAR(1024) NOT NULL,
    name VARCHAR(256) NOT NULL,
    value FLOAT NOT NULL,
    slice VARCHAR(1024),
    evaluation_id VARCHAR(64),
    run_id VARCHAR(36),
    recorded DATETIME NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX ix_metrics_series ON metrics (workspace_key, address, name);
CREATE TABLE runs (
    id VARCHAR(36) NOT NULL,
    workspace_key VARCHAR(1024) NOT NULL,
    operation VARCHAR(16) NOT NULL,
    status VARCHAR(16) NOT NULL,
    started DATETIME NOT NULL,
    finished DATETIME,
    who VARCHAR(256) NOT NULL,
    config_commit VARCHAR(64),
    serial INTEGER,
    summary JSON NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX ix_runs_workspace_started ON runs (workspace_key, started);
CREATE TABLE schema_version (
    version INTEGER NOT NULL,
    mlform_version VARCHAR(64) NOT NULL,
    applied DATETIME NOT NULL,
    PRIMARY KEY (version)
);
CREATE TABLE stat_cache (
    path TEXT NOT NULL,
    inode VARCHAR(20) NOT NULL,
    size BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL,
    ctime_ns BIGINT NOT NULL,
    digest VARCHAR(64) NOT NULL,
    hashed_ns BIGINT NOT NULL,
    PRIMARY KEY (path)
);
CREATE TABLE workspaces (
    "key" VARCHAR(1024) NOT NULL,
    lineage VARCHAR(36) NOT NULL,
    serial INTEGER NOT NULL,
    created DATETIME NOT NULL,
    PRIMARY KEY ("key")
);
CREATE TABLE resource_instances (
    workspace_key VARCHAR(1024) NOT NULL,
    address VARCHAR(1024) NOT NULL,
    kind VARCHAR(128) NOT NULL,
    status VARCHAR(16) NOT NULL,
    inputs JSON NOT NULL,
    outputs JSON NOT NULL,
    object_id VARCHAR(64),
    build_key VARCHAR(128),
    started DATETIME,
    finished DATETIME,
    duration FLOAT,
    library_versions JSON NOT NULL,
    config_commit VARCHAR(64),
    dependencies JSON NOT NULL,
    updated DATETIME NOT NULL,
    PRIMARY KEY (workspace_key, address),
    FOREIGN KEY(workspace_key) REFERENCES workspaces ("key") ON DELETE CASCADE
);
CREATE INDEX ix_resource_instances_build_key ON resource_instances (build_key);
CREATE TABLE instance_artifacts (
    workspace_key VARCHAR(1024) NOT NULL,
    address VARCHAR(1024) NOT NULL,
    name VARCHAR(128) NOT NULL,
    digest VARCHAR(64) NOT NULL,
    PRIMARY KEY (workspace_key, address, name),
    FOREIGN KEY(workspace_key, address) REFERENCES resource_instances (workspace_key, address) ON DELETE CASCADE,
    FOREIGN KEY(digest) REFERENCES artifacts (digest)
);
CREATE INDEX ix_instance_artifacts_digest ON instance_artifacts (digest);
"""

# As mlform 0.1.0 wrote its rows: times as SQLAlchemy stores them on SQLite, JSON as text.
VERSION_1_ROWS = f"""
INSERT INTO schema_version VALUES (1, '0.1.0', '2024-05-01 11:00:00.000000');
INSERT INTO workspaces VALUES ('{KEY}', '{LINEAGE}', 7, '2024-05-01 11:00:00.000000');
INSERT INTO artifacts VALUES ('{DIGEST}', 10, '/artifacts', '2024-05-01 11:30:00.000000');
INSERT INTO resource_instances VALUES (
    '{KEY}', 'model.churn["deep"]', 'model', 'ready',
    '{{"params": {{"max_depth": 8}}, "label": "churned"}}', '{{"format": "ubj"}}',
    '{DIGEST}', 'build-1', '2024-05-01 12:00:03.250000', NULL, 41.5,
    '{{"xgboost": "3.0.2"}}', '9535127', '["dataset.churn"]', '2024-05-01 12:00:45.000000'
);
INSERT INTO instance_artifacts VALUES ('{KEY}', 'model.churn["deep"]', 'model', '{DIGEST}');
"""


@pytest.fixture
def version_1(tmp_path: Path) -> Path:
    """A state database as mlform 0.1.0 left it: one workspace at serial 7, one instance."""
    path = tmp_path / "mlform.db"
    connection = sqlite3.connect(path)
    connection.executescript(VERSION_1_TABLES + VERSION_1_ROWS)
    connection.close()
    return path


def test_the_data_is_intact_and_outputs_usable_after_migrating(version_1: Path) -> None:
    with StateStore.open(version_1) as store:
        assert store.schema_version() == 1  # looking does not migrate
        snapshot = store.snapshot(KEY)  # reading does
        assert store.schema_version() == SCHEMA_VERSION == 2
        assert (snapshot.lineage, snapshot.serial, snapshot.outputs) == (LINEAGE, 7, {})
        assert snapshot.instances == (
            ResourceInstance(
                Address("model", "churn", key="deep"),
                inputs={"params": {"max_depth": 8}, "label": "churned"},
                outputs={"format": "ubj"},
                id=DIGEST,
                build_key="build-1",
                artifacts={"model": DIGEST},
                started=WHEN,
                duration=41.5,
                library_versions={"xgboost": "3.0.2"},
                config_commit="9535127",
                dependencies=(Address("dataset", "churn"),),
            ),
        )
        outputs = {"auc": RootOutput(0.91), "token": RootOutput("s3cret", sensitive=True)}
        assert store.record_outputs(KEY, outputs) == 8
        assert store.record_instance(KEY, ResourceInstance(Address("dataset", "churn"))) == 9
    with StateStore.open(version_1) as store:
        snapshot = store.snapshot(KEY)
        assert (snapshot.lineage, snapshot.serial, snapshot.outputs) == (LINEAGE, 9, outputs)
        assert len(snapshot.instances) == 2
        assert [artifact.digest for artifact in store.artifacts()] == [DIGEST]
    engine = create_engine(f"sqlite:///{version_1}")
    with engine.connect() as connection:
        stamps = connection.execute(text("SELECT version, mlform_version FROM schema_version"))
        assert [tuple(row) for row in stamps] == [(1, "0.1.0"), (2, __version__)]
    engine.dispose()


def test_a_migrated_database_has_the_tables_of_a_new_one(version_1: Path, tmp_path: Path) -> None:
    with StateStore.open(version_1) as migrated, StateStore.open(tmp_path / "new.db") as new:
        migrated.snapshot(KEY)
        new.create_workspace(KEY)
        assert tables(migrated) == tables(new)


def tables(store: StateStore) -> dict[str, list[object]]:
    """Every table's columns (name, type, nullable), keys, indexes and constraints."""
    found = inspect(store.engine)
    return {
        table: [
            [
                (column["name"], str(column["type"]), column["nullable"])
                for column in found.get_columns(table)
            ],
            found.get_pk_constraint(table)["constrained_columns"],
            found.get_foreign_keys(table),
            found.get_indexes(table),
            found.get_unique_constraints(table),
        ]
        for table in sorted(found.get_table_names())
    }
