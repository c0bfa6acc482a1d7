"""The dataset provider: one method per verb.

- validate: the configuration alone (`validate.py`).
- read (refresh): fingerprint the source again; a different fingerprint is drift, reported
  with the new one. A stored Parquet file missing from the artifact store (or, with
  `verify`, no longer matching its digest) means the dataset is gone and is built again.
- plan: any change to an input but `description` and `tags` replaces the dataset; the
  source is fingerprinted for a create or a replacement, so that the build key and a saved
  plan know it before apply. The rest of the outputs are then known only after apply.
- apply: build and store the table (`build.py`). An update in place (a new description or
  tags) changes none of the data, so the outputs stay as they were.
- delete: nothing to tear down; stored files stay in the artifact store for the build cache.

A user's mistake never raises: it comes back as a diagnostic on the attribute at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
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
)
from providers.common import VERSION, library_versions, replacement
from providers.dataset.build import DATA_ARTIFACT, build
from providers.dataset.fingerprint import file_digest, source_fingerprint
from providers.dataset.problems import DatasetProblem
from providers.dataset.schema import SCHEMA
from providers.dataset.settings import DatasetSettings, settings_from, sources_known
from providers.dataset.source import SourceKind
from providers.dataset.validate import validate_dataset

OUTPUT_NAMES = tuple(attribute.name for attribute in SCHEMA.outputs)


def build_libraries() -> dict[str, str]:
    """The libraries whose versions shape a dataset's stored file: the reader and writer."""
    return library_versions("pyarrow", "duckdb")


class DatasetProvider(Provider):
    schema = SCHEMA
    version = VERSION

    def validate(self, request: ValidateRequest) -> ValidateResponse:
        return ValidateResponse(validate_dataset(SCHEMA.block.with_defaults(request.config)))

    def read(self, request: ReadRequest) -> ReadResponse:
        try:
            settings = settings_from(request.inputs)
            fingerprint = source_fingerprint(settings, request.config_dir, request.fingerprints)
        except (DatasetProblem, MissingDependencyError) as problem:
            return ReadResponse(outputs=request.outputs, diagnostics=_diagnostics(problem))
        outputs = dict(request.outputs)
        drift = None
        if fingerprint != outputs.get("source_fingerprint"):
            drift = drift_message(settings, fingerprint)
            outputs["source_fingerprint"] = fingerprint
        gone = is_gone(outputs.get(DATA_ARTIFACT), request.artifacts, request.verify)
        return ReadResponse(outputs=outputs, drift=drift, gone=gone)

    def plan(self, request: PlanRequest) -> PlanResponse:
        proposed = request.proposed_inputs
        replace = replacement(SCHEMA, request)
        if replace is None:
            return PlanResponse(planned_outputs=dict(request.prior_outputs or {}))
        planned: dict[str, Any] = dict.fromkeys(OUTPUT_NAMES, UNKNOWN)
        if not sources_known(proposed):
            return PlanResponse(requires_replace=replace, planned_outputs=planned)
        try:
            settings = settings_from(_with_known_sources(proposed))
            fingerprint = source_fingerprint(settings, request.config_dir, request.fingerprints)
        except (DatasetProblem, MissingDependencyError) as problem:
            return PlanResponse(replace, planned, _diagnostics(problem))
        planned["source_fingerprint"] = fingerprint
        build_inputs = {"source_fingerprint": fingerprint, "libraries": build_libraries()}
        return PlanResponse(replace, planned, build_inputs=build_inputs)

    def apply(self, request: ApplyRequest) -> ApplyResponse:
        prior = request.prior_outputs
        if prior is not None and prior.get("id"):
            return ApplyResponse(outputs=dict(prior))
        try:
            settings = settings_from(request.inputs)
            request.workdir.mkdir(parents=True, exist_ok=True)
            built = build(settings, request.config_dir, request.fingerprints, request.workdir)
        except (DatasetProblem, MissingDependencyError) as problem:
            return ApplyResponse(diagnostics=_diagnostics(problem))
        return ApplyResponse(
            outputs=built.outputs,
            artifacts=[Artifact(DATA_ARTIFACT, built.path)],
            diagnostics=built.warnings,
            library_versions=build_libraries(),
        )

    def delete(self, request: DeleteRequest) -> DeleteResponse:
        return DeleteResponse()


def drift_message(settings: DatasetSettings, fingerprint: str) -> str:
    """What changed, in the words of a plan's "Objects have changed outside of mlform"."""
    source = settings.source
    if source.kind is SourceKind.SKLEARN:
        version = fingerprint.rpartition("==")[2]
        return f"the source changed: {settings.shown} now comes with scikit-learn {version}"
    if source.kind is SourceKind.SQL:
        query = "fingerprint query" if settings.fingerprint is not None else "query"
        return f"the source changed: the result of the {query} on {settings.shown}"
    return f"the source changed: {settings.shown}"


def is_gone(digest: Any, store: ArtifactStore | None, verify: bool) -> bool:
    """Whether the stored Parquet file is missing (or, with `verify`, damaged)."""
    if store is None or not isinstance(digest, str) or not digest:
        return False
    if not store.exists(digest):
        return True
    if not verify:
        return False
    try:
        return file_digest(store.local_path(digest)) != digest
    except OSError:
        return True


def _with_known_sources(config: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration with its unknown subset settings left out: planning fingerprints
    the source, which needs only where it is."""
    kept = ("source", "query", "fingerprint")
    return {name: value for name, value in config.items() if name in kept}


def _diagnostics(problem: DatasetProblem | MissingDependencyError) -> list[ProviderDiagnostic]:
    if isinstance(problem, DatasetProblem):
        return problem.diagnostics
    return [ProviderDiagnostic.error(str(problem), ("source",))]
