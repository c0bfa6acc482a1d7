"""One instance's work: build, update or delete it through its provider, then record it.

Runs in a worker thread. The order of writes is what keeps the state whole when the process
is killed at any instant: a result's files are stored (temporary name, then rename) and
recorded as artifacts before the instance that uses them is recorded, each record is one
transaction, and an instance is recorded only once its work is complete. A kill loses at most
the work under way, which the next plan does again.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlform.addresses import Address
from mlform.diagnostics import Diagnostic, Severity, SourceRange, error
from mlform.engine.events import ApplyEvents
from mlform.engine.workspace import Workspace
from mlform.plans.action import Action
from mlform.plans.builds import plan_build
from mlform.plans.planner import inputs_from_json, inputs_to_json
from mlform.sdk import (
    ApplyRequest,
    ApplyResponse,
    DeleteRequest,
    Fingerprinter,
    Provider,
    ProviderDiagnostic,
)
from mlform.sdk.schema import AttributePath
from mlform.state.objects import Build, MetricPoint, ObjectStatus, ResourceInstance

Locate = Callable[[AttributePath], SourceRange | None]


@dataclass(frozen=True)
class Job:
    """What to do to one instance. `inputs` are the resolved configuration (None for a
    delete); `locate` finds an attribute's place in the configuration, for errors."""

    address: Address
    action: Action
    provider: Provider
    inputs: Mapping[str, Any] | None
    prior: ResourceInstance | None
    dependencies: tuple[Address, ...] = ()
    locate: Locate = field(default=lambda path: None)
    use_cache: bool = True
    """False for `--replace`: the work is asked for, so it is done even if cached."""
    upstream: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """The objects of the resources it depends on, by id (`ApplyRequest.upstream`)."""
    providers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """The configuration's provider blocks, by name (`ApplyRequest.providers`)."""


@dataclass(frozen=True)
class Outcome:
    """How a job ended. `restored` is the earlier build restored instead of building (its
    recorded duration is the time saved)."""

    job: Job
    ok: bool
    outputs: Mapping[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    problems: tuple[Diagnostic, ...] = ()
    restored: Build | None = None


class Worker:
    """Carries out jobs for one workspace; shared by the worker threads."""

    def __init__(
        self,
        workspace: Workspace,
        events: ApplyEvents,
        fingerprints: Fingerprinter | None,
        config_commit: str | None = None,
    ):
        self.workspace = workspace
        self.store = workspace.store
        self.artifacts = workspace.artifacts()
        self.events = events
        self.fingerprints = fingerprints
        self.config_commit = config_commit
        self.builds = workspace.build_context(fingerprints)

    def run(self, job: Job) -> Outcome:
        self.events.started(job.address, job.action)
        started = time.monotonic()
        try:
            if job.action is Action.DELETE:
                outcome = self._delete(job)
            else:
                outcome = self._build(job, started)
        except Exception as exc:  # a provider bug must not stop the other resources
            outcome = Outcome(job, False, problems=(self._bug(job, exc),))
            if job.action is not Action.DELETE:
                self._record_failure(job)
        seconds = time.monotonic() - started
        outcome = replace(outcome, seconds=seconds)
        if outcome.restored is not None:
            self.events.restored(
                job.address, job.action, outcome.restored, outcome.outputs.get("id")
            )
        elif outcome.ok:
            self.events.completed(job.address, job.action, seconds, outcome.outputs.get("id"))
        else:
            self.events.failed(job.address, job.action, outcome.problems)
        return outcome

    # delete ----------------------------------------------------------------------------------

    def _delete(self, job: Job) -> Outcome:
        assert job.prior is not None
        problems = self._tear_down(job, job.prior)
        if problems:
            return Outcome(job, False, problems=problems)
        self.store.remove_instance(self.workspace.key, job.address)
        return Outcome(job, True)

    def _tear_down(self, job: Job, prior: ResourceInstance) -> tuple[Diagnostic, ...]:
        response = job.provider.delete(
            DeleteRequest(
                str(job.address),
                inputs_from_json(job.provider.schema, prior.inputs),
                prior.outputs,
            )
        )
        return tuple(self._diagnostics(job, response.diagnostics, errors_only=True))

    # create, update, replace -----------------------------------------------------------------

    def _build(self, job: Job, started_at: float) -> Outcome:
        assert job.inputs is not None
        prior = job.prior
        key = None
        if job.action is not Action.UPDATE:
            planned = plan_build(
                job.provider, job.address, job.inputs, self.builds, job.upstream, job.providers
            )
            if planned.failed:
                failures = self._diagnostics(job, planned.diagnostics, errors_only=True)
                self._record_failure(job)
                return Outcome(job, False, problems=tuple(failures))
            key = planned.key
        if job.action is Action.DELETE_THEN_CREATE and prior is not None:
            problems = self._tear_down(job, prior)
            if problems:
                return Outcome(job, False, problems=problems)
        earlier = self.workspace.stored_build(key) if key is not None and job.use_cache else None
        if earlier is not None:
            return self._restore(job, earlier)
        started = datetime.now(UTC)
        workdir = self.workspace.work_directory()
        try:
            response = job.provider.apply(
                ApplyRequest(
                    address=str(job.address),
                    inputs=job.inputs,
                    prior_outputs=prior.outputs if job.action is Action.UPDATE and prior else None,
                    workdir=workdir,
                    artifacts=self.artifacts,
                    config_dir=self.workspace.config.directory,
                    fingerprints=self.fingerprints,
                    progress=lambda message: self.events.progress(job.address, message),
                    upstream=job.upstream,
                    replaced_outputs=prior.outputs if prior and job.action.is_replace else None,
                    providers=job.providers,
                    workspace=self.workspace.key,
                )
            )
            found = self._diagnostics(job, response.diagnostics, errors_only=False)
            errors = tuple(p for p in found if p.severity is Severity.ERROR)
            if errors and not _is_result(response.outputs):
                self._record_failure(job)
                return Outcome(job, False, problems=tuple(found))
            if found and not errors:
                self.events.warned(found)
            stored = self._store_artifacts(job, response, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        outputs = dict(response.outputs)
        duration = time.monotonic() - started_at
        if job.action is Action.UPDATE and prior is not None:
            # an update in place changes no result: it keeps the files and the time the
            # build took (what the next replacement is expected to take)
            stored = stored or dict(prior.artifacts)
            duration = prior.duration if prior.duration is not None else duration
        built = ResourceInstance(
            address=job.address,
            outputs=outputs,
            id=outputs.get("id") if isinstance(outputs.get("id"), str) else None,
            # a result that failed (its gate) is never restored: building it again fails
            # again, where a restore would pass it silently
            build_key=None if errors else key,
            artifacts=stored,
            started=started,
            duration=duration,
            library_versions=dict(response.library_versions)
            or dict(prior.library_versions if prior is not None else {}),
        )
        outcome = self._record_result(job, built, None)
        if errors:
            # a result that is complete but did not pass (an evaluation below its threshold):
            # recorded as it is, and the apply fails with the provider's errors, so that
            # nothing downstream of it runs
            return replace(outcome, ok=False, problems=(*errors, *outcome.problems))
        return outcome

    def _restore(self, job: Job, build: Build) -> Outcome:
        """Record an earlier build under the same key as this instance's result."""
        restored = ResourceInstance(
            address=job.address,
            outputs=dict(build.outputs),
            id=build.id,
            build_key=build.build_key,
            artifacts=dict(build.artifacts),
            started=datetime.now(UTC),
            duration=build.duration,  # what building it takes, for expected times
            library_versions=dict(build.library_versions),
        )
        return self._record_result(job, restored, build)

    def _record_result(self, job: Job, result: ResourceInstance, restored: Build | None) -> Outcome:
        """Record a ready result with the job's inputs and place in the graph, then tear the
        old object down when it is replaced create-before-destroy."""
        assert job.inputs is not None
        self.store.record_instance(
            self.workspace.key,
            replace(
                result,
                status=ObjectStatus.READY,
                inputs=inputs_to_json(job.inputs),
                finished=datetime.now(UTC),
                config_commit=self.config_commit,
                dependencies=job.dependencies,
            ),
        )
        self._record_metrics(job.address, result)
        outputs = dict(result.outputs)
        if job.action is Action.CREATE_THEN_DELETE and job.prior is not None:
            problems = self._tear_down(job, job.prior)
            if problems:  # the new object is recorded; the old one could not be torn down
                return Outcome(job, False, outputs, problems=problems, restored=restored)
        return Outcome(job, True, outputs, restored=restored)

    def _store_artifacts(self, job: Job, response: ApplyResponse, workdir: Path) -> dict[str, str]:
        stored: dict[str, str] = {}
        for artifact in response.artifacts:
            path = artifact.path if artifact.path.is_absolute() else workdir / artifact.path
            result = self.artifacts.put_file(path)
            claimed = response.outputs.get(artifact.name)
            if isinstance(claimed, str) and claimed != result.digest:
                raise RuntimeError(
                    f'output "{artifact.name}" says {claimed}, but the stored file\'s digest is '
                    f"{result.digest}"
                )
            self.store.record_artifact(result.digest, result.size, self.artifacts.location)
            stored[artifact.name] = result.digest
        return stored

    def _record_failure(self, job: Job) -> None:
        """A failed create leaves a tainted instance, replaced by the next apply; a failed
        update or create-before-destroy leaves the prior object as it was."""
        if job.action in (Action.UPDATE, Action.CREATE_THEN_DELETE) and job.prior is not None:
            return
        assert job.inputs is not None
        self.store.record_instance(
            self.workspace.key,
            ResourceInstance(
                address=job.address,
                status=ObjectStatus.TAINTED,
                inputs=inputs_to_json(job.inputs),
                config_commit=self.config_commit,
                dependencies=job.dependencies,
                started=datetime.now(UTC),
                finished=datetime.now(UTC),
            ),
        )

    # messages --------------------------------------------------------------------------------

    def _diagnostics(
        self, job: Job, found: Sequence[ProviderDiagnostic], *, errors_only: bool
    ) -> list[Diagnostic]:
        return [
            Diagnostic(d.severity, d.message, job.locate(d.path), str(job.address))
            for d in found
            if d.is_error or not errors_only
        ]

    def _bug(self, job: Job, exc: Exception) -> Diagnostic:
        return error(
            f"the {job.address.kind} provider failed ({type(exc).__name__}: {exc}); this is a "
            "bug in the provider, not a mistake of yours: please report it. Resources that do "
            "not depend on this one were applied.",
            job.locate(()),
            str(job.address),
        )

    def _record_metrics(self, address: Address, result: ResourceInstance) -> None:
        """Add a result's `metrics` (and per-slice `slices`) to the metric history, so that
        `mlform metrics` and pull-request comments show how they moved between applies."""
        recorded = datetime.now(UTC)  # one time for the whole apply: `mlform metrics` groups by it
        points = [
            MetricPoint(address, name, value, slice_name, result.id, recorded=recorded)
            for slice_name, metrics in _metric_groups(result.outputs)
            for name, value in metrics
        ]
        if points:
            self.store.record_metrics(self.workspace.key, points)


def _is_result(outputs: Mapping[str, Any]) -> bool:
    return isinstance(outputs.get("id"), str) and bool(outputs["id"])


def _metric_groups(
    outputs: Mapping[str, Any],
) -> list[tuple[str | None, list[tuple[str, float]]]]:
    """The numeric metrics of a result: overall (slice None), then per slice."""

    def numbers(values: Any) -> list[tuple[str, float]]:
        if not isinstance(values, Mapping):
            return []
        return [
            (str(name), float(value))
            for name, value in values.items()
            if isinstance(value, int | float) and not isinstance(value, bool)
        ]

    groups: list[tuple[str | None, list[tuple[str, float]]]] = [
        (None, numbers(outputs.get("metrics")))
    ]
    slices = outputs.get("slices")
    if isinstance(slices, Mapping):
        groups += [(str(name), numbers(values)) for name, values in sorted(slices.items())]
    return groups
