"""A workspace's resource instances and root outputs, read and written inside a transaction
that `StateStore` opens: the snapshot, one instance recorded or removed, the serial.

Every write here bumps the workspace's serial in the caller's transaction, so the serial a
snapshot reads names exactly the instances and outputs it reads with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from mlform.addresses import Address
from mlform.state import records, statements
from mlform.state.errors import StateError
from mlform.state.models import (
    artifact_table,
    build_table,
    instance_artifact_table,
    instance_table,
    workspace_table,
)
from mlform.state.objects import ObjectStatus, ResourceInstance, RootOutput, StateSnapshot


def read_snapshot(connection: Connection, workspace_key: str) -> StateSnapshot:
    workspace = statements.get(connection, workspace_table, workspace_key)
    if workspace is None:
        return StateSnapshot(workspace_key, None, 0)
    references = instance_artifact_table.c
    artifacts: dict[str, dict[str, str]] = {}
    for reference in connection.execute(
        select(references.address, references.name, references.digest).where(
            references.workspace_key == workspace_key
        )
    ):
        artifacts.setdefault(reference.address, {})[reference.name] = reference.digest
    rows = connection.execute(
        select(instance_table).where(instance_table.c.workspace_key == workspace_key)
    )
    instances = [records.instance_of(row, artifacts.get(row.address, {})) for row in rows]
    instances.sort(key=lambda instance: instance.address.sort_key)
    outputs = records.outputs_of(workspace.outputs)
    return StateSnapshot(
        workspace_key, workspace.lineage, workspace.serial, tuple(instances), outputs
    )


def write_instance(
    connection: Connection, workspace_key: str, instance: ResourceInstance, now: datetime
) -> int:
    """Record one instance with its artifact references (and its build); the new serial."""
    _check_artifacts_recorded(connection, instance)
    serial = bump_serial(connection, workspace_key, now)
    row = records.instance_row(workspace_key, instance, now)
    statements.upsert(connection, instance_table, row, ["workspace_key", "address"])
    address = str(instance.address)
    references = instance_artifact_table.c
    connection.execute(
        delete(instance_artifact_table).where(
            references.workspace_key == workspace_key, references.address == address
        )
    )
    if instance.artifacts:
        connection.execute(
            insert(instance_artifact_table),
            [
                {"workspace_key": workspace_key, "address": address, "name": name, "digest": digest}
                for name, digest in instance.artifacts.items()
            ],
        )
    if instance.build_key and instance.status is ObjectStatus.READY:
        statements.upsert(connection, build_table, records.build_row(instance, now), ["build_key"])
    return serial


def delete_instance(
    connection: Connection, workspace_key: str, address: Address, now: datetime
) -> int:
    """Forget one instance; the serial afterwards (unchanged when there was none)."""
    removed = connection.execute(
        delete(instance_table).where(
            instance_table.c.workspace_key == workspace_key,
            instance_table.c.address == str(address),
        )
    )
    if removed.rowcount:
        return bump_serial(connection, workspace_key, now)
    workspace = statements.get(connection, workspace_table, workspace_key)
    return 0 if workspace is None else int(workspace.serial)


def write_outputs(
    connection: Connection, workspace_key: str, outputs: Mapping[str, RootOutput], now: datetime
) -> int:
    """Replace the root outputs; the new serial."""
    return bump_serial(connection, workspace_key, now, outputs=records.outputs_value(outputs))


def bump_serial(connection: Connection, workspace_key: str, now: datetime, **values: object) -> int:
    """Add one to the workspace's serial, setting `values` on it too; the new serial.

    A missing workspace is created at serial 1. Should another transaction create it first
    (PostgreSQL runs writers side by side), the insert does nothing and the update runs
    again, finding it this time.
    """
    columns = workspace_table.c
    while True:
        serial = connection.execute(
            update(workspace_table)
            .where(columns.key == workspace_key)
            .values(serial=columns.serial + 1, **values)
            .returning(columns.serial)
        ).scalar_one_or_none()
        if serial is not None:
            return int(serial)
        created = {"key": workspace_key, "lineage": str(uuid.uuid4()), "serial": 1, "created": now}
        if statements.insert_if_absent(connection, workspace_table, {**created, **values}, ["key"]):
            return 1


def _check_artifacts_recorded(connection: Connection, instance: ResourceInstance) -> None:
    wanted = set(instance.artifacts.values())
    if not wanted:
        return
    digests = artifact_table.c.digest
    found = set(connection.scalars(select(digests).where(digests.in_(wanted))))
    if missing := sorted(wanted - found):
        raise StateError(
            f"{instance.address} refers to artifacts that are not recorded as stored: "
            f"{', '.join(missing)}. This is a bug in mlform: an artifact must be stored "
            "and recorded before the resource that uses it."
        )
