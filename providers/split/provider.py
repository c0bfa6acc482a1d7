"""The split provider: one method per verb.

- validate: the configuration alone (`validate.py`, `preprocessing.py`).
- plan: any change to an input but `description` and `tags` replaces the split. When the
  dataset is already built, its recorded schema is checked now (unknown columns, a transform
  that does not fit a column's type), so that such a mistake stops the plan rather than the
  apply. The build key covers the dataset's id and the libraries that shape the parts.
- apply: split, fit and store (`build.py`).
- read and delete: the defaults; a split is its stored files, which the core checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlform.language.values import UNKNOWN
from mlform.sdk import (
    ApplyRequest,
    ApplyResponse,
    Artifact,
    DeleteRequest,
    DeleteResponse,
    PlanRequest,
    PlanResponse,
    Provider,
    ProviderDiagnostic,
    ValidateRequest,
    ValidateResponse,
    did_you_mean,
    value_of,
)
from providers.common import VERSION, library_versions, replacement
from providers.problems import Problem
from providers.split.schema import SCHEMA
from providers.split.validate import validate_split

OUTPUT_NAMES = tuple(attribute.name for attribute in SCHEMA.outputs)


def build_libraries() -> dict[str, str]:
    """The libraries whose versions shape a split's parts and transform."""
    return library_versions("numpy", "pyarrow", "duckdb")


class SplitProvider(Provider):
    schema = SCHEMA
    version = VERSION

    def validate(self, request: ValidateRequest) -> ValidateResponse:
        return ValidateResponse(validate_split(SCHEMA.block.with_defaults(request.config)))

    def plan(self, request: PlanRequest) -> PlanResponse:
        proposed = request.proposed_inputs
        replace = replacement(SCHEMA, request)
        if replace is None:
            return PlanResponse(planned_outputs=dict(request.prior_outputs or {}))
        planned: dict[str, Any] = dict.fromkeys(OUTPUT_NAMES, UNKNOWN)
        dataset = request.upstream.get(str(value_of(proposed, "dataset")))
        found = check_columns(proposed, dataset) if dataset is not None else []
        return PlanResponse(replace, planned, found, build_inputs={"libraries": build_libraries()})

    def apply(self, request: ApplyRequest) -> ApplyResponse:
        prior = request.prior_outputs
        if prior is not None and prior.get("id"):  # description or tags: nothing to redo
            return ApplyResponse(outputs=dict(prior))
        from providers.split.build import build

        request.workdir.mkdir(parents=True, exist_ok=True)
        try:
            built = build(request.inputs, request.upstream, request.artifacts, request.workdir)
        except Problem as problem:
            return ApplyResponse(diagnostics=problem.diagnostics)
        return ApplyResponse(
            outputs=built.outputs,
            artifacts=[Artifact(name, path) for name, path in built.files.items()],
            diagnostics=built.warnings,
            library_versions=build_libraries(),
        )

    def delete(self, request: DeleteRequest) -> DeleteResponse:
        return DeleteResponse()


def check_columns(
    config: Mapping[str, Any], dataset: Mapping[str, Any]
) -> list[ProviderDiagnostic]:
    """The split's columns against the dataset's recorded schema, before anything runs."""
    columns = dataset.get("schema")
    if not isinstance(columns, list):
        return []
    import pyarrow as pa

    from providers.split.transform import fit_transform_spec

    try:
        schema = pa.schema([(c["name"], pa.type_for_alias(c["type"])) for c in columns])
    except (KeyError, TypeError, ValueError):
        return []  # a type this pyarrow cannot name: the apply checks it
    found: list[ProviderDiagnostic] = []
    label = value_of(config, "label")
    if label is not None and label not in schema.names:
        found.append(
            ProviderDiagnostic.error(
                f'the label column "{label}" is not in the dataset; its columns are: '
                f"{', '.join(schema.names)}",
                ("label",),
            )
        )
    for attribute in ("index_by", "categorize_by", "hash_by", "stratify_by"):
        column = value_of(config, attribute)
        if isinstance(column, str) and column not in schema.names:
            found.append(
                ProviderDiagnostic.error(
                    f'{attribute} names column "{column}", which is not in the dataset'
                    f"{did_you_mean(column, schema.names, otherwise='.')} Its columns are: "
                    f"{', '.join(schema.names)}.",
                    (attribute,),
                )
            )
    try:
        fit_transform_spec(config, schema, label)
    except Problem as problem:
        found += problem.diagnostics
    return found
