"""Building a dataset: read the source, keep the selected rows and columns, store Parquet.

The source is fingerprinted before it is read, so a change made while it is being read shows
as drift at the next refresh rather than going unnoticed. For a database without a
`fingerprint` query the fingerprint is the digest of the query's result, computed from the
rows already read rather than by running the query twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlform.sdk import Fingerprinter, ProviderDiagnostic, import_optional
from providers.dataset.bundled import load_bundled
from providers.dataset.canonical import canonical_table, column_types, content_digest
from providers.dataset.database import run_query
from providers.dataset.files import read_file, resolve_file
from providers.dataset.fingerprint import file_digest, source_fingerprint
from providers.dataset.settings import DatasetSettings
from providers.dataset.source import SourceKind
from providers.dataset.subset import select

if TYPE_CHECKING:
    import pyarrow as pa

DATA_FILE = "data.parquet"
DATA_ARTIFACT = "data"

PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "version": "2.6",
    "row_group_size": 1 << 20,
    "write_statistics": True,
    "store_schema": True,
}
"""Fixed, so that the same table gives the same file with the same pyarrow (Parquet records
its writer's version, never a timestamp)."""


@dataclass(frozen=True)
class Built:
    outputs: dict[str, Any]
    path: Path
    warnings: list[ProviderDiagnostic] = field(default_factory=list)


def build(
    settings: DatasetSettings,
    config_dir: Path,
    fingerprints: Fingerprinter | None,
    workdir: Path,
) -> Built:
    """Read, select, write `workdir/data.parquet`; raises `DatasetProblem` for the user's
    mistakes."""
    table, fingerprint = load(settings, config_dir, fingerprints)
    table, warnings = select(table, settings)
    table = canonical_table(table)
    path = workdir / DATA_FILE
    write_parquet(table, path)
    outputs = {
        "id": content_digest(table),
        "rows": table.num_rows,
        "schema": column_types(table),
        "source_fingerprint": fingerprint,
        "data": file_digest(path),
    }
    return Built(outputs, path, warnings)


def load(
    settings: DatasetSettings, config_dir: Path, fingerprints: Fingerprinter | None
) -> tuple[pa.Table, str]:
    """The source's rows and its fingerprint."""
    source = settings.source
    if source.kind is SourceKind.SQL:
        query = settings.query or ""
        if settings.fingerprint is None:
            table = run_query(source.location, query, config_dir, settings.shown, ("query",))
            return table, content_digest(table)
        fingerprint = source_fingerprint(settings, config_dir, fingerprints)
        table = run_query(source.location, query, config_dir, settings.shown, ("query",))
        return table, fingerprint
    fingerprint = source_fingerprint(settings, config_dir, fingerprints)
    if source.kind is SourceKind.SKLEARN:
        return load_bundled(source.location), fingerprint
    path = resolve_file(source.location, config_dir)
    return read_file(path, source.format or "", settings.shown), fingerprint


def write_parquet(table: pa.Table, path: Path) -> None:
    parquet = import_optional("pyarrow.parquet", "storing a dataset", package="pyarrow")
    parquet.write_table(table, str(path), **PARQUET_OPTIONS)
