"""A model's card: the JSON document stored beside the model file (the "card" artifact) that
says how to load and use it, and the model's id.

The card holds `card_version`, `format`, `label`, `features` (in the order the model reads
them), `task`, `classes` (sorted; null for a regression), `best_iteration` (null without
early stopping) and whatever the format's loader needs besides (xgboost: `objective`;
tensorflow: the network's inputs; python: the injected code, source included). It holds
nothing that varies from one build to the next (no time, no path, no duration), so it can
be hashed: the model's id is the blake3 digest of the model file's digest and the card's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from providers.model.training import Trained, TrainingData

CARD_VERSION = 1
ID_ENCODING = b"mlform.model.v1"
"""Names the way the id is made; change it whenever that changes, so ids never collide."""


def make_card(data: TrainingData, trained: Trained) -> dict[str, Any]:
    return {
        **trained.card,
        "card_version": CARD_VERSION,
        "format": trained.format,
        "label": data.label,
        "features": list(data.features),
        "task": data.task.value,
        "classes": list(data.classes) if data.classes is not None else None,
        "best_iteration": trained.best_iteration,
    }


def card_bytes(card: Mapping[str, Any]) -> bytes:
    """The card's canonical JSON: sorted keys, fixed separators, UTF-8, a final newline."""
    text = json.dumps(card, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def write_card(card: Mapping[str, Any], path: Path) -> None:
    path.write_bytes(card_bytes(card))


def model_id(model_digest: str, card_digest: str) -> str:
    import blake3

    hasher = blake3.blake3()
    for piece in (ID_ENCODING, model_digest.encode(), card_digest.encode()):
        hasher.update(len(piece).to_bytes(8, "little"))
        hasher.update(piece)
    return str(hasher.hexdigest())
