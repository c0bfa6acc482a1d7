"""The values a plan is made of: one `ResourceChange` per instance, and the `Plan` itself.

`before` and `after` are the instance's attributes (inputs and outputs) as the views show
them: `after` may hold `UNKNOWN` for what is known only after apply, and either may hold
`Sensitive` marks. A create has no `before`, a delete no `after`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from mlform.addresses import Address
from mlform.plans.action import Action, ActionReason
from mlform.sdk.schema import AttributePath
from mlform.state.objects import StateSnapshot


@dataclass(frozen=True)
class CacheHit:
    """An identical earlier build that apply will restore instead of running the work again.

    `seconds` is how long that build took: the time the restore saves (None if unrecorded).
    """

    build_key: str
    built: datetime
    seconds: float | None = None


@dataclass(frozen=True)
class ResourceChange:
    """What apply will do to one instance, and why.

    `replace_paths` are the attributes whose change forces replacement; `sensitive_paths`
    those the schema marks sensitive (values marked `Sensitive` are hidden too);
    `replaced_upstream` the upstream instances whose replacement causes this one
    (with REPLACE_BECAUSE_UPSTREAM). `expected_seconds` comes from recorded history.
    """

    address: Address
    action: Action
    reason: ActionReason = ActionReason.NONE
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    replace_paths: tuple[AttributePath, ...] = ()
    sensitive_paths: tuple[AttributePath, ...] = ()
    replaced_upstream: tuple[Address, ...] = ()
    restored_from_cache: CacheHit | None = None
    expected_seconds: float | None = None
    drift: str | None = None
    """With DRIFT: what changed, as the provider said ("the source changed: data.csv")."""
    build_key: str | None = None
    """For a create or replace whose inputs are known at plan time: its build key."""

    @property
    def kind(self) -> str:
        return self.address.kind

    @property
    def runs_work(self) -> bool:
        """Whether apply builds this instance (creates or replaces it, not from the cache)."""
        return (
            self.action is Action.CREATE or self.action.is_replace
        ) and self.restored_from_cache is None


@dataclass(frozen=True)
class DriftNote:
    """An object that changed outside mlform since the last apply (`after` None: deleted)."""

    address: Address
    before: Mapping[str, Any]
    after: Mapping[str, Any] | None
    sensitive_paths: tuple[AttributePath, ...] = ()


@dataclass(frozen=True)
class OutputChange:
    """A root output whose value the apply will set, change or remove."""

    name: str
    action: Action
    before: Any = None
    after: Any = None
    sensitive: bool = False


@dataclass(frozen=True)
class Plan:
    """Every instance's change, the drift refresh found, the root outputs' changes.

    `prior` is the state the plan was made against, as refreshed; `targets` the `--target`
    addresses it was limited to; `destroy` whether it is a destroy plan; `forget` the
    recorded instances refresh found gone that the configuration no longer declares (apply
    drops them from the state: there is nothing left to delete).
    """

    changes: tuple[ResourceChange, ...] = ()
    drift: tuple[DriftNote, ...] = ()
    outputs: Mapping[str, OutputChange] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    prior: StateSnapshot | None = None
    targets: tuple[Address, ...] = ()
    destroy: bool = False
    forget: tuple[Address, ...] = ()

    @property
    def to_add(self) -> int:
        """Creates and replaces: a replace counts as one add and one destroy, as in Terraform."""
        return sum(1 for c in self.changes if c.action is Action.CREATE or c.action.is_replace)

    @property
    def to_change(self) -> int:
        return sum(1 for c in self.changes if c.action is Action.UPDATE)

    @property
    def to_destroy(self) -> int:
        return sum(1 for c in self.changes if c.action is Action.DELETE or c.action.is_replace)

    @property
    def resource_changes(self) -> tuple[ResourceChange, ...]:
        """The changes that do something (no no-ops)."""
        return tuple(c for c in self.changes if c.action is not Action.NO_OP)

    @property
    def has_changes(self) -> bool:
        """Whether apply would do anything, output values included (as Terraform's exit code 2)."""
        return (
            bool(self.resource_changes)
            or bool(self.forget)
            or any(o.action is not Action.NO_OP for o in self.outputs.values())
        )

    def expected_seconds(self) -> float | None:
        """The recorded duration of the work to run, summed: an upper bound, since apply runs
        independent resources in parallel. None when no change has a recorded duration."""
        known = [
            c.expected_seconds
            for c in self.resource_changes
            if c.expected_seconds is not None and c.restored_from_cache is None
        ]
        return sum(known) if known else None

    @cached_property
    def _by_address(self) -> dict[Address, ResourceChange]:
        return {change.address: change for change in self.changes}

    def change(self, address: Address) -> ResourceChange | None:
        """The change to one instance (apply asks once per instance: not a scan each time)."""
        return self._by_address.get(address)
