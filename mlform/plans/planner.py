"""Planning: the validation walk, deciding each instance's action against the prior state.

Instances are visited in dependency order. An instance that will not change is seen by its
dependents as it was applied (its recorded inputs and outputs, so `split.dataset` resolves
to the dataset's real id); one that will be created or replaced is seen with its outputs
unknown, so its dependents find an unknown id in their inputs and are replaced in turn
("an upstream resource will be replaced"). Prior instances the configuration no longer
declares are planned for deletion.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from mlform.addresses import Address
from mlform.language.config import Configuration, ResourceDecl
from mlform.language.evaluator import EvaluationError, Scope, evaluate
from mlform.language.values import UNKNOWN, is_unknown, unmark
from mlform.language.variables import Mode, VariableInput
from mlform.plans.action import Action
from mlform.plans.changes import Plan, ResourceChange
from mlform.plans.decide import Presence, decide_action
from mlform.sdk import BlockValue, ProviderRegistry, ResourceRef, ResourceSchema
from mlform.state.home import StateHome, resolve_state_home, workspace_key
from mlform.state.objects import StateSnapshot
from mlform.state.store import StateStore
from mlform.validation.check import Checker, ValidationResult, validate_directory
from mlform.validation.decode import Decoded


def plan_directory(
    directory: Path,
    registry: ProviderRegistry,
    snapshot: StateSnapshot | Callable[[Configuration], StateSnapshot],
    inputs: Sequence[VariableInput] = (),
    environ: Mapping[str, str] | None = None,
    replace: Iterable[str] = (),
) -> tuple[ValidationResult, Plan]:
    """Validate `directory` in plan mode and decide every instance's action."""
    planner: dict[str, Any] = {}
    result = validate_directory(
        directory,
        registry,
        inputs,
        environ,
        Mode.PLAN,
        checker=_Planner,
        snapshot=snapshot,
        replace=frozenset(replace),
        out=planner,
    )
    changes: dict[Address, ResourceChange] = planner.get("changes", {})
    if not result.diagnostics.has_errors:
        _plan_deletions(result, planner["snapshot"], changes)
    ordered = tuple(sorted(changes.values(), key=lambda c: str(c.address)))
    return result, Plan(changes=ordered)


class _Planner(Checker):
    def __init__(
        self,
        result: ValidationResult,
        registry: ProviderRegistry,
        *,
        snapshot: StateSnapshot | Callable[[Configuration], StateSnapshot],
        replace: frozenset[str],
        out: dict[str, Any],
    ):
        super().__init__(result, registry)
        self.snapshot = snapshot if isinstance(snapshot, StateSnapshot) else snapshot(result.config)
        out["snapshot"] = self.snapshot
        self.replace = replace
        self.changes: dict[Address, ResourceChange] = {}
        out["changes"] = self.changes

    def instance_object(
        self, resource: ResourceDecl, address: Address, schema: ResourceSchema, decoded: Decoded
    ) -> Any:
        if isinstance(address.key, str) and address.key == "*":
            return super().instance_object(resource, address, schema, decoded)
        prior = self.snapshot.instance(address)
        proposed = dict(decoded.config)
        prior_inputs = inputs_from_json(schema, prior.inputs) if prior is not None else None
        upstream: tuple[Address, ...] = ()
        if prior is None or prior_inputs is None:
            decision = decide_action(prior_status=None)
        else:
            paths = tuple(schema.block.replacement_paths(prior_inputs, proposed))
            references = {(a.name,) for a in schema.block.inputs if isinstance(a.type, ResourceRef)}
            by_upstream = tuple(
                p for p in paths if p in references and is_unknown(proposed.get(str(p[0])))
            )
            if by_upstream:
                upstream = self._replaced_upstream(resource)
            decision = decide_action(
                prior_status=prior.status,
                prior_inputs=prior_inputs,
                proposed_inputs=proposed,
                replace_paths=tuple(p for p in paths if p not in by_upstream),
                upstream_replaced=bool(by_upstream),
                replace_requested=str(address) in self.replace,
                create_before_destroy=resource.lifecycle.create_before_destroy,
                changed_in_place=_changed_in_place(schema, prior_inputs, proposed),
            )
        rebuilt = decision.action is Action.CREATE or decision.action.is_replace
        outputs = {a.name: UNKNOWN for a in schema.block.outputs}
        if not rebuilt and prior is not None:
            outputs = dict(prior.outputs)
        sensitive = tuple((a.name,) for a in schema.block.inputs if a.sensitive)
        self.changes[address] = ResourceChange(
            address=address,
            action=decision.action,
            reason=decision.reason,
            before=None
            if prior is None
            else {**_flatten_blocks(prior_inputs or {}), **prior.outputs},
            after={**_flatten_blocks(proposed), **outputs},
            replace_paths=decision.replace_paths,
            sensitive_paths=sensitive,
            replaced_upstream=upstream,
            expected_seconds=prior.duration if prior is not None and rebuilt else None,
        )
        if rebuilt:
            return super().instance_object(resource, address, schema, decoded)
        value = {a.name: proposed.get(a.name) for a in schema.block.inputs}
        value.update(outputs)
        return value

    def _replaced_upstream(self, resource: ResourceDecl) -> tuple[Address, ...]:
        upstream = []
        for dependency in self.result.graph.dependencies(resource.address):
            for address, change in self.changes.items():
                if address.resource == dependency and (
                    change.action is Action.CREATE or change.action.is_replace
                ):
                    upstream.append(address)
        return tuple(sorted(upstream))


def _plan_deletions(
    result: ValidationResult, snapshot: StateSnapshot, changes: dict[Address, ResourceChange]
) -> None:
    configured = {instance.address for instance in result.instances.values()}
    for prior in snapshot.instances:
        if prior.address in configured:
            continue
        resource = result.config.resources.get(prior.address.resource)
        if resource is None:
            presence = Presence.NO_RESOURCE_CONFIG
        elif resource.for_each is not None:
            presence = Presence.EACH_KEY_GONE
        else:
            presence = Presence.COUNT_INDEX_GONE
        decision = decide_action(prior_status=prior.status, presence=presence)
        changes[prior.address] = ResourceChange(
            address=prior.address,
            action=decision.action,
            reason=decision.reason,
            before={**prior.inputs, **prior.outputs},
            after=None,
        )


def _changed_in_place(
    schema: ResourceSchema, prior: Mapping[str, Any], proposed: Mapping[str, Any]
) -> frozenset[str]:
    return frozenset(
        a.name
        for a in schema.block.inputs
        if not a.forces_replacement
        and unmark(prior.get(a.name))[0] != unmark(proposed.get(a.name))[0]
    )


def inputs_to_json(config: Mapping[str, Any]) -> dict[str, Any]:
    """A resolved configuration as the state stores it: nested blocks as
    `{"labels": [...], "config": {...}}` objects, sensitive marks removed."""
    plain, _ = unmark(dict(config))
    return {k: _block_json(v) for k, v in plain.items()}


def _block_json(value: Any) -> Any:
    if isinstance(value, list) and value and all(isinstance(v, BlockValue) for v in value):
        return [{"labels": list(b.labels), "config": inputs_to_json(b.config)} for b in value]
    return value


def inputs_from_json(schema: ResourceSchema, data: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of `inputs_to_json` for one kind's schema."""
    return _from_json(schema.block, data)


def _from_json(block: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    result = {a.name: a.default for a in block.inputs}  # absent from the state: the default
    result.update(data)
    for nested in block.blocks:
        items = data.get(nested.name) or []
        result[nested.name] = [
            BlockValue(
                tuple(item.get("labels", ())), _from_json(nested.block, item.get("config", {}))
            )
            for item in items
            if isinstance(item, dict)
        ]
    return result


def _flatten_blocks(config: Mapping[str, Any]) -> dict[str, Any]:
    """Nested blocks shown as lists of objects, the way the plan view prints values; kinds
    of block the configuration does not use are left out, like null attributes."""
    shown: dict[str, Any] = {}
    for key, value in config.items():
        if isinstance(value, list) and all(isinstance(b, BlockValue) for b in value):
            if value:
                shown[key] = [dict(b.config) for b in value]
        else:
            shown[key] = value
    return shown


def read_snapshot(
    config: Configuration,
    state_flag: str | None,
    workspace: str,
    environ: Mapping[str, str],
) -> tuple[StateHome, StateSnapshot]:
    """The prior state of a configuration's workspace; an empty one where nothing was ever
    written (a plan never creates a state home)."""
    home = resolve_state_home(
        state_flag,
        environ,
        _setting(config, "state"),
        config.directory,
        artifacts=_setting(config, "artifacts"),
    )
    key = workspace_key(config.directory, workspace)
    if not home.exists():
        return home, StateSnapshot(key, None, 0)
    store = StateStore.open(home.database)
    try:
        return home, store.snapshot(key)
    finally:
        store.close()


def _setting(config: Configuration, name: str) -> str | None:
    """A constant setting of the `mlform` block (validate reports a bad one)."""
    if config.settings is None or name not in config.settings.attributes:
        return None
    try:
        value = evaluate(config.settings.attributes[name].expression, Scope({}, config.directory))
    except EvaluationError:
        return None
    return value if isinstance(value, str) else None
