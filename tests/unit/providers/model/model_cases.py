"""A stand-in split for the model provider's tests: parts of scikit-learn's bundled data sets
(no network) written as Parquet into a real artifact store, and a split object in `upstream`
shaped like the split provider's (parts, features, statistics, label, dataset), so that the
model provider's verbs run as the core runs them."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

# This folder mirrors the package it tests, and pytest puts `tests/unit` on sys.path (for the
# `tests/unit/fmt` package), ahead of the editable install's finder: without the repository
# root first, `providers.model` would resolve to this folder as a namespace package.
ROOT = str(Path(__file__).resolve().parents[4])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import providers.model  # noqa: E402
from mlform.artifacts.store import LocalArtifactStore  # noqa: E402
from mlform.sdk import (  # noqa: E402
    ApplyRequest,
    ApplyResponse,
    PlanRequest,
    PlanResponse,
    ReadRequest,
    ReadResponse,
)

RATIO = {"train": 0.7, "valid": 0.15, "test": 0.15}


def bundled(name: str) -> tuple[pd.DataFrame, list[str]]:
    """The sample as a frame of its features then `target`, and the feature names."""
    from sklearn import datasets

    bunch = getattr(datasets, f"load_{name}")(as_frame=True)
    frame = bunch.frame.rename(columns=str)
    features = [str(column) for column in bunch.feature_names]
    return frame, features


def cut(frame: pd.DataFrame, ratio: dict[str, float], seed: int = 0) -> dict[str, pd.DataFrame]:
    """The rows shuffled with `seed`, cut into parts by share."""
    order = np.random.default_rng(seed).permutation(len(frame))
    shuffled = frame.iloc[order].reset_index(drop=True)
    parts, start = {}, 0
    names = list(ratio)
    for index, name in enumerate(names):
        end = len(frame) if index == len(names) - 1 else start + round(ratio[name] * len(frame))
        parts[name] = shuffled.iloc[start:end].reset_index(drop=True)
        start = end
    return parts


@dataclass
class Harness:
    """A configuration directory, an artifact store, and the upstream objects of the splits
    made so far; runs the model provider's verbs as the core does."""

    root: Path
    upstream: dict[str, dict[str, Any]] = field(default_factory=dict)
    progress: list[str] = field(default_factory=list)
    builds: int = 0

    def __post_init__(self) -> None:
        self.config_dir = self.root / "config"
        self.config_dir.mkdir(parents=True, exist_ok=True)
        self.store = LocalArtifactStore(self.root / "state" / "artifacts")

    def split(
        self,
        frame: pd.DataFrame,
        features: Sequence[str],
        ratio: dict[str, float] | None = None,
        label: str | None = None,
        statistics: dict[str, Any] | None = None,
    ) -> str:
        """Store the parts of `frame` (the features first, then the other columns) and
        record a split object; its id."""
        columns = [*features, *(c for c in frame.columns if c not in features)]
        parts = {}
        for name, part in cut(frame[columns], ratio or RATIO).items():
            path = self.root / f"part-{len(self.upstream)}-{name}.parquet"
            pq.write_table(pa.Table.from_pandas(part, preserve_index=False), path)
            parts[name] = self.store.put(path)
        schema = [{"name": str(c), "type": str(frame[c].dtype)} for c in frame.columns]
        dataset_id = f"dataset-{len(self.upstream)}"
        self.upstream[dataset_id] = {"id": dataset_id, "schema": schema}
        split_id = f"split-{len(self.upstream)}"
        self.upstream[split_id] = {
            "id": split_id,
            "dataset": dataset_id,
            "label": label,
            "parts": parts,
            "features": list(features),
            "statistics": statistics or {},
            "rows": {name: 0 for name in parts},
        }
        return split_id

    def apply(self, config: dict[str, Any]) -> ApplyResponse:
        self.builds += 1
        workdir = self.root / "work" / str(self.builds)
        response = providers.model.provider.apply(
            ApplyRequest(
                "model.test",
                config,
                None,
                workdir,
                self.store,
                config_dir=self.config_dir,
                upstream=self.upstream,
                progress=self.progress.append,
            )
        )
        for artifact in response.artifacts:
            digest = self.store.put(artifact.path)
            claimed = response.outputs.get(artifact.name)
            assert claimed in (None, digest), (artifact.name, claimed, digest)
        return response

    def built(self, config: dict[str, Any]) -> dict[str, Any]:
        """The outputs of a successful apply."""
        response = self.apply(config)
        errors = [d for d in response.diagnostics if d.is_error]
        assert not errors, errors
        return dict(response.outputs)

    def errors(self, config: dict[str, Any]) -> dict[tuple[str | int, ...], str]:
        """The errors of applying `config`, by path; the apply must not raise."""
        response = self.apply(config)
        assert not response.outputs and not response.artifacts
        return {d.path: d.message for d in response.diagnostics if d.is_error}

    def read(self, config: dict[str, Any], outputs: dict[str, Any]) -> ReadResponse:
        return providers.model.provider.read(
            ReadRequest(
                "model.test", config, outputs, artifacts=self.store, config_dir=self.config_dir
            )
        )

    def plan(self, config: dict[str, Any], upstream: bool = True) -> PlanResponse:
        return providers.model.provider.plan(
            PlanRequest(
                "model.test",
                None,
                None,
                config,
                config_dir=self.config_dir,
                upstream=self.upstream if upstream else {},
            )
        )

    def write_code(self, name: str, text: str) -> Path:
        path = self.config_dir / name
        path.write_text(text)
        return path

    def artifact(self, outputs: dict[str, Any], name: str) -> Path:
        return self.store.local_path(outputs[name])

    def predictions(self, outputs: dict[str, Any], part: str) -> pd.DataFrame:
        return pq.read_table(self.store.local_path(outputs["predictions"][part])).to_pandas()


def accuracy(predictions: pd.DataFrame) -> float:
    return float((predictions["label"] == predictions["prediction"]).mean())
