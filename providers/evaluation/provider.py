"""The evaluation provider: one method per verb.

- validate: the configuration alone (`validate.py`).
- read (refresh): hash the custom metric files again; a different digest is drift ("code
  changed: metrics.py"), so the evaluation is run again. Stored files are the core's to check;
  the report's unpacked copy (the `report` path) is unpacked again when it is gone.
- plan: any change to an input but `description` and `tags` replaces the evaluation. The
  build key covers the model's id (an input), the custom code's digests and the libraries
  that compute the metrics. An evaluation with a `min_delta` or `max_delta` threshold is
  never restored from the build cache: its gate depends on the evaluation it replaces, which
  the key cannot see. When the model is already built, the part is checked now.
- apply: score, gate and report (`evaluate.py`). A failed gate returns the complete result
  (passed = false) with one error per failed threshold: the core records it and fails the
  apply, so that nothing depending on the evaluation (an endpoint) runs.
- delete: nothing to tear down; stored files stay in the artifact store for the build cache.

A user's mistake never raises: it comes back as a diagnostic on the attribute at fault.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlform.language.values import UNKNOWN
from mlform.sdk import (
    ApplyRequest,
    ApplyResponse,
    Artifact,
    ArtifactStore,
    DeleteRequest,
    DeleteResponse,
    MissingDependencyError,
    PlanRequest,
    PlanResponse,
    Provider,
    ProviderDiagnostic,
    ReadRequest,
    ReadResponse,
    ValidateRequest,
    ValidateResponse,
    import_optional,
    is_known,
)
from providers.common import VERSION, library_versions, replacement
from providers.evaluation.code import changed_files, code_files, code_version, current_code_files
from providers.evaluation.report import FILE as REPORT_FILE
from providers.evaluation.schema import SCHEMA
from providers.evaluation.settings import settings_from
from providers.evaluation.upstream import choose_part, find_upstream
from providers.evaluation.validate import validate_evaluation
from providers.problems import Problem

OUTPUT_NAMES = tuple(attribute.name for attribute in SCHEMA.outputs)
DIGEST = re.compile(r"^[0-9a-f]{64}$")
LIBRARIES = (
    ("sklearn", "computing an evaluation's metrics"),
    ("pandas", "reading the evaluated part"),
    ("matplotlib", "drawing an evaluation's plots"),
)
"""What apply needs, imported first so that a missing one is an "install X" message."""

MODEL_LIBRARIES = {"xgboost": ("xgboost",), "keras": ("tensorflow", "keras")}
"""The libraries that load a model of each stored format (by its prefix) and so shape its
predictions."""


def build_libraries(model: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The libraries whose versions shape an evaluation: those computing the metrics and
    plots, and the one that loads the model when its format is known."""
    names = ["scikit-learn", "numpy", "pandas", "pyarrow", "matplotlib"]
    model_format = str((model or {}).get("format") or "")
    for prefix, libraries in MODEL_LIBRARIES.items():
        if model_format.startswith(prefix):
            names += libraries
    return library_versions(*names)


class EvaluationProvider(Provider):
    schema = SCHEMA
    version = VERSION

    def validate(self, request: ValidateRequest) -> ValidateResponse:
        return ValidateResponse(validate_evaluation(SCHEMA.block.with_defaults(request.config)))

    def read(self, request: ReadRequest) -> ReadResponse:
        outputs = dict(request.outputs)
        report = unpacked_report(outputs.get("report"), request.artifacts)
        if report is not None:
            outputs["report"] = report
        settings = settings_from(request.inputs)
        if not settings.custom:
            return ReadResponse(outputs=outputs)
        current = current_code_files(settings, request.config_dir)
        changed = changed_files(request.outputs.get("code_files"), current)
        if not changed:
            return ReadResponse(outputs=outputs)
        outputs["code_files"] = {name: d for name, d in current.items() if d is not None}
        outputs["code_version"] = code_version(settings, current)
        return ReadResponse(outputs=outputs, drift=f"code changed: {', '.join(changed)}")

    def plan(self, request: PlanRequest) -> PlanResponse:
        proposed = request.proposed_inputs
        replace = replacement(SCHEMA, request)
        if replace is None:
            return PlanResponse(planned_outputs=dict(request.prior_outputs or {}))
        planned: dict[str, Any] = dict.fromkeys(OUTPUT_NAMES, UNKNOWN)
        if not is_known(dict(proposed)):
            return PlanResponse(replace, planned)
        settings = settings_from(proposed)
        found: list[ProviderDiagnostic] = []
        upstream = find_upstream(settings.model, request.upstream)
        try:
            files = code_files(settings, request.config_dir)
            if upstream is not None:
                _, found = choose_part(settings.part, upstream)
        except Problem as problem:
            return PlanResponse(replace, planned, problem.diagnostics)
        planned["code_files"] = files or None
        planned["code_version"] = code_version(settings, files)
        if settings.needs_baseline:
            return PlanResponse(replace, planned, found)
        libraries = build_libraries(upstream.model if upstream is not None else None)
        build_inputs = {"code": files, "libraries": libraries}
        return PlanResponse(replace, planned, found, build_inputs=build_inputs)

    def apply(self, request: ApplyRequest) -> ApplyResponse:
        prior = request.prior_outputs
        if prior is not None and prior.get("id"):  # description or tags: nothing to redo
            return ApplyResponse(outputs=dict(prior))
        from providers.evaluation.evaluate import evaluate

        settings = settings_from(request.inputs)
        try:
            for module, purpose in LIBRARIES:
                import_optional(module, purpose)
            evaluated = evaluate(settings, request)
        except Problem as problem:
            return ApplyResponse(diagnostics=problem.diagnostics)
        except MissingDependencyError as error:
            return ApplyResponse(diagnostics=[ProviderDiagnostic.error(str(error))])
        model = request.upstream.get(settings.model)
        return ApplyResponse(
            outputs=evaluated.outputs,
            artifacts=[Artifact(name, path) for name, path in evaluated.files.items()],
            diagnostics=[*evaluated.warnings, *evaluated.gate_errors],
            library_versions=build_libraries(model),
        )

    def delete(self, request: DeleteRequest) -> DeleteResponse:
        return DeleteResponse()


def unpacked_report(recorded: Any, store: ArtifactStore | None) -> str | None:
    """The report's path when the recorded one is gone but its archive is stored (the
    unpacked copy was removed, or the evaluation was built on another machine); None when
    there is nothing to restore. The archive's digest names the directory it unpacks to."""
    if not isinstance(recorded, str) or store is None or Path(recorded).is_file():
        return None
    digest = Path(recorded).parent.name
    if not DIGEST.match(digest) or not store.exists(digest):
        return None
    try:
        return str(store.unpacked(digest) / REPORT_FILE)
    except Exception:  # a damaged archive: the core's checks of stored files report it
        return None
