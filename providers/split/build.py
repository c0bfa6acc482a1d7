"""Building a split: read the dataset's table, keep the `where` rows, assign each row to a
part, fit the preprocessing on train, and store each transformed part and the transform.

A part file holds the feature columns in the order of the `features` output, then the
columns the preprocessing passes through untouched (the split's label when it declares one,
and the string or date columns it leaves out of the features), so that a model finds its
label and an evaluation its slices there. The fitted transform is stored as canonical JSON:
the endpoint applies it to raw rows with the same code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import blake3

from mlform.sdk import ArtifactStore, ProviderDiagnostic, value_of
from providers.dataset.build import PARQUET_OPTIONS
from providers.dataset.fingerprint import file_digest
from providers.dataset.problems import DatasetProblem
from providers.problems import Problem

if TYPE_CHECKING:
    import pyarrow as pa

    from providers.split.transform import FittedTransform

TRANSFORM_ARTIFACT = "transform"
TRANSFORM_FILE = "transform.json"


@dataclass(frozen=True)
class Built:
    outputs: dict[str, Any]
    files: dict[str, Path]
    warnings: list[ProviderDiagnostic] = field(default_factory=list)


def build(
    config: Mapping[str, Any],
    upstream: Mapping[str, Mapping[str, Any]],
    artifacts: ArtifactStore,
    workdir: Path,
) -> Built:
    """Split and preprocess into `workdir`; raises `Problem` for the user's mistakes."""
    import pyarrow.parquet as parquet

    from providers.split.partition import PartitionSettings, assign_parts
    from providers.split.transform import fit_transform_spec

    table = read_dataset(config, upstream, artifacts)
    label = value_of(config, "label")
    if label is not None and label not in table.column_names:
        raise Problem.at(
            ("label",),
            f'the label column "{label}" is not in the dataset; its columns are: '
            f"{', '.join(table.column_names)}",
        )
    condition = value_of(config, "where")
    if condition is not None:
        table = keep_rows(table, condition)
    spec = fit_transform_spec(config, table.schema, label)
    rows = assign_parts(table, PartitionSettings.from_config(config))
    fitted = spec.fit(table.take(rows["train"]))
    files: dict[str, Path] = {}
    counts: dict[str, int] = {}
    for part, indices in rows.items():
        stored = part_table(table.take(indices), fitted)
        if stored.num_rows == 0:
            raise Problem.at(
                ("ratio", part) if value_of(config, "ratio") else (),
                f'part "{part}" is empty once rows with missing values are dropped (fill '
                'method "drop_rows"); fill those columns another way, or give the part a '
                "larger share",
            )
        path = workdir / f"{part}.parquet"
        parquet.write_table(stored, str(path), **PARQUET_OPTIONS)
        files[part] = path
        counts[part] = stored.num_rows
    transform_path = workdir / TRANSFORM_FILE
    transform_path.write_bytes(canonical_json(fitted.to_json()))
    files[TRANSFORM_ARTIFACT] = transform_path
    digests = {name: file_digest(path) for name, path in files.items()}
    parts = {part: digests[part] for part in rows}
    outputs = {
        "id": split_id(parts, digests[TRANSFORM_ARTIFACT]),
        "parts": parts,
        "rows": counts,
        "transform_id": digests[TRANSFORM_ARTIFACT],
        "features": list(fitted.features),
        "statistics": fitted.statistics,
        "dropped_columns": list(spec.dropped),
    }
    return Built(outputs, files, dropped_warning(spec.dropped))


def read_dataset(
    config: Mapping[str, Any], upstream: Mapping[str, Mapping[str, Any]], store: ArtifactStore
) -> pa.Table:
    import pyarrow.parquet as parquet

    dataset = upstream.get(str(value_of(config, "dataset")))
    digest = dataset.get("data") if dataset is not None else None
    if not isinstance(digest, str) or not store.exists(digest):
        raise Problem.at(
            ("dataset",),
            "the dataset's stored table is missing from the artifact store; run `mlform plan` "
            "to see it rebuilt, then `mlform apply`",
        )
    return parquet.read_table(str(store.local_path(digest)))


def keep_rows(table: pa.Table, condition: str) -> pa.Table:
    from providers.dataset.subset import where

    try:
        return where(table, condition, f'"{condition}"')
    except DatasetProblem as problem:
        raise Problem(problem.diagnostics) from None


def part_table(rows: pa.Table, fitted: FittedTransform) -> pa.Table:
    """A part as stored: its features, then the columns passed through (the label filled
    when a fill names it), without the rows a `drop_rows` fill drops."""
    table, _ = fitted.apply(rows, passthrough=True)
    return table


def dropped_warning(dropped: list[str]) -> list[ProviderDiagnostic]:
    if not dropped:
        return []
    names = ", ".join(f'"{name}"' for name in dropped)
    return [
        ProviderDiagnostic.warning(
            f"{names} {'is' if len(dropped) == 1 else 'are'} not numeric and no preprocessing "
            "names them, so the split leaves them out of the features (they stay in each part, "
            "for slices); encode them with one_hot, vocabulary or hash_buckets, or set "
            "defaults { string { transform = ... } } to use them"
        )
    ]


def canonical_json(document: Any) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def split_id(parts: Mapping[str, str], transform_id: str) -> str:
    """The digest of what the split produced: each part's file and the fitted transform."""
    return str(
        blake3.blake3(canonical_json({"parts": parts, "transform": transform_id})).hexdigest()
    )
