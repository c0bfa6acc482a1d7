"""The values the state holds, as plan and apply see them: frozen, typed, free of SQL.

A workspace's state is a `StateSnapshot` (lineage, serial, resource instances, root
outputs). A `ResourceInstance` is one object a resource block produced (`model.churn["deep"]`)
with its status, resolved inputs, outputs, content id and build key. Times are timezone-aware
UTC.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from mlform.addresses import Address


class ObjectStatus(enum.Enum):
    """Whether an object can be used as it is, or must be replaced by the next apply."""

    READY = "ready"
    TAINTED = "tainted"


@dataclass(frozen=True)
class ResourceInstance:
    """One resource instance as last applied.

    `inputs` and `outputs` hold JSON values (resolved, no unknowns). `id` is the digest of the
    canonical content the resource produced (None for a create that failed before producing
    anything, which is then tainted). `artifacts` maps each artifact's role (`"data"`,
    `"model"`) to its digest; every one must be recorded in the store first. `duration` is the
    seconds the work took, which can differ from `finished - started` when part of that time
    was spent waiting.
    """

    address: Address
    status: ObjectStatus = ObjectStatus.READY
    inputs: Mapping[str, Any] = field(default_factory=dict)
    outputs: Mapping[str, Any] = field(default_factory=dict)
    id: str | None = None
    build_key: str | None = None
    artifacts: Mapping[str, str] = field(default_factory=dict)
    started: datetime | None = None
    finished: datetime | None = None
    duration: float | None = None
    library_versions: Mapping[str, str] = field(default_factory=dict)
    config_commit: str | None = None
    dependencies: tuple[Address, ...] = ()

    @property
    def kind(self) -> str:
        return self.address.kind

    @property
    def tainted(self) -> bool:
        return self.status is ObjectStatus.TAINTED


@dataclass(frozen=True)
class RootOutput:
    """The value of one of the configuration's `output` blocks, as of the last apply.

    `value` is a JSON value. `sensitive` is kept with it so that `mlform output` can hide
    the value from listings without re-reading the configuration that marked it.
    """

    value: Any
    sensitive: bool = False


@dataclass(frozen=True)
class Workspace:
    """A workspace's identity and version.

    `lineage` is a random id given when the workspace is first written and never changed, so
    a plan saved against one state is never applied to another; `serial` grows by one with
    every write, so a plan saved against an older state is recognised as stale.
    """

    key: str
    lineage: str
    serial: int
    created: datetime


@dataclass(frozen=True)
class StateSnapshot:
    """Everything a plan reads about one workspace, as of one instant.

    A workspace never written has no lineage and serial 0. `outputs` are the root outputs
    recorded by the last apply, read in the same transaction as the instances, so they
    belong to the same serial.
    """

    workspace_key: str
    lineage: str | None
    serial: int
    instances: tuple[ResourceInstance, ...] = ()
    outputs: Mapping[str, RootOutput] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.instances

    @cached_property
    def _by_address(self) -> dict[Address, ResourceInstance]:
        return {instance.address: instance for instance in self.instances}

    def instance(self, address: Address) -> ResourceInstance | None:
        return self._by_address.get(address)

    def addresses(self) -> list[Address]:
        return [instance.address for instance in self.instances]

    def resource(self, kind: str, name: str) -> tuple[ResourceInstance, ...]:
        """The instances of one resource block (one, or one per `count`/`for_each` key)."""
        return tuple(
            instance
            for instance in self.instances
            if instance.address.kind == kind and instance.address.name == name
        )


@dataclass(frozen=True)
class Build:
    """A finished build, kept by build key even after its resource is destroyed.

    Plan looks a create or replace up by its build key; when a build exists and its artifacts
    are still stored, apply restores it instead of running the work again.
    """

    build_key: str
    kind: str
    id: str | None
    outputs: Mapping[str, Any]
    artifacts: Mapping[str, str]
    duration: float | None
    library_versions: Mapping[str, str]
    recorded: datetime


@dataclass(frozen=True)
class ArtifactRecord:
    """An artifact the state knows to be completely stored."""

    digest: str
    size: int
    location: str
    created: datetime


@dataclass(frozen=True)
class ArtifactReference:
    """A resource instance that uses an artifact, under a role (`"model"`)."""

    workspace_key: str
    address: Address
    name: str
    digest: str


class RunOperation(enum.Enum):
    PLAN = "plan"
    APPLY = "apply"
    DESTROY = "destroy"


class RunStatus(enum.Enum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class Run:
    """One plan, apply or destroy, for the history. Recorded again (same id) as it ends.

    `serial` is the state serial the run read; `summary` holds what the views want to show
    later (counts per action, each resource's action and duration).
    """

    id: str
    operation: RunOperation
    status: RunStatus
    started: datetime
    finished: datetime | None = None
    who: str = ""
    config_commit: str | None = None
    serial: int | None = None
    summary: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MetricPoint:
    """One metric value of one evaluation, optionally of one slice (`"plan=basic"`)."""

    address: Address
    name: str
    value: float
    slice: str | None = None
    evaluation_id: str | None = None
    run_id: str | None = None
    recorded: datetime = field(default_factory=lambda: datetime.now(UTC))
