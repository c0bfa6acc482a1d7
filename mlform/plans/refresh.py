"""Refresh: ask each provider whether its recorded objects still exist and still match.

Every instance in the prior state is read once, in parallel (reads fingerprint files and
stat artifacts, so they wait on the disk, not the interpreter). What a read finds changed is
drift: the plan shows it under "Objects have changed outside of mlform" and replaces what
drifted. A gone object is planned as a create. Tainted instances are not read: they are
replaced anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mlform.addresses import Address
from mlform.diagnostics import Diagnostic, error
from mlform.errors import MlformError
from mlform.plans.changes import DriftNote
from mlform.sdk import ArtifactStore, Fingerprinter, ProviderRegistry, ReadRequest
from mlform.state.objects import ResourceInstance, StateSnapshot


@dataclass(frozen=True)
class ReadContext:
    """What providers need to read their objects: where relative paths start, the artifact
    store (None: artifacts are not checked) and the fingerprinter of source files."""

    config_dir: Path
    artifacts: ArtifactStore | None = None
    fingerprints: Fingerprinter | None = None
    verify: bool = False
    parallelism: int = 4


@dataclass(frozen=True)
class Refreshed:
    """The prior state as the providers found it.

    `snapshot` holds the refreshed outputs, with gone objects left out (`gone` lists them);
    `drifted` the instances whose recorded result no longer matches (to be replaced); `drift`
    the notes the plan shows; `diagnostics` the reads that failed, each naming its resource.
    """

    snapshot: StateSnapshot
    drift: tuple[DriftNote, ...] = ()
    drifted: frozenset[Address] = frozenset()
    gone: frozenset[Address] = frozenset()
    reasons: Mapping[Address, str] = field(default_factory=dict)
    diagnostics: tuple[Diagnostic, ...] = ()


def not_refreshed(snapshot: StateSnapshot) -> Refreshed:
    """`--refresh=false`: the state as recorded."""
    return Refreshed(snapshot)


def refresh(snapshot: StateSnapshot, registry: ProviderRegistry, context: ReadContext) -> Refreshed:
    to_read = [instance for instance in snapshot.instances if not instance.tainted]
    if not to_read:
        return Refreshed(snapshot)
    workers = max(1, min(context.parallelism, len(to_read)))
    if workers == 1:
        results = [_read(instance, registry, context) for instance in to_read]
    else:
        with ThreadPoolExecutor(workers, thread_name_prefix="mlform-refresh") as pool:
            results = list(pool.map(lambda i: _read(i, registry, context), to_read))
    from mlform.plans.planner import shown_inputs

    instances = {instance.address: instance for instance in snapshot.instances}
    drift: list[DriftNote] = []
    drifted: set[Address] = set()
    reasons: dict[Address, str] = {}
    diagnostics: list[Diagnostic] = []
    for instance, result in zip(to_read, results, strict=True):
        if isinstance(result, Diagnostic):
            diagnostics.append(result)
            continue
        outputs, message, gone = result
        inputs = shown_inputs(registry, instance)
        before = {**inputs, **instance.outputs}
        sensitive = sensitive_paths(registry, instance.kind)
        if gone:
            del instances[instance.address]
            drift.append(DriftNote(instance.address, before, None, sensitive))
            reasons[instance.address] = message or "it no longer exists"
        elif message is not None:
            instances[instance.address] = replace(instance, outputs=dict(outputs))
            after = {**inputs, **outputs}
            drift.append(DriftNote(instance.address, before, after, sensitive))
            drifted.add(instance.address)
            reasons[instance.address] = message
    refreshed = replace(
        snapshot,
        instances=tuple(instances[i.address] for i in snapshot.instances if i.address in instances),
    )
    vanished = frozenset(i.address for i in snapshot.instances if i.address not in instances)
    return Refreshed(
        refreshed, tuple(drift), frozenset(drifted), vanished, reasons, tuple(diagnostics)
    )


def _read(
    instance: ResourceInstance, registry: ProviderRegistry, context: ReadContext
) -> tuple[Mapping[str, Any], str | None, bool] | Diagnostic:
    address = str(instance.address)
    try:
        provider = registry.get(instance.kind)
    except MlformError as exc:
        return error(
            f"cannot refresh {address}: {exc}. Install the provider, or remove the instance "
            f"from the state with `mlform state rm {address}`",
            address=address,
        )
    missing = _missing_artifact(instance, context)
    if missing is not None:
        return instance.outputs, missing, True
    from mlform.plans.planner import inputs_from_json

    try:
        response = provider.read(
            ReadRequest(
                address=address,
                inputs=inputs_from_json(provider.schema, instance.inputs),
                outputs=instance.outputs,
                verify=context.verify,
                artifacts=context.artifacts,
                config_dir=context.config_dir,
                fingerprints=context.fingerprints,
            )
        )
    except Exception as exc:  # a provider bug must not look like the user's mistake
        return error(
            f"the {instance.kind} provider failed while refreshing ({type(exc).__name__}: {exc}); "
            "this is a bug in the provider, please report it. --refresh=false plans without "
            "reading the objects.",
            address=address,
        )
    problems = [d for d in response.diagnostics if d.is_error]
    if problems:
        causes = "; ".join(d.message for d in problems)
        return error(
            f"cannot refresh {address}: {causes}. Fix the source, or plan with --refresh=false "
            "to plan from the recorded state.",
            address=address,
        )
    return response.outputs, response.drift, response.gone


def sensitive_paths(registry: ProviderRegistry, kind: str) -> tuple[tuple[str | int, ...], ...]:
    """The attributes a kind's schema marks sensitive (none when it is not installed)."""
    try:
        schema = registry.get(kind).schema
    except MlformError:
        return ()
    return tuple((a.name,) for a in schema.block.inputs if a.sensitive)


def _missing_artifact(instance: ResourceInstance, context: ReadContext) -> str | None:
    """Why a stored artifact of the instance is unusable (missing, or with `verify`, damaged);
    None when all are fine or the store is not checked."""
    store = context.artifacts
    if store is None:
        return None
    for name, digest in sorted(instance.artifacts.items()):
        if not store.exists(digest):
            return (
                f'its stored "{name}" artifact ({digest[:12]}) is missing from the artifact store'
            )
        if context.verify:
            try:
                damaged = not store.verify(digest)
            except OSError:
                damaged = True
            if damaged:
                return f'its stored "{name}" artifact ({digest[:12]}) no longer matches its digest'
    return None
