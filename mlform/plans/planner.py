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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mlform.addresses import Address
from mlform.diagnostics import Diagnostic, error
from mlform.errors import MlformError
from mlform.language.config import Configuration, ResourceDecl
from mlform.language.values import UNKNOWN, contains_unknown, unmark
from mlform.language.variables import Mode, VariableInput
from mlform.plans.action import Action, ActionReason
from mlform.plans.builds import BuildContext, PlannedBuild, plan_build
from mlform.plans.changes import OutputChange, Plan, ResourceChange
from mlform.plans.decide import Decision, Presence, decide_action
from mlform.plans.refresh import Refreshed, not_refreshed, sensitive_paths
from mlform.sdk import (
    BlockValue,
    PlanRequest,
    ProviderDiagnostic,
    ProviderRegistry,
    ResourceSchema,
)
from mlform.state.objects import ResourceInstance, StateSnapshot
from mlform.validation.check import Checker, ValidationResult, validate_directory
from mlform.validation.decode import Decoded

TARGETING_WARNING = (
    "Resource targeting is in effect: you are creating a plan with --target, so it may not "
    "represent all of the changes the configuration asks for. --target is for exceptional "
    "situations, such as recovering from errors or mistakes; run a plan without it afterwards."
)

StateSource = StateSnapshot | Refreshed | Callable[[Configuration], StateSnapshot | Refreshed]
"""The prior state, as recorded or refreshed, or a function of the configuration giving it
(the configuration says where its state lives)."""


@dataclass(frozen=True)
class PlanOptions:
    """`--replace`, `--target` and `destroy`: a plan that deletes every instance."""

    replace: frozenset[str] = frozenset()
    targets: tuple[Address, ...] = ()
    destroy: bool = False


def plan_directory(
    directory: Path,
    registry: ProviderRegistry,
    snapshot: StateSource,
    inputs: Sequence[VariableInput] = (),
    environ: Mapping[str, str] | None = None,
    replace: Iterable[str] = (),
    targets: Iterable[Address] = (),
    destroy: bool = False,
    builds: BuildContext | Callable[[Configuration], BuildContext] | None = None,
) -> tuple[ValidationResult, Plan]:
    """Validate `directory` in plan mode and decide every instance's action.

    With `builds`, every create or replace whose inputs are known is keyed (its provider
    plans it, fingerprinting its sources) and looked up in the build cache."""
    options = PlanOptions(frozenset(replace), tuple(targets), destroy)
    planner: dict[str, Any] = {}
    result = validate_directory(
        directory,
        registry,
        inputs,
        environ,
        Mode.PLAN,
        checker=_Planner,
        snapshot=snapshot,
        options=options,
        builds=builds,
        out=planner,
    )
    changes: dict[Address, ResourceChange] = planner.get("changes", {})
    refreshed: Refreshed = planner.get("refreshed") or Refreshed(StateSnapshot("", None, 0))
    warnings: list[str] = []
    if not result.diagnostics.has_errors:
        if destroy:
            changes = _destroy_changes(registry, result, refreshed.snapshot, options)
        else:
            _plan_deletions(registry, result, refreshed.snapshot, changes, options)
        check_prevent_destroy(result, changes.values())
        if options.targets:
            warnings.append(TARGETING_WARNING)
            warnings += _unmatched_targets(result, refreshed.snapshot, options.targets)
    ordered = tuple(sorted(changes.values(), key=lambda c: str(c.address)))
    outputs = {} if options.targets else _output_changes(result, refreshed.snapshot, destroy)
    return result, Plan(
        changes=ordered,
        drift=refreshed.drift,
        outputs=outputs,
        warnings=tuple(warnings),
        prior=refreshed.snapshot,
        targets=options.targets,
        destroy=destroy,
        forget=_forgotten(result, refreshed, options),
    )


def _forgotten(
    result: ValidationResult, refreshed: Refreshed, options: PlanOptions
) -> tuple[Address, ...]:
    if result.diagnostics.has_errors:
        return ()
    configured = {i.address for i in result.instances.values()}
    return tuple(
        sorted(
            (
                a
                for a in refreshed.gone
                if (options.destroy or a not in configured)
                and _targets_deletion(a, options.targets)
            ),
            key=str,
        )
    )


def decide_instance(
    schema: ResourceSchema,
    resource: ResourceDecl,
    address: Address,
    proposed: Mapping[str, Any],
    prior: ResourceInstance | None,
    *,
    replace_requested: bool = False,
    drifted: bool = False,
) -> tuple[Decision, bool]:
    """The action for a configured instance, and whether it is replaced only because an
    upstream resource will be (an unknown id among its references)."""
    prior_inputs = inputs_from_json(schema, prior.inputs) if prior is not None else None
    if prior is None or prior_inputs is None:
        return decide_action(prior_status=None), False
    proposed = _ignoring_changes(resource, prior_inputs, proposed)
    paths = tuple(schema.block.replacement_paths(prior_inputs, proposed))
    # in a plan, only an upstream that will be rebuilt leaves a value unknown (its id, or an
    # output such as `rows`): such a change is the upstream's, not the configuration's
    by_upstream = tuple(p for p in paths if contains_unknown(unmark(proposed.get(str(p[0])))[0]))
    decision = decide_action(
        prior_status=prior.status,
        prior_inputs=prior_inputs,
        proposed_inputs=proposed,
        replace_paths=tuple(p for p in paths if p not in by_upstream),
        upstream_replaced=bool(by_upstream),
        replace_requested=replace_requested,
        drift=drifted,
        create_before_destroy=resource.lifecycle.create_before_destroy,
        changed_in_place=_changed_in_place(schema, prior_inputs, proposed),
    )
    return decision, decision.reason is ActionReason.REPLACE_BECAUSE_UPSTREAM


def _ignoring_changes(
    resource: ResourceDecl, prior: Mapping[str, Any], proposed: Mapping[str, Any]
) -> Mapping[str, Any]:
    """`lifecycle { ignore_changes = [...] }`: those attributes keep their recorded values."""
    ignored = resource.lifecycle.ignore_changes
    if not ignored:
        return proposed
    if "all" in ignored:
        return dict(prior)
    return {**proposed, **{name: prior.get(name) for name in ignored if name in prior}}


class _Planner(Checker):
    def __init__(
        self,
        result: ValidationResult,
        registry: ProviderRegistry,
        *,
        snapshot: StateSource,
        options: PlanOptions,
        builds: BuildContext | Callable[[Configuration], BuildContext] | None,
        out: dict[str, Any],
    ):
        super().__init__(result, registry)
        state = snapshot(result.config) if callable(snapshot) else snapshot
        self.refreshed = state if isinstance(state, Refreshed) else not_refreshed(state)
        for diagnostic in self.refreshed.diagnostics:
            self.diagnostics.add(diagnostic)
        self.snapshot = self.refreshed.snapshot
        out["refreshed"] = self.refreshed
        self.builds = builds(result.config) if callable(builds) else builds
        self.options = options
        self.targeted: set[str] | None = None
        self.changes: dict[Address, ResourceChange] = {}
        out["changes"] = self.changes

    def walk(self) -> None:
        if self.options.targets:
            self.targeted = targeted_nodes(self.result, self.options.targets)
        super().walk()

    def instance_object(
        self, resource: ResourceDecl, address: Address, schema: ResourceSchema, decoded: Decoded
    ) -> Any:
        if isinstance(address.key, str) and address.key == "*":
            return super().instance_object(resource, address, schema, decoded)
        prior = self.snapshot.instance(address)
        proposed = dict(decoded.config)
        if not is_targeted(address, self.targeted, self.options.targets) or self.options.destroy:
            if prior is None:
                return super().instance_object(resource, address, schema, decoded)
            # a tainted instance recorded no outputs: references to them are unknown
            unknown = {a.name: UNKNOWN for a in schema.block.outputs}
            return {**inputs_from_json(schema, prior.inputs), **unknown, **prior.outputs}
        decision, by_upstream = decide_instance(
            schema,
            resource,
            address,
            proposed,
            prior,
            replace_requested=str(address) in self.options.replace,
            drifted=address in self.refreshed.drifted,
        )
        rebuilt = decision.action is Action.CREATE or decision.action.is_replace
        outputs = {a.name: UNKNOWN for a in schema.block.outputs}
        if not rebuilt and prior is not None:
            outputs = dict(prior.outputs)
        prior_inputs = inputs_from_json(schema, prior.inputs) if prior is not None else {}
        build = PlannedBuild()
        if rebuilt and self.builds is not None and not contains_unknown(unmark(proposed)[0]):
            build = self._plan_build(resource, address, proposed, decoded)
        elif decision.action is not Action.NO_OP:
            self._plan_change(resource, address, proposed, prior, decoded)
        if decision.reason is ActionReason.REPLACE_BY_REQUEST:
            build = replace(build, hit=None)  # --replace asks for the work to be done again
        shown = {**outputs, **build.outputs} if rebuilt else outputs
        self.changes[address] = ResourceChange(
            address=address,
            action=decision.action,
            reason=decision.reason,
            before=None if prior is None else {**_flatten_blocks(prior_inputs), **prior.outputs},
            after={**_flatten_blocks(proposed), **shown},
            replace_paths=decision.replace_paths,
            sensitive_paths=sensitive_paths(self.registry, resource.kind),
            replaced_upstream=self._replaced_upstream(resource) if by_upstream else (),
            expected_seconds=prior.duration if prior is not None and rebuilt else None,
            drift=self.refreshed.reasons.get(address),
            build_key=build.key,
            restored_from_cache=build.hit,
        )
        if rebuilt:
            return super().instance_object(resource, address, schema, decoded)
        value = {a.name: proposed.get(a.name) for a in schema.block.inputs}
        value.update(outputs)
        return value

    def _plan_build(
        self,
        resource: ResourceDecl,
        address: Address,
        proposed: Mapping[str, Any],
        decoded: Decoded,
    ) -> PlannedBuild:
        assert self.builds is not None
        try:
            build = plan_build(
                self.registry.get(resource.kind),
                address,
                proposed,
                self.builds,
                self.upstream_objects(resource),
                self.result.providers,
            )
        except Exception as exc:  # a provider bug must not look like the user's mistake
            self.diagnostics.add(
                error(
                    f"the {resource.kind} provider failed while planning ({type(exc).__name__}: "
                    f"{exc}); this is a bug in the provider, please report it",
                    resource.name_range,
                    str(address),
                )
            )
            return PlannedBuild()
        self._report(resource, address, decoded, build.diagnostics)
        return build

    def _plan_change(
        self,
        resource: ResourceDecl,
        address: Address,
        proposed: Mapping[str, Any],
        prior: ResourceInstance | None,
        decoded: Decoded,
    ) -> None:
        """Ask a provider that wants to see every change (`Provider.plans_every_change`)
        about one that is not keyed as a build: an update, or inputs known only after apply."""
        provider = self.registry.get(resource.kind)
        if not provider.plans_every_change:
            return
        schema = provider.schema
        try:
            response = provider.plan(
                PlanRequest(
                    address=str(address),
                    prior_inputs=inputs_from_json(schema, prior.inputs) if prior else None,
                    prior_outputs=prior.outputs if prior is not None else None,
                    proposed_inputs=proposed,
                    config_dir=self.config.directory,
                    fingerprints=self.builds.fingerprints if self.builds is not None else None,
                    upstream=self.upstream_objects(resource),
                    providers=self.result.providers,
                )
            )
        except Exception as exc:  # a provider bug must not look like the user's mistake
            self.diagnostics.add(
                error(
                    f"the {resource.kind} provider failed while planning ({type(exc).__name__}: "
                    f"{exc}); this is a bug in the provider, please report it",
                    resource.name_range,
                    str(address),
                )
            )
            return
        self._report(resource, address, decoded, response.diagnostics)

    def _report(
        self,
        resource: ResourceDecl,
        address: Address,
        decoded: Decoded,
        found: Iterable[ProviderDiagnostic],
    ) -> None:
        for diagnostic in found:
            self.diagnostics.add(
                Diagnostic(
                    diagnostic.severity,
                    diagnostic.message,
                    decoded.range_of(diagnostic.path, resource.name_range),
                    str(address),
                )
            )

    def _replaced_upstream(self, resource: ResourceDecl) -> tuple[Address, ...]:
        upstream = []
        for dependency in self.result.graph.dependencies(resource.address):
            for address, change in self.changes.items():
                if address.resource == dependency and (
                    change.action is Action.CREATE or change.action.is_replace
                ):
                    upstream.append(address)
        return tuple(sorted(upstream))


def targeted_nodes(result: ValidationResult, targets: Sequence[Address]) -> set[str]:
    """The resource blocks `--target` reaches: the targets' own and their dependencies."""
    nodes: set[str] = set()
    graph = result.graph
    for target in targets:
        node = target.resource
        if node in graph:
            nodes.add(node)
            nodes |= set(graph.ancestors(node))
    return nodes


def is_targeted(address: Address, targeted: set[str] | None, targets: Sequence[Address]) -> bool:
    """Whether an instance is in a targeted plan: its block is a target's dependency, or it
    is a target (an instance target leaves its siblings out)."""
    if targeted is None:
        return True
    if address.resource not in targeted:
        return False
    siblings = [t for t in targets if t.resource == address.resource]
    if not siblings:
        return True  # a dependency of a target: all its instances
    return any(t.key is None or t == address for t in siblings)


def _unmatched_targets(
    result: ValidationResult, snapshot: StateSnapshot, targets: Sequence[Address]
) -> list[str]:
    configured = {i.address for i in result.instances.values()} | set(snapshot.addresses())
    return [
        f"--target {target}: no such resource or instance, in the configuration or the state"
        for target in targets
        if not any(
            a == target or (target.key is None and a.resource == target.resource)
            for a in configured
        )
    ]


def _plan_deletions(
    registry: ProviderRegistry,
    result: ValidationResult,
    snapshot: StateSnapshot,
    changes: dict[Address, ResourceChange],
    options: PlanOptions,
) -> None:
    configured = {instance.address for instance in result.instances.values()}
    for prior in snapshot.instances:
        if prior.address in configured or not _targets_deletion(prior.address, options.targets):
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
            before={**shown_inputs(registry, prior), **prior.outputs},
            after=None,
            sensitive_paths=sensitive_paths(registry, prior.kind),
        )


def _targets_deletion(address: Address, targets: Sequence[Address]) -> bool:
    return not targets or any(
        t == address or (t.key is None and t.resource == address.resource) for t in targets
    )


def _destroy_changes(
    registry: ProviderRegistry,
    result: ValidationResult,
    snapshot: StateSnapshot,
    options: PlanOptions,
) -> dict[Address, ResourceChange]:
    """Every recorded instance deleted; with targets, those and what depends on them."""
    chosen = [i for i in snapshot.instances if _targets_deletion(i.address, options.targets)]
    if options.targets:
        wanted = {i.address for i in chosen}
        grown = True
        while grown:  # dependents of a destroyed instance go with it
            grown = False
            for instance in snapshot.instances:
                if instance.address not in wanted and wanted & set(instance.dependencies):
                    wanted.add(instance.address)
                    grown = True
        chosen = [i for i in snapshot.instances if i.address in wanted]
    return {
        i.address: ResourceChange(
            address=i.address,
            action=Action.DELETE,
            before={**shown_inputs(registry, i), **i.outputs},
            after=None,
            sensitive_paths=sensitive_paths(registry, i.kind),
        )
        for i in chosen
    }


def check_prevent_destroy(result: ValidationResult, changes: Iterable[ResourceChange]) -> None:
    """`lifecycle { prevent_destroy = true }` stops the whole plan before anything is done."""
    for change in changes:
        if change.action is not Action.DELETE and not change.action.is_replace:
            continue
        resource = result.config.resources.get(change.address.resource)
        if resource is None or not resource.lifecycle.prevent_destroy:
            continue
        doing = "destroy" if change.action is Action.DELETE else "replace"
        result.diagnostics.add(
            error(
                f"Instance cannot be destroyed: {change.address} has lifecycle.prevent_destroy "
                f"set, but the plan would {doing} it. Nothing was changed. To go ahead, set "
                "prevent_destroy = false (or remove it); or leave this resource out with "
                "--target.",
                resource.lifecycle.range or resource.name_range,
                str(change.address),
            )
        )


def _output_changes(
    result: ValidationResult, snapshot: StateSnapshot, destroy: bool
) -> dict[str, OutputChange]:
    recorded: Mapping[str, Any] = getattr(snapshot, "outputs", {}) or {}
    changes: dict[str, OutputChange] = {}
    if not destroy:
        for name, output in result.config.outputs.items():
            after = result.outputs.get(name, UNKNOWN)
            before = recorded.get(name)
            if before is None:
                action = Action.CREATE
            elif contains_unknown(unmark(after)[0]) or unmark(after)[0] != before.value:
                action = Action.UPDATE
            else:
                action = Action.NO_OP
            changes[name] = OutputChange(
                name,
                action,
                None if before is None else before.value,
                after,
                output.sensitive or bool(before is not None and before.sensitive),
            )
    for name, before in recorded.items():
        if name not in changes:
            changes[name] = OutputChange(name, Action.DELETE, before.value, None, before.sensitive)
    return changes


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


def shown_inputs(registry: ProviderRegistry, instance: ResourceInstance) -> dict[str, Any]:
    """A recorded instance's inputs the way plans print them (nested blocks as lists of
    their attributes); as stored when its kind is not installed."""
    try:
        schema = registry.get(instance.kind).schema
    except MlformError:
        return dict(instance.inputs)
    flattened = _flatten_blocks(inputs_from_json(schema, instance.inputs))
    return {name: value for name, value in flattened.items() if name in instance.inputs}


def _flatten_blocks(config: Mapping[str, Any]) -> dict[str, Any]:
    """Nested blocks shown as lists of objects, the way the plan view prints values, each
    block's labels first (`layer "dense" { units = 8 }` as `{ labels = ["dense"], units =
    8 }`), nested blocks within flattened too; kinds of block the configuration does not use
    are left out, like null attributes."""
    shown: dict[str, Any] = {}
    for key, value in config.items():
        if isinstance(value, list) and all(isinstance(b, BlockValue) for b in value):
            if value:
                shown[key] = [_block_shown(b) for b in value]
        else:
            shown[key] = value
    return shown


def _block_shown(block: BlockValue) -> dict[str, Any]:
    inner = _flatten_blocks(block.config)
    return {"labels": list(block.labels), **inner} if block.labels else inner
