"""The endpoint provider: one method per verb.

- validate: the configuration alone (`validate.py`).
- read (refresh): the recorded server must still run, answer ready on its port, and say it
  serves this endpoint's name and version; otherwise that is drift ("the server is not
  running", "port 8080 is answered by another process") and the plan replaces it.
- plan: asked about every change (`plans_every_change`): the gate (an evaluation known to
  have failed is a warning: apply will refuse), and for docker, that an engine answers.
  A new model or evaluation is an update in place; runtime, port, host, workers, token or
  body limit replace the server. Nothing is ever restored from the build cache: a server
  is started, not stored.
- apply: a create starts a server (`deployment.deploy`); an update swaps the new model and
  transform in with no failed request (`deployment.swap`). Both refuse a model whose
  evaluation did not pass, naming the failed thresholds.
- delete: stop the server, wait until its port closes, and remove its directory (and for
  docker its container, and its image unless `keep_image`).

A user's mistake never raises: it comes back as a diagnostic on the attribute at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlform.language.values import UNKNOWN
from mlform.sdk import (
    ApplyRequest,
    ApplyResponse,
    AttributePath,
    DeleteRequest,
    DeleteResponse,
    PlanRequest,
    PlanResponse,
    Provider,
    ProviderDiagnostic,
    ReadRequest,
    ReadResponse,
    ValidateRequest,
    ValidateResponse,
    Values,
    value_of,
)
from providers.common import VERSION
from providers.endpoint import deployment
from providers.endpoint.runtime import Runtime
from providers.endpoint.schema import SCHEMA
from providers.endpoint.settings import EndpointSettings, settings_from
from providers.endpoint.upstream import gate, version_to_serve
from providers.endpoint.validate import validate_endpoint
from providers.problems import Problem

OUTPUT_NAMES = tuple(attribute.name for attribute in SCHEMA.outputs)
SERVED_OUTPUTS = ("id", "model_id", "transform_id", "version")
"""The outputs an update in place changes: what is served, not where."""


class EndpointProvider(Provider):
    schema = SCHEMA
    version = VERSION
    plans_every_change = True

    def validate(self, request: ValidateRequest) -> ValidateResponse:
        config = SCHEMA.block.with_defaults(request.config)
        return ValidateResponse(validate_endpoint(config, request.create_before_destroy))

    def read(self, request: ReadRequest) -> ReadResponse:
        outputs = request.outputs
        if not isinstance(outputs.get("runtime_dir"), str):
            return ReadResponse(outputs=outputs)
        try:
            settings = settings_from(request.address, request.inputs)
            drift = deployment.check(recorded_runtime(settings, outputs), outputs, settings)
        except Problem as problem:
            return ReadResponse(outputs=outputs, diagnostics=problem.diagnostics)
        return ReadResponse(outputs=outputs, drift=drift)

    def plan(self, request: PlanRequest) -> PlanResponse:
        proposed = SCHEMA.block.with_defaults(request.proposed_inputs)
        prior_inputs, prior_outputs = request.prior_inputs, request.prior_outputs
        replace: list[AttributePath] = []
        planned: dict[str, Any] = dict.fromkeys(OUTPUT_NAMES, UNKNOWN)
        if prior_inputs is not None and prior_outputs is not None:
            replace = SCHEMA.block.replacement_paths(prior_inputs, proposed)
            if not replace:
                planned = {**prior_outputs, **dict.fromkeys(SERVED_OUTPUTS, UNKNOWN)}
        found = gate(
            value_of(proposed, "model"),
            value_of(proposed, "evaluation"),
            request.upstream,
            planning=True,
        )
        if value_of(proposed, "runtime") == "docker":
            found += _engine_problems(request.providers)
        return PlanResponse(replace, planned, found, build_inputs=None)

    def apply(self, request: ApplyRequest) -> ApplyResponse:
        settings = settings_from(request.address, request.inputs)
        refused = gate(settings.model, settings.evaluation, request.upstream, planning=False)
        if refused:
            return ApplyResponse(diagnostics=refused)
        prior = request.prior_outputs
        updating = prior is not None and isinstance(prior.get("runtime_dir"), str)
        if settings.runtime == "docker" and not updating:
            unreachable = _engine_problems(request.providers)
            if unreachable:
                return ApplyResponse(diagnostics=unreachable)
        try:
            version = version_to_serve(settings.model, request.upstream, request.artifacts)
            if updating:
                assert prior is not None
                runtime = recorded_runtime(settings, prior)
                outputs = deployment.swap(runtime, prior, settings, version, request.address)
            else:
                runtime = new_runtime(settings, request.providers)
                target = deployment.Target(
                    Path(request.config_dir), request.workspace or "default", request.address
                )
                outputs = deployment.deploy(runtime, target, settings, version)
        except Problem as problem:
            return ApplyResponse(diagnostics=problem.diagnostics)
        return ApplyResponse(outputs=outputs)

    def delete(self, request: DeleteRequest) -> DeleteResponse:
        outputs = request.outputs
        if not isinstance(outputs.get("runtime_dir"), str):
            return DeleteResponse()
        try:
            settings = settings_from(request.address, request.inputs)
            deployment.tear_down(recorded_runtime(settings, outputs), outputs, settings)
        except Problem as problem:
            return DeleteResponse(diagnostics=problem.diagnostics)
        return DeleteResponse()


def new_runtime(settings: EndpointSettings, providers: Mapping[str, Values]) -> Runtime:
    """The runtime to start a server with, on the configured Docker engine."""
    if settings.runtime == "docker":
        from providers.endpoint.runtime_docker import DockerRuntime, engine_host

        return DockerRuntime(engine_host(providers), settings.base_image)
    from providers.endpoint.runtime_local import LocalRuntime

    return LocalRuntime()


def recorded_runtime(settings: EndpointSettings, outputs: Values) -> Runtime:
    """The runtime of a recorded server, on the engine it was started on."""
    host = outputs.get("docker_host")
    if isinstance(outputs.get("container_id"), str) and isinstance(host, str):
        from providers.endpoint.runtime_docker import DockerRuntime

        return DockerRuntime(host, settings.base_image)
    from providers.endpoint.runtime_local import LocalRuntime

    return LocalRuntime()


def _engine_problems(providers: Mapping[str, Values]) -> list[ProviderDiagnostic]:
    """An error unless the Docker engine the configuration points at answers."""
    from providers.endpoint.runtime_docker import connect, engine_host

    try:
        connect(engine_host(providers), timeout=10).close()
    except Problem as problem:
        return problem.diagnostics
    return []
