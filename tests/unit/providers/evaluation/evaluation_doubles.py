"""Test doubles for the evaluation provider's tests: an artifact store in a directory, a
model trained in the test on scikit-learn's bundled data sets (no network) behind the
`Predictor` interface, and a harness that runs the provider's verbs the way the core does,
with the model's and split's recorded objects as `upstream`.

A module of its own, not `conftest`: test modules import from it, and with several
`conftest.py` outside packages, `import conftest` finds whichever pytest loaded last."""

from __future__ import annotations

import json
import shutil
import sys
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import blake3
import numpy as np
import pandas as pd
import pytest

from mlform.sdk import (
    ApplyRequest,
    ApplyResponse,
    BlockValue,
    PlanRequest,
    PlanResponse,
    ReadRequest,
    ReadResponse,
)

# This folder mirrors the package it tests, and pytest puts `tests/unit` on sys.path (for the
# `tests/unit/fmt` package), ahead of the editable install's finder: without the repository
# root first, `providers.evaluation` would resolve to this folder as a namespace package.
ROOT = str(Path(__file__).resolve().parents[4])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import providers.evaluation  # noqa: E402
import providers.evaluation.upstream  # noqa: E402
from providers.model.training import Predictions, Task  # noqa: E402

MODEL_ID = "a1" * 32
SPLIT_ID = "b2" * 32


@dataclass
class DirectoryStore:
    """An `ArtifactStore`: files under a directory, named by the blake3 digest of their bytes."""

    root: Path

    def _path(self, digest: str) -> Path:
        return self.root / digest

    def put(self, path: Path) -> str:
        digest = blake3.blake3(Path(path).read_bytes()).hexdigest()
        target = self._path(digest)
        if not target.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        return digest

    def exists(self, digest: str) -> bool:
        return self._path(digest).is_file()

    def local_path(self, digest: str) -> Path:
        path = self._path(digest)
        if not path.is_file():
            raise FileNotFoundError(digest)
        return path

    def unpacked(self, digest: str) -> Path:
        target = self.root / ".unpacked" / digest
        if not target.is_dir():
            with tarfile.open(self.local_path(digest)) as archive:
                archive.extractall(target, filter="data")
        return target

    def verify(self, digest: str) -> bool:
        return self.exists(digest)

    def keep(self, response: ApplyResponse) -> dict[str, str]:
        """Store the response's artifacts as the core does; their digests by name."""
        return {artifact.name: self.put(artifact.path) for artifact in response.artifacts}


@dataclass
class EstimatorPredictor:
    """A `Predictor` over a fitted scikit-learn estimator (what `load_predictor` returns for
    a real model): decoded classes and probabilities in the order of `classes`."""

    estimator: Any
    task: Task
    classes: Sequence[Any] | None
    features: Sequence[str]

    def predict(self, frame: pd.DataFrame) -> Predictions:
        inputs = frame[list(self.features)].to_numpy()
        if self.task is Task.REGRESSION:
            return Predictions(np.asarray(self.estimator.predict(inputs), dtype=float))
        probabilities = self.estimator.predict_proba(inputs)
        assert list(self.estimator.classes_) == list(self.classes or ())
        values = np.asarray(self.classes, dtype=object)[probabilities.argmax(axis=1)]
        if all(isinstance(c, int | np.integer) for c in self.classes or ()):
            values = values.astype(np.int64)
        return Predictions(values, probabilities)


@dataclass
class Trained:
    """A model trained in the test, and the parts of its split as frames."""

    predictor: EstimatorPredictor
    parts: dict[str, pd.DataFrame]
    label: str
    extra_columns: list[str] = field(default_factory=list)


def _frame(data: Any, label_values: np.ndarray, label: str) -> pd.DataFrame:
    features = [name.replace(" ", "_") for name in data.feature_names]
    frame = pd.DataFrame(data.data, columns=features)
    frame[label] = label_values
    return frame


def _partition(frame: pd.DataFrame, parts: Sequence[str], seed: int = 0) -> dict[str, pd.DataFrame]:
    order = np.random.default_rng(seed).permutation(len(frame))
    shares = {"train": 0.6, "valid": 0.1, "eval": 0.15, "test": 0.15}
    total = sum(shares[p] for p in parts)
    found, start = {}, 0
    for index, part in enumerate(parts):
        end = (
            len(frame)
            if index == len(parts) - 1
            else start + round(len(frame) * shares[part] / total)
        )
        found[part] = frame.iloc[order[start:end]].reset_index(drop=True)
        start = end
    return found


def train(kind: str, parts: Sequence[str] = ("train", "valid", "test")) -> Trained:
    """A model on a bundled data set: "binary" (breast cancer, 0/1), "binary_strings" (breast
    cancer, "benign"/"malignant"), "multiclass" (iris, species names), "regression"
    (diabetes). Each part has a `site` column (two values) and a `cohort` column whose
    value "pure" holds a single class, for slices."""
    from sklearn import datasets
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if kind in ("binary", "binary_strings"):
        data = datasets.load_breast_cancer()
        target = data.target
        if kind == "binary_strings":
            target = np.asarray(data.target_names, dtype=object)[data.target]
        frame, task = _frame(data, target, "diagnosis"), Task.BINARY
    elif kind == "multiclass":
        data = datasets.load_iris()
        target = np.asarray(data.target_names, dtype=object)[data.target]
        frame, task = _frame(data, target, "species"), Task.MULTICLASS
    else:
        data = datasets.load_diabetes()
        frame, task = _frame(data, data.target, "progression"), Task.REGRESSION
    label = str(frame.columns[-1])
    features = [str(c) for c in frame.columns[:-1]]
    frame["site"] = np.where(np.arange(len(frame)) % 3 == 0, "north", "south")
    first = frame[label].iloc[0]
    frame["cohort"] = np.where(
        (frame[label] == first) & (np.arange(len(frame)) % 4 == 0), "pure", "mixed"
    )
    split = _partition(frame, parts)
    train_part = split["train"]
    if task is Task.REGRESSION:
        estimator = make_pipeline(StandardScaler(), Ridge(alpha=1.0))
        classes = None
    else:
        estimator = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=5000))
        classes = sorted(set(train_part[label].tolist()))
    estimator.fit(train_part[features].to_numpy(), train_part[label].to_numpy())
    predictor = EstimatorPredictor(estimator, task, classes, features)
    return Trained(predictor, split, label, ["site", "cohort"])


@dataclass
class Harness:
    """Runs the evaluation provider's verbs in one configuration directory, against a model
    and split recorded in `upstream`."""

    config_dir: Path
    trained: Trained
    store: DirectoryStore
    model: dict[str, Any]
    split: dict[str, Any]
    applies: int = 0

    @property
    def upstream(self) -> dict[str, dict[str, Any]]:
        return {self.model["id"]: self.model, self.split["id"]: self.split}

    def config(self, **settings: Any) -> dict[str, Any]:
        return {"model": self.model["id"], **settings}

    def apply(
        self, config: dict[str, Any], replaced_outputs: dict[str, Any] | None = None
    ) -> ApplyResponse:
        self.applies += 1
        workdir = self.config_dir / ".work" / str(self.applies)
        response = providers.evaluation.provider.apply(
            ApplyRequest(
                "evaluation.test",
                config,
                None,
                workdir,
                self.store,
                config_dir=self.config_dir,
                upstream=self.upstream,
                replaced_outputs=replaced_outputs,
            )
        )
        self.store.keep(response)
        return response

    def outputs(self, config: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """The outputs of an apply that must succeed (warnings allowed)."""
        response = self.apply(config, **kwargs)
        errors = [d for d in response.diagnostics if d.is_error]
        assert not errors, errors
        return dict(response.outputs)

    def errors(self, config: dict[str, Any]) -> dict[tuple[str | int, ...], str]:
        """The errors of an apply that must fail without a result."""
        response = self.apply(config)
        assert not response.outputs and not response.artifacts, response.outputs
        return {d.path: d.message for d in response.diagnostics if d.is_error}

    def plan(
        self,
        proposed: dict[str, Any],
        prior_inputs: dict[str, Any] | None = None,
        prior_outputs: dict[str, Any] | None = None,
        upstream: bool = True,
    ) -> PlanResponse:
        return providers.evaluation.provider.plan(
            PlanRequest(
                "evaluation.test",
                prior_inputs,
                prior_outputs,
                proposed,
                config_dir=self.config_dir,
                upstream=self.upstream if upstream else {},
            )
        )

    def read(self, config: dict[str, Any], outputs: dict[str, Any]) -> ReadResponse:
        return providers.evaluation.provider.read(
            ReadRequest(
                "evaluation.test",
                config,
                outputs,
                artifacts=self.store,
                config_dir=self.config_dir,
            )
        )

    def part(self, name: str = "test") -> pd.DataFrame:
        return self.trained.parts[name]

    def write(self, name: str, text: str) -> Path:
        path = self.config_dir / name
        path.write_text(text)
        return path


def metric_block(name: str, function: str) -> BlockValue:
    return BlockValue((name,), {"function": function})


def threshold_block(**settings: Any) -> BlockValue:
    return BlockValue((), settings)


def _stored_json(store: DirectoryStore, directory: Path, name: str, document: Any) -> str:
    path = directory / name
    path.write_text(json.dumps(document))
    return store.put(path)


def make_harness(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    parts: Sequence[str] = ("train", "valid", "test"),
    **model_outputs: Any,
) -> Harness:
    import pyarrow as pa
    import pyarrow.parquet as parquet

    trained = TRAINED_CACHE.get((kind, tuple(parts))) or train(kind, parts)
    TRAINED_CACHE[(kind, tuple(parts))] = trained
    store = DirectoryStore(tmp_path / "store")
    files = tmp_path / "files"
    files.mkdir(exist_ok=True)
    part_digests = {}
    for name, frame in trained.parts.items():
        path = files / f"{name}.parquet"
        parquet.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
        part_digests[name] = store.put(path)
    predictor = trained.predictor
    card = {
        "format": "sklearn-test",
        "features": list(predictor.features),
        "label": trained.label,
        "task": predictor.task.value,
        "classes": predictor.classes,
    }
    model_file = files / "model.bin"
    model_file.write_bytes(b"a model file the test's loader ignores")
    importance = {f: float(i + 1) for i, f in enumerate(predictor.features)}
    model = {
        "id": MODEL_ID,
        "type": "xgboost",
        "split": SPLIT_ID,
        "label": trained.label,
        "early_stopping_rounds": None,
        "format": "sklearn-test",
        "card": _stored_json(store, files, "card.json", card),
        "model": store.put(model_file),
        "feature_importance": importance,
        "history": {
            "train-logloss": [0.6, 0.4, 0.3, 0.25],
            "valid-logloss": [0.62, 0.45, 0.38, 0.37],
        },
        **model_outputs,
    }
    split = {
        "id": SPLIT_ID,
        "parts": part_digests,
        "features": list(predictor.features),
        "rows": {name: len(frame) for name, frame in trained.parts.items()},
    }

    def load(card: Any, path: Path, config_dir: Path) -> EstimatorPredictor:
        assert card.label == trained.label
        assert path == store.local_path(model["model"])
        return predictor

    monkeypatch.setattr(providers.evaluation.upstream, "load_model", load)
    config_dir = tmp_path / "config"
    config_dir.mkdir(exist_ok=True)
    return Harness(config_dir, trained, store, model, split)


TRAINED_CACHE: dict[tuple[str, tuple[str, ...]], Trained] = {}
