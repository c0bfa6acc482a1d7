"""Build keys, and finding an earlier build to restore instead of building again.

A build key names everything that shapes a result: the kind, the provider's version, the
resolved inputs (which hold the ids of the upstream results they refer to) and what the
provider adds through `PlanResponse.build_inputs` (source fingerprints, code hashes, library
versions). Two builds under one key give the same result, so the second is never run: the
first is restored from the artifact store, from any workspace, any earlier apply, or from
before a destroy (DESIGN §4).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlform.addresses import Address
from mlform.language.values import contains_unknown
from mlform.plans.changes import CacheHit
from mlform.sdk import Fingerprinter, PlanRequest, Provider, ProviderDiagnostic

KEY_VERSION = 1
"""Raised when the way keys are made changes, so that no earlier key can match by accident."""


@dataclass(frozen=True)
class BuildContext:
    """What keying a build needs: where relative paths start, the source fingerprinter, and
    `find`, which returns the earlier build under a key when its files are all stored."""

    config_dir: Path
    fingerprints: Fingerprinter | None
    find: Callable[[str], CacheHit | None]


@dataclass(frozen=True)
class PlannedBuild:
    """A build's key (None: the provider cannot say, so it is always built), the earlier
    build it would restore, and the provider's findings (errors mean it cannot be built)."""

    key: str | None = None
    hit: CacheHit | None = None
    diagnostics: tuple[ProviderDiagnostic, ...] = ()
    outputs: Mapping[str, Any] = field(default_factory=dict)
    """The outputs the provider already knows (a dataset's `source_fingerprint`)."""

    @property
    def failed(self) -> bool:
        return any(d.is_error for d in self.diagnostics)


def build_key(
    kind: str, provider_version: str, inputs: Mapping[str, Any], build_inputs: Mapping[str, Any]
) -> str:
    """The key: a blake3 digest of the canonical JSON of everything that shapes the result."""
    import blake3

    document = {
        "key_version": KEY_VERSION,
        "kind": kind,
        "provider_version": provider_version,
        "inputs": inputs,
        "build": build_inputs,
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return str(blake3.blake3(text.encode("utf-8")).hexdigest())


def plan_build(
    provider: Provider,
    address: Address,
    proposed: Mapping[str, Any],
    context: BuildContext,
    upstream: Mapping[str, Mapping[str, Any]] | None = None,
    providers: Mapping[str, Mapping[str, Any]] | None = None,
) -> PlannedBuild:
    """Ask the provider what a build of `proposed` (fully known inputs) depends on, and look
    its key up. The provider plans a create: a replacement is a new build too. `upstream`:
    the known objects of the resources it depends on, by id (`PlanRequest.upstream`);
    `providers`: the configuration's provider blocks (`PlanRequest.providers`)."""
    from mlform.plans.planner import inputs_to_json

    response = provider.plan(
        PlanRequest(
            address=str(address),
            prior_inputs=None,
            prior_outputs=None,
            proposed_inputs=proposed,
            config_dir=context.config_dir,
            fingerprints=context.fingerprints,
            upstream=upstream or {},
            providers=providers or {},
        )
    )
    diagnostics = tuple(response.diagnostics)
    known = {k: v for k, v in response.planned_outputs.items() if not contains_unknown(v)}
    if any(d.is_error for d in diagnostics) or response.build_inputs is None:
        return PlannedBuild(diagnostics=diagnostics, outputs=known)
    key = build_key(
        provider.kind, provider.version, inputs_to_json(proposed), dict(response.build_inputs)
    )
    return PlannedBuild(key, context.find(key), diagnostics, known)
