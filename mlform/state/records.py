"""Conversions between the state's values (`objects`) and the database rows (`models`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from mlform.addresses import Address
from mlform.artifacts.fingerprint import StatEntry
from mlform.state.locking import LockInfo
from mlform.state.objects import (
    ArtifactRecord,
    Build,
    MetricPoint,
    ObjectStatus,
    ResourceInstance,
    RootOutput,
    Run,
    RunOperation,
    RunStatus,
    Workspace,
)


def instance_row(
    workspace_key: str, instance: ResourceInstance, updated: datetime
) -> dict[str, Any]:
    return {
        "workspace_key": workspace_key,
        "address": str(instance.address),
        "kind": instance.kind,
        "status": instance.status.value,
        "inputs": dict(instance.inputs),
        "outputs": dict(instance.outputs),
        "object_id": instance.id,
        "build_key": instance.build_key,
        "started": instance.started,
        "finished": instance.finished,
        "duration": instance.duration,
        "library_versions": dict(instance.library_versions),
        "config_commit": instance.config_commit,
        "dependencies": [str(address) for address in instance.dependencies],
        "updated": updated,
    }


def instance_of(row: Row[Any], artifacts: Mapping[str, str]) -> ResourceInstance:
    return ResourceInstance(
        address=Address.parse(row.address),
        status=ObjectStatus(row.status),
        inputs=row.inputs,
        outputs=row.outputs,
        id=row.object_id,
        build_key=row.build_key,
        artifacts=dict(sorted(artifacts.items())),
        started=row.started,
        finished=row.finished,
        duration=row.duration,
        library_versions=row.library_versions,
        config_commit=row.config_commit,
        dependencies=tuple(Address.parse(text) for text in row.dependencies),
    )


def build_row(instance: ResourceInstance, recorded: datetime) -> dict[str, Any]:
    return {
        "build_key": instance.build_key,
        "kind": instance.kind,
        "object_id": instance.id,
        "outputs": dict(instance.outputs),
        "artifacts": dict(instance.artifacts),
        "duration": instance.duration,
        "library_versions": dict(instance.library_versions),
        "recorded": recorded,
    }


def build_of(row: Row[Any]) -> Build:
    return Build(
        build_key=row.build_key,
        kind=row.kind,
        id=row.object_id,
        outputs=row.outputs,
        artifacts=row.artifacts,
        duration=row.duration,
        library_versions=row.library_versions,
        recorded=row.recorded,
    )


def workspace_of(row: Row[Any]) -> Workspace:
    return Workspace(row.key, row.lineage, row.serial, row.created)


def run_row(workspace_key: str, run: Run) -> dict[str, Any]:
    return {
        "id": run.id,
        "workspace_key": workspace_key,
        "operation": run.operation.value,
        "status": run.status.value,
        "started": run.started,
        "finished": run.finished,
        "who": run.who,
        "config_commit": run.config_commit,
        "serial": run.serial,
        "summary": dict(run.summary),
    }


def run_of(row: Row[Any]) -> Run:
    return Run(
        id=row.id,
        operation=RunOperation(row.operation),
        status=RunStatus(row.status),
        started=row.started,
        finished=row.finished,
        who=row.who,
        config_commit=row.config_commit,
        serial=row.serial,
        summary=row.summary,
    )


def metric_row(workspace_key: str, point: MetricPoint) -> dict[str, Any]:
    return {
        "workspace_key": workspace_key,
        "address": str(point.address),
        "name": point.name,
        "value": point.value,
        "slice": point.slice,
        "evaluation_id": point.evaluation_id,
        "run_id": point.run_id,
        "recorded": point.recorded,
    }


def metric_of(row: Row[Any]) -> MetricPoint:
    return MetricPoint(
        address=Address.parse(row.address),
        name=row.name,
        value=row.value,
        slice=row.slice,
        evaluation_id=row.evaluation_id,
        run_id=row.run_id,
        recorded=row.recorded,
    )


def lock_row(workspace_key: str, info: LockInfo) -> dict[str, Any]:
    return {
        "workspace_key": workspace_key,
        "id": info.id,
        "operation": info.operation,
        "who": info.who,
        "host": info.host,
        "pid": info.pid,
        "process_started": info.process_started,
        "created": info.created,
    }


def lock_of(row: Row[Any]) -> LockInfo:
    return LockInfo(
        id=row.id,
        operation=row.operation,
        who=row.who,
        host=row.host,
        pid=row.pid,
        created=row.created,
        process_started=row.process_started,
    )


def stat_row(entry: StatEntry) -> dict[str, Any]:
    return {
        "path": entry.path,
        "inode": str(entry.inode),
        "size": entry.size,
        "mtime_ns": entry.mtime_ns,
        "ctime_ns": entry.ctime_ns,
        "digest": entry.digest,
        "hashed_ns": entry.hashed_ns,
    }


def stat_of(row: Row[Any]) -> StatEntry:
    return StatEntry(
        row.path, int(row.inode), row.size, row.mtime_ns, row.ctime_ns, row.digest, row.hashed_ns
    )


def artifact_of(row: Row[Any]) -> ArtifactRecord:
    return ArtifactRecord(row.digest, row.size, row.location, row.created)


def outputs_value(outputs: Mapping[str, RootOutput]) -> dict[str, Any]:
    return {
        name: {"value": output.value, "sensitive": output.sensitive}
        for name, output in outputs.items()
    }


def outputs_of(value: Mapping[str, Any] | None) -> dict[str, RootOutput]:
    """The root outputs stored in a workspace row, by name (NULL: none recorded yet)."""
    return {
        name: RootOutput(stored["value"], stored.get("sensitive", False))
        for name, stored in sorted((value or {}).items())
    }
