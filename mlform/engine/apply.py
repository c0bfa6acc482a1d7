"""Apply and destroy: carry out a plan, independent resources in parallel.

Apply evaluates the configuration again, walking the dependency graph as work completes: a
resource block is evaluated once everything it refers to is done, so its inputs hold the
real ids of what was just built, and its instances' work goes to a pool of `parallelism`
threads. An instance planned for replacement only because an upstream would change is
decided again with the upstream's real outputs: when they are the ones it was built from
(the upstream came out with its old id), it is left alone: early cutoff (DESIGN §4).

A failure stops only what depends on it. An interrupt stops new work from starting and waits
for the work under way, which is recorded. Deletions (instances the configuration no longer
declares, or every instance for destroy) run first, dependents before what they depend on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mlform.addresses import Address
from mlform.diagnostics import Diagnostic, Severity, error
from mlform.engine.events import ApplyEvents
from mlform.engine.work import Job, Outcome, Worker
from mlform.engine.workspace import Workspace
from mlform.language.config import ResourceDecl
from mlform.language.values import UNKNOWN, contains_unknown, unmark
from mlform.language.variables import Mode, VariableInput
from mlform.plans.action import Action, ActionReason
from mlform.plans.changes import Plan, ResourceChange
from mlform.plans.planner import decide_instance, is_targeted, targeted_nodes
from mlform.sdk import Fingerprinter, ProviderRegistry, ResourceSchema
from mlform.state.objects import ResourceInstance, StateSnapshot
from mlform.validation.check import Checker, Instance, ValidationResult, validate_directory


@dataclass
class ApplyResult:
    """What an apply or destroy did. `skipped` are instances with planned work that did not
    run (an upstream failed, or the apply was interrupted); `unchanged` those the early
    cutoff spared."""

    outcomes: list[Outcome] = field(default_factory=list)
    unchanged: list[Address] = field(default_factory=list)
    skipped: list[Address] = field(default_factory=list)
    interrupted: bool = False
    problems: list[Diagnostic] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.skipped and not self.problems and not self.interrupted

    def count(self) -> tuple[int, int, int]:
        """Added, changed, destroyed, counting what completed (a replace is one of each)."""
        added = changed = destroyed = 0
        for outcome in self.outcomes:
            if not outcome.ok:
                continue
            action = outcome.job.action
            added += action is Action.CREATE or action.is_replace
            changed += action is Action.UPDATE
            destroyed += action is Action.DELETE or action.is_replace
        return added, changed, destroyed


def apply_plan(
    directory: Path,
    registry: ProviderRegistry,
    plan: Plan,
    workspace: Workspace,
    events: ApplyEvents,
    *,
    inputs: Sequence[VariableInput] = (),
    environ: Mapping[str, str] | None = None,
    parallelism: int = 4,
    config_commit: str | None = None,
) -> ApplyResult:
    """Carry out `plan` (made against `plan.prior`) on `workspace`, whose lock the caller
    holds."""
    fingerprints = workspace.fingerprinter(best_effort=False)
    worker = Worker(workspace, events, fingerprints, config_commit)
    outcome = ApplyResult()
    validate_directory(
        directory,
        registry,
        inputs,
        environ,
        Mode.PLAN,
        checker=_Applier,
        plan=plan,
        worker=worker,
        parallelism=max(1, parallelism),
        fingerprints=fingerprints,
        outcome=outcome,
    )
    return outcome


class _Applier(Checker):
    def __init__(
        self,
        result: ValidationResult,
        registry: ProviderRegistry,
        *,
        plan: Plan,
        worker: Worker,
        parallelism: int,
        fingerprints: Fingerprinter,
        outcome: ApplyResult,
    ):
        super().__init__(result, registry)
        self.plan = plan
        self.prior = plan.prior or StateSnapshot("", None, 0)
        self.worker = worker
        self.parallelism = parallelism
        self.outcome = outcome
        self.targeted: set[str] | None = None
        self.pool: ThreadPoolExecutor | None = None
        self.running: dict[Future[Outcome], str] = {}
        self.addresses: dict[Future[Outcome], Address] = {}
        self.open_jobs: dict[str, int] = {}
        self.node_objects: dict[str, list[tuple[Address, Any]]] = {}
        self.node_failed: set[str] = set()
        self.done: set[str] = set()
        self.stopping = False

    def run(self) -> None:
        # loading errors, cycles, or reference errors found while building the graph
        if self.result.diagnostics.has_errors or not self.build_graph():
            self._collect_errors()
            return
        if self.result.diagnostics.has_errors:
            self._collect_errors()
            return
        with ThreadPoolExecutor(self.parallelism, thread_name_prefix="mlform-apply") as pool:
            self.pool = pool
            try:
                for address in self.plan.forget:  # gone already: only the record is left
                    self.worker.store.remove_instance(self.worker.workspace.key, address)
                self._delete_in_order([c for c in self.plan.changes if c.action is Action.DELETE])
                if not self.plan.destroy and not self.stopping:
                    self.walk()
            except KeyboardInterrupt:
                self._stop()
                self._drain()
        self.outcome.outputs = dict(self.result.outputs)
        self._collect_errors()

    def _collect_errors(self) -> None:
        self.outcome.problems += [
            d for d in self.result.diagnostics.sorted() if d.severity is Severity.ERROR
        ]

    # deletions -------------------------------------------------------------------------------

    def _delete_in_order(self, changes: list[ResourceChange]) -> None:
        """Delete dependents before what they depend on, independent ones in parallel. What
        a failed deletion depends on is kept (it is still in use)."""
        left = {
            c.address: instance
            for c in changes
            if (instance := self.prior.instance(c.address)) is not None
        }
        while left and not self.stopping:
            blocked = {dep for instance in left.values() for dep in instance.dependencies}
            wave = sorted((a for a in left if a not in blocked), key=str) or sorted(left, key=str)
            futures = []
            for address in wave:
                prior = left.pop(address)
                job = self._job(address, Action.DELETE, None, prior, prior.dependencies)
                if job is not None:
                    futures.append(self._submit(job, ""))
            failed = [o.job for o in self._wait_for(futures) if not o.ok]
            keep = {dep for job in failed if job.prior for dep in job.prior.dependencies}
            while keep:
                address = keep.pop()
                if (instance := left.pop(address, None)) is not None:
                    self.outcome.skipped.append(address)
                    keep |= set(instance.dependencies)
        self.outcome.skipped += sorted(left, key=str)

    # the walk --------------------------------------------------------------------------------

    def walk(self) -> None:
        if self.plan.targets:
            self.targeted = targeted_nodes(self.result, self.plan.targets)
        graph = self.result.graph
        waiting = {node: set(graph.dependencies(node)) for node in graph.nodes()}
        ready = sorted(node for node, deps in waiting.items() if not deps)
        while (ready and not self.stopping) or self.running:
            while ready and not self.stopping:
                node = ready.pop(0)
                self._start(node)
                if node not in self.open_jobs:
                    ready += self._finish(node, waiting)
            if not self.running:
                continue
            finished, _ = wait(list(self.running), timeout=0.5, return_when=FIRST_COMPLETED)
            for future in finished:
                node = self.running.pop(future)
                self._collect(future.result(), node)
                self.open_jobs[node] -= 1
                if self.open_jobs[node] == 0:
                    del self.open_jobs[node]
                    ready += self._finish(node, waiting)
        self._note_skipped()

    def _start(self, node: str) -> None:
        if node.startswith(("local.", "output.")):
            self.visit(node)
            return
        resource = self.config.resources[node]
        schema = self.schema(resource.kind)
        errors_before = len(self.result.diagnostics.errors)
        instances = self.decode_instances(resource)
        if schema is None or instances is None:
            self.node_failed.add(node)
            return
        objects: list[tuple[Address, Any]] = []
        for instance in instances:
            if len(self.result.diagnostics.errors) > errors_before:
                self.node_failed.add(node)
                return
            job, value = self._instance_work(resource, schema, instance)
            objects.append((instance.address, value))
            if job is not None:
                self._submit(job, node)
                self.open_jobs[node] = self.open_jobs.get(node, 0) + 1
        self.node_objects[node] = objects

    def _instance_work(
        self, resource: ResourceDecl, schema: ResourceSchema, instance: Instance
    ) -> tuple[Job | None, Any]:
        """The job for an instance (None: nothing to do) and what references to it see
        meanwhile (its final object once a job completes)."""
        address = instance.address
        proposed = dict(instance.decoded.config)
        prior = self.prior.instance(address)
        unchanged = self._object(schema, proposed, prior)
        planned = self.plan.change(address)
        if not is_targeted(address, self.targeted, self.plan.targets):
            return None, unchanged
        if planned is not None and planned.action is Action.NO_OP:
            return None, unchanged
        # decided again now that upstream outputs are known; an instance the plan could not
        # list (its count or for_each keys were known only after apply) is decided here
        reason = planned.reason if planned is not None else ActionReason.NONE
        decision, _ = decide_instance(
            schema,
            resource,
            address,
            proposed,
            prior,
            replace_requested=reason is ActionReason.REPLACE_BY_REQUEST,
            drifted=reason is ActionReason.DRIFT,
        )
        if decision.action is Action.NO_OP and planned is not None:
            upstream = ", ".join(str(a) for a in planned.replaced_upstream) or "its upstream"
            self.outcome.unchanged.append(address)
            self.worker.events.unchanged(
                address, f"{upstream} came out with the same id, so nothing it reads changed"
            )
            return None, unchanged
        if decision.action is Action.NO_OP:
            return None, unchanged
        dependencies = self._instance_dependencies(resource)
        job = self._job(address, decision.action, proposed, prior, dependencies, instance)
        if job is not None and reason is ActionReason.REPLACE_BY_REQUEST:
            job = replace(job, use_cache=False)
        return job, UNKNOWN

    def _object(
        self, schema: ResourceSchema, proposed: Mapping[str, Any], prior: ResourceInstance | None
    ) -> Any:
        value: dict[str, Any] = {a.name: proposed.get(a.name) for a in schema.block.inputs}
        value.update({a.name: UNKNOWN for a in schema.block.outputs})
        if prior is not None:
            value.update(prior.outputs)
        return value

    def _job(
        self,
        address: Address,
        action: Action,
        inputs: Mapping[str, Any] | None,
        prior: ResourceInstance | None,
        dependencies: tuple[Address, ...],
        instance: Instance | None = None,
    ) -> Job | None:
        try:
            provider = self.registry.get(address.kind)
        except Exception as exc:
            self.outcome.problems.append(error(str(exc), address=str(address)))
            return None
        resource = self.config.resources.get(address.resource)
        fallback = resource.name_range if resource is not None else None

        def locate(path: tuple[str | int, ...]) -> Any:
            if instance is None:
                return fallback
            return instance.decoded.range_of(path, fallback or instance.resource.name_range)

        upstream = self.upstream_objects(resource) if resource is not None else {}
        return Job(
            address,
            action,
            provider,
            inputs,
            prior,
            dependencies,
            locate,
            upstream=upstream,
            providers=self.result.providers,
        )

    def _instance_dependencies(self, resource: ResourceDecl) -> tuple[Address, ...]:
        """The instances of the resources this one refers to, through locals too."""
        graph = self.result.graph
        found: set[Address] = set()
        seen: set[str] = set()
        stack = list(graph.dependencies(resource.address))
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            if node.startswith("local."):
                stack += graph.dependencies(node)
            elif node in self.config.resources:
                found |= {a for a, _ in self.node_objects.get(node, [])}
        return tuple(sorted(found, key=str))

    def _submit(self, job: Job, node: str) -> Future[Outcome]:
        assert self.pool is not None
        future = self.pool.submit(self.worker.run, job)
        self.running[future] = node
        self.addresses[future] = job.address
        future.add_done_callback(lambda done: self.addresses.pop(done, None))
        return future

    def _collect(self, outcome: Outcome, node: str) -> None:
        self.outcome.outcomes.append(outcome)
        if not outcome.ok:
            self.node_failed.add(node)
            return
        objects = self.node_objects.get(node, [])
        for index, (address, _) in enumerate(objects):
            if address == outcome.job.address:
                inputs = dict(outcome.job.inputs or {})
                schema = outcome.job.provider.schema
                value = {a.name: inputs.get(a.name) for a in schema.block.inputs}
                value.update(outcome.outputs)
                objects[index] = (address, value)

    def _finish(self, node: str, waiting: dict[str, set[str]]) -> list[str]:
        """Mark a node done (publishing its objects) and return the nodes it made ready."""
        if node in self.node_failed:
            return []
        if node in self.config.resources:
            self.publish(self.config.resources[node], self.node_objects.get(node, []))
        self.done.add(node)
        ready = []
        for dependent in self.result.graph.dependents(node):
            waiting[dependent].discard(node)
            if not waiting[dependent] and dependent not in self.done:
                ready.append(dependent)
        return sorted(ready)

    def _note_skipped(self) -> None:
        for change in self.plan.changes:
            node = change.address.resource
            if change.action in (Action.NO_OP, Action.DELETE) or node in self.done:
                continue
            if any(o.job.address == change.address for o in self.outcome.outcomes):
                continue
            if change.address in self.outcome.unchanged:
                continue
            if not is_targeted(change.address, self.targeted, self.plan.targets):
                continue
            self.outcome.skipped.append(change.address)

    # interrupts ------------------------------------------------------------------------------

    def _wait_for(self, futures: Iterable[Future[Outcome]]) -> list[Outcome]:
        pending = set(futures)
        outcomes = []
        while pending:
            finished, pending = wait(pending, timeout=0.5)
            for future in finished:
                self.running.pop(future, None)
                outcomes.append(future.result())
        self.outcome.outcomes += outcomes
        return outcomes

    def _stop(self) -> None:
        self.stopping = True
        self.outcome.interrupted = True
        self.worker.events.stopping(sorted(self.addresses.values(), key=str))

    def _drain(self) -> None:
        """Wait for the work under way, and record it; a second interrupt ends the process
        (the caller's business), with every completed result already recorded."""
        while self.running:
            finished, _ = wait(list(self.running), timeout=0.5, return_when=FIRST_COMPLETED)
            for future in finished:
                node = self.running.pop(future)
                self._collect(future.result(), node)
        self._note_skipped()


def outputs_to_record(
    result_outputs: Mapping[str, Any], config_outputs: Iterable[str]
) -> dict[str, tuple[Any, bool]]:
    """The root outputs whose values are known, with whether each is sensitive."""
    recorded: dict[str, tuple[Any, bool]] = {}
    names = set(config_outputs)
    for name, value in result_outputs.items():
        if name not in names:
            continue
        plain, sensitive = unmark(value)
        if contains_unknown(plain):
            continue
        recorded[name] = (plain, bool(sensitive))
    return recorded
