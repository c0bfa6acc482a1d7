"""What an endpoint reads from the resources it depends on: the gate (its evaluation must have
passed, and must have evaluated the model served) and the stored files of the version to serve
(the model's card and file, the split's fitted transform)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlform.errors import MlformError
from mlform.sdk import ArtifactStore, ProviderDiagnostic, Values
from providers.endpoint.layout import Version
from providers.problems import Problem

EVALUATION = ("evaluation",)
MODEL = ("model",)


def gate(
    model_id: Any, evaluation_id: Any, upstream: Mapping[str, Values], *, planning: bool
) -> list[ProviderDiagnostic]:
    """The gate's verdict where the evaluation is known: when planning, a warning that the
    endpoint will not be deployed; when applying, an error that stops it. An evaluation of
    another model is an error either way: it says nothing about the model served."""
    if not isinstance(evaluation_id, str) or evaluation_id not in upstream:
        return []
    evaluation = upstream[evaluation_id]
    evaluated = evaluation.get("model")
    if isinstance(model_id, str) and isinstance(evaluated, str) and evaluated != model_id:
        return [
            ProviderDiagnostic.error(
                f"the evaluation evaluates model {evaluated[:12]}, not the model this endpoint "
                f"serves ({model_id[:12]}): its gate says nothing about it. Point evaluation "
                "at an evaluation whose model is the endpoint's model.",
                EVALUATION,
            )
        ]
    if evaluation.get("passed") is not False:
        return []
    failed = [str(t) for t in evaluation.get("failed_thresholds") or []]
    reasons = f" ({'; '.join(failed)})" if failed else ""
    if planning:
        return [
            ProviderDiagnostic.warning(
                f"the evaluation did not pass its thresholds{reasons}, so this endpoint will "
                "not be deployed: apply will fail here until a model passes them.",
                EVALUATION,
            )
        ]
    return [
        ProviderDiagnostic.error(
            f"the model is not deployed: its evaluation did not pass its thresholds{reasons}. "
            "Train a model that meets them (or change the thresholds, if they were wrong), "
            "then apply again.",
            EVALUATION,
        )
    ]


def version_to_serve(
    model_id: str, upstream: Mapping[str, Values], artifacts: ArtifactStore
) -> Version:
    """The stored files of the model and its split's transform; a `Problem` when something
    is missing (an upstream applied by an older mlform, or an artifact collected since)."""
    model = upstream.get(model_id)
    if model is None:
        raise Problem.at(
            MODEL,
            f"the model {model_id[:12]} is not among the applied resources this endpoint "
            "depends on; apply the model first (mlform apply)",
        )
    split_id = model.get("split")
    split = upstream.get(split_id) if isinstance(split_id, str) else None
    if split is None:
        raise Problem.at(MODEL, "the model's split is not among the applied resources")
    transform_id = split.get("transform_id")
    card, model_file = model.get("card"), model.get("model")
    for value, what in (
        (card, "model's card"),
        (model_file, "model file"),
        (transform_id, "split's transform"),
    ):
        if not isinstance(value, str) or not value:
            raise Problem.at(
                MODEL,
                f"the {what} is not recorded with its resource (built by an older mlform?); "
                "replace it with mlform apply -replace=ADDRESS",
            )
    assert isinstance(card, str) and isinstance(model_file, str) and isinstance(transform_id, str)
    return Version(
        model_id=model_id,
        transform_id=transform_id,
        card=_local(artifacts, card, "model's card"),
        model_file=_local(artifacts, model_file, "model file"),
        transform=_local(artifacts, transform_id, "split's transform"),
    )


def _local(artifacts: ArtifactStore, digest: str, what: str) -> Path:
    try:
        return artifacts.local_path(digest)
    except (OSError, MlformError) as error:
        raise Problem.at(
            MODEL,
            f"the {what} ({digest[:12]}) cannot be read from the artifact store: {error}. "
            "Run mlform plan: refresh notices a missing artifact and rebuilds it.",
        ) from error
