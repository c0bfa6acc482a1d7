"""The provider protocol: one method per verb, one request in, one response out.

Modelled on Terraform's provider protocol (ValidateResourceConfig, ReadResource,
PlanResourceChange, ApplyResourceChange), adapted to mlform. A provider never touches the
state store and does not raise for a problem it can describe: errors travel back in the
response as `ProviderDiagnostic`s whose `path` points at the attribute or nested block at
fault, so the core can report the file and line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlform.diagnostics import Severity
from mlform.language.values import UNKNOWN
from mlform.sdk.artifacts import Artifact, ArtifactStore, Fingerprinter
from mlform.sdk.schema import AttributePath, ResourceSchema

Values = Mapping[str, Any]
"""A resource's inputs or outputs: attribute name -> value (nested blocks as `BlockValue`s)."""


@dataclass(frozen=True)
class ProviderDiagnostic:
    """A finding of a provider about one resource; `path` is `()` for the resource as a whole."""

    severity: Severity
    message: str
    path: AttributePath = ()

    @classmethod
    def error(cls, message: str, path: AttributePath = ()) -> ProviderDiagnostic:
        return cls(Severity.ERROR, message, path)

    @classmethod
    def warning(cls, message: str, path: AttributePath = ()) -> ProviderDiagnostic:
        return cls(Severity.WARNING, message, path)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def has_errors(diagnostics: list[ProviderDiagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


@dataclass(frozen=True)
class ValidateRequest:
    """Check a configuration on its own, before anything is read or built.

    `config` is converted to the schema's types and holds only attributes the schema
    declares (the core checks names, types and required attributes first); values may be
    unknown or sensitive (see `mlform.sdk.config`). `create_before_destroy` is the
    resource's lifecycle setting: a replacement then runs the new object beside the old one
    for a while (an endpoint cannot do that on one fixed port).
    """

    address: str
    config: Values
    create_before_destroy: bool = False


@dataclass(frozen=True)
class ValidateResponse:
    diagnostics: list[ProviderDiagnostic] = field(default_factory=list)


@dataclass(frozen=True)
class ReadRequest:
    """Refresh: find out whether the recorded object still exists and still matches.

    With `verify`, artifacts are checked by full digest instead of by existence. Relative
    paths in the inputs are relative to `config_dir`; `fingerprints` fingerprints source files
    through the core's stat cache (None: the provider hashes them itself).
    """

    address: str
    inputs: Values
    outputs: Values
    verify: bool = False
    artifacts: ArtifactStore | None = None
    config_dir: Path = Path(".")
    fingerprints: Fingerprinter | None = None


@dataclass(frozen=True)
class ReadResponse:
    """The outputs as they are now. `drift` says what changed outside mlform ("the source
    file changed"), `gone` that the object no longer exists and must be created again."""

    outputs: Values
    drift: str | None = None
    gone: bool = False
    diagnostics: list[ProviderDiagnostic] = field(default_factory=list)


@dataclass(frozen=True)
class PlanRequest:
    """Propose a change. `prior_inputs` and `prior_outputs` are None for a create.
    `config_dir` and `fingerprints` as in `ReadRequest`: a plan may fingerprint its sources
    so that the build key and a saved plan know them before apply. `upstream` as in
    `ApplyRequest`, holding only the upstream results already known (applied and unchanged):
    a split checks its columns against a dataset's recorded schema before anything runs.
    `providers` holds the settings of the configuration's `provider "NAME"` blocks, by name
    (`providers["docker"]["host"]`), values evaluated (they may be sensitive or unknown)."""

    address: str
    prior_inputs: Values | None
    prior_outputs: Values | None
    proposed_inputs: Values
    config_dir: Path = Path(".")
    fingerprints: Fingerprinter | None = None
    upstream: Mapping[str, Values] = field(default_factory=dict)
    providers: Mapping[str, Values] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanResponse:
    """The paths whose change forces replacement, and the outputs expected after apply
    (`UNKNOWN` where they are known only then).

    `build_inputs` is what shapes the result besides the inputs: source fingerprints, hashes
    of injected code, the versions of the libraries that build it. The core puts them with
    the kind, the provider's version and the resolved inputs into the build key: an earlier
    build under the same key is restored instead of built again. None (the default) when
    the provider cannot say, or the result must never be restored (it is then always built).
    """

    requires_replace: list[AttributePath] = field(default_factory=list)
    planned_outputs: Values = field(default_factory=dict)
    diagnostics: list[ProviderDiagnostic] = field(default_factory=list)
    build_inputs: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class ApplyRequest:
    """Build the object. `prior_outputs` is None for a create; `workdir` is an empty
    directory the provider may write to, and `artifacts` gives access to stored artifacts.
    `config_dir` and `fingerprints` as in `ReadRequest`. `progress` shows a short line of
    progress beside the resource while it runs (`"round 40/200, logloss 0.31"`).

    `upstream` holds the objects (inputs and outputs) of every resource this one depends on,
    directly or further up, by id: an attribute that takes a resource holds its id, so
    `request.upstream[request.inputs["split"]]` is the split's object, with the digests of
    its stored parts, and `upstream[split["dataset"]]` the dataset's. `providers` as in
    `PlanRequest`; `workspace` is the workspace's key (`examples/quickstart:default`), for a
    provider that keeps something outside the artifact store (a running server) to name it by."""

    address: str
    inputs: Values
    prior_outputs: Values | None
    workdir: Path
    artifacts: ArtifactStore
    config_dir: Path = Path(".")
    fingerprints: Fingerprinter | None = None
    upstream: Mapping[str, Values] = field(default_factory=dict)
    replaced_outputs: Values | None = None
    """The outputs of the object this one replaces (None for a create): an evaluation
    compares its metrics with them for a `min_delta` threshold."""
    progress: Callable[[str], None] = field(default=lambda message: None)
    providers: Mapping[str, Values] = field(default_factory=dict)
    workspace: str = ""


@dataclass(frozen=True)
class ApplyResponse:
    """The outputs (always with `id`), the files to store, and the versions of the
    libraries that shaped the result (`{"pyarrow": "17.0.0"}`), recorded with it.

    An output named like an artifact (`data`) holds that artifact's digest: the core checks
    it against the digest of the stored copy."""

    outputs: Values = field(default_factory=dict)
    artifacts: list[Artifact] = field(default_factory=list)
    diagnostics: list[ProviderDiagnostic] = field(default_factory=list)
    library_versions: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DeleteRequest:
    """Tear the object down (stop a served endpoint). Stored artifacts are the core's
    business: they stay in the store for the build cache."""

    address: str
    inputs: Values
    outputs: Values


@dataclass(frozen=True)
class DeleteResponse:
    diagnostics: list[ProviderDiagnostic] = field(default_factory=list)


_VERB_PHRASES = {
    "read": "refresh",
    "plan": "plan changes to",
    "apply": "create or update",
    "delete": "delete",
}


class Provider:
    """Base class of every provider: set `schema` and `version`, override the verbs.

    The base class validates nothing, reads nothing (the core checks stored artifacts) and
    plans without the build cache; `apply` and `delete` return an error diagnostic saying
    they are not supported, so that a partial provider fails clearly rather than silently.
    Keep module-level imports cheap: import heavy libraries inside the method that needs them.
    """

    schema: ResourceSchema
    version: str = "0.0.0"
    plans_every_change: bool = False
    """Whether `plan` is asked about every change: updates in place, and creates and
    replacements whose inputs are known only after apply. By default it is asked only about
    creates and replacements with known inputs, for their build keys; a provider that must
    check something outside the configuration before any change (an endpoint: its Docker
    engine answers, its evaluation passed) sets it, and then finds unknown values in its
    requests."""

    @property
    def kind(self) -> str:
        return self.schema.kind

    def validate(self, request: ValidateRequest) -> ValidateResponse:
        return ValidateResponse()

    def read(self, request: ReadRequest) -> ReadResponse:
        """By default nothing outside the artifact store can change (the core checks the
        stored artifacts of every resource itself): the outputs stand as recorded."""
        return ReadResponse(outputs=request.outputs)

    def plan(self, request: PlanRequest) -> PlanResponse:
        """By default the outputs are known only after apply, and a result is never restored
        from the build cache (without `build_inputs` the core cannot tell what shaped it)."""
        return PlanResponse(planned_outputs={a.name: UNKNOWN for a in self.schema.outputs})

    def apply(self, request: ApplyRequest) -> ApplyResponse:
        return ApplyResponse(diagnostics=[self.unsupported("apply")])

    def delete(self, request: DeleteRequest) -> DeleteResponse:
        return DeleteResponse(diagnostics=[self.unsupported("delete")])

    def unsupported(self, verb: str) -> ProviderDiagnostic:
        """The error a verb this provider does not implement returns."""
        phrase = _VERB_PHRASES.get(verb, verb)
        return ProviderDiagnostic.error(
            f'the "{self.kind}" provider (version {self.version}) does not support "{verb}" yet: '
            f"it cannot {phrase} {self.kind} resources. This is a limitation of the provider, "
            "not of your configuration; upgrade the provider, or leave this resource out "
            "with --target until it does."
        )

    def __repr__(self) -> str:
        schema = getattr(self, "schema", None)
        kind = schema.kind if isinstance(schema, ResourceSchema) else None
        return f"<{type(self).__name__} kind={kind!r} version={self.version!r}>"
