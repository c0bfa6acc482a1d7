"""The model provider: one method per verb.

- validate: the configuration alone (`validate.py`).
- read (refresh): injected code is hashed again; a file that changed (or is gone) is drift,
  `code changed: train.py`, and the model is trained again. The stored files are the core's
  to check.
- plan: any change to an input but `description` and `tags` replaces the model. When the
  split is already built, its recorded outputs are checked now (early stopping without a
  valid part, a label the split transformed or does not have), so such a mistake stops the
  plan. The build key covers the code's digest and the versions of the libraries that shape
  the model (for python, those its code imports). Nothing heavy is imported: a plan never
  loads xgboost or tensorflow.
- apply: train and store (`build.py`). An update in place (description, tags) keeps the
  outputs.
- delete: nothing to tear down; stored files stay in the artifact store for the build cache.

A user's mistake never raises: it comes back as a diagnostic on the attribute at fault.
"""

from __future__ import annotations

from typing import Any

from mlform.language.values import UNKNOWN
from mlform.sdk import (
    ApplyRequest,
    ApplyResponse,
    Artifact,
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
    value_of,
)
from providers.common import VERSION, replacement
from providers.model.code import (
    CodeReference,
    code_digest,
    imported_libraries,
    read_code,
    static_problems,
)
from providers.model.data import known_split_problems
from providers.model.schema import SCHEMA
from providers.model.settings import FORMATS, settings_from, type_libraries
from providers.model.validate import validate_model
from providers.problems import Problem

OUTPUT_NAMES = tuple(attribute.name for attribute in SCHEMA.outputs)


class ModelProvider(Provider):
    schema = SCHEMA
    version = VERSION

    def validate(self, request: ValidateRequest) -> ValidateResponse:
        return ValidateResponse(validate_model(SCHEMA.block.with_defaults(request.config)))

    def read(self, request: ReadRequest) -> ReadResponse:
        code = value_of(request.inputs, "code")
        recorded = request.outputs.get("code_version")
        if not isinstance(code, str) or not isinstance(recorded, str):
            return ReadResponse(outputs=request.outputs)
        try:
            reference = CodeReference.parse(code)
        except Problem:
            return ReadResponse(outputs=request.outputs)
        digest = code_digest(reference, request.config_dir)
        if digest == recorded:
            return ReadResponse(outputs=request.outputs)
        outputs = dict(request.outputs)
        outputs["code_version"] = digest
        gone = " (the file is gone)" if digest is None else ""
        return ReadResponse(outputs=outputs, drift=f"code changed: {reference.file}{gone}")

    def plan(self, request: PlanRequest) -> PlanResponse:
        proposed = request.proposed_inputs
        replace = replacement(SCHEMA, request)
        if replace is None:
            return PlanResponse(planned_outputs=dict(request.prior_outputs or {}))
        planned: dict[str, Any] = dict.fromkeys(OUTPUT_NAMES, UNKNOWN)
        model_type = value_of(proposed, "type")
        if model_type in FORMATS:
            planned["format"] = FORMATS[model_type]
        try:
            settings = settings_from(proposed)
        except Problem:  # unknown values, or validate's errors (reported by validate)
            return PlanResponse(replace, planned)
        build_inputs: dict[str, Any] = {"libraries": type_libraries(settings.type)}
        if settings.code is not None:
            try:
                code = read_code(settings.code, request.config_dir)
            except Problem as problem:
                return PlanResponse(replace, planned, problem.diagnostics)
            planned["code_version"] = build_inputs["code"] = code.digest
            build_inputs["libraries"].update(imported_libraries(code))
            functions = [settings.code.function]
            if settings.type == "python":
                functions += ["save", "load"]
            problems = static_problems(code, functions)
            if problems:
                return PlanResponse(
                    replace,
                    planned,
                    [ProviderDiagnostic.error(message, ("code",)) for message in problems],
                )
        found = known_split_problems(
            settings.split,
            settings.label,
            settings.training.early_stopping_rounds is not None,
            request.upstream,
        )
        return PlanResponse(replace, planned, found, build_inputs)

    def apply(self, request: ApplyRequest) -> ApplyResponse:
        prior = request.prior_outputs
        if prior is not None and prior.get("id"):  # description or tags: nothing to redo
            return ApplyResponse(outputs=dict(prior))
        from providers.model.build import build

        try:
            settings = settings_from(request.inputs)
            request.workdir.mkdir(parents=True, exist_ok=True)
            built = build(
                settings,
                request.upstream,
                request.artifacts,
                request.config_dir,
                request.workdir,
                request.progress,
            )
        except Problem as problem:
            return ApplyResponse(diagnostics=problem.diagnostics)
        except MissingDependencyError as error:
            return ApplyResponse(diagnostics=[ProviderDiagnostic.error(str(error), ("type",))])
        return ApplyResponse(
            outputs=built.outputs,
            artifacts=[Artifact(name, path) for name, path in built.files.items()],
            diagnostics=built.warnings,
            library_versions=built.libraries,
        )

    def delete(self, request: DeleteRequest) -> DeleteResponse:
        return DeleteResponse()
