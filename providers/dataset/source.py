"""Telling what a dataset's `source` is: a file, a database URL, or a bundled sample."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

SKLEARN_DATASETS = ("iris", "breast_cancer", "wine", "diabetes")

FILE_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl"}
FILE_FORMATS[".ndjson"] = "jsonl"
COMPRESSIONS = (".gz", ".bz2", ".xz", ".zst", ".zip")

# SQLAlchemy dialects shipped with SQLAlchemy or in common use; any other URL whose path does
# not end in a data-file suffix is taken for a database too, so third-party dialects work.
SQL_DIALECTS = frozenset(
    {
        "sqlite", "postgresql", "postgres", "mysql", "mariadb", "oracle", "mssql", "duckdb",
        "snowflake", "bigquery", "redshift", "trino", "presto", "clickhouse", "databricks",
    }
)  # fmt: skip

_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://(?P<rest>.*)$")


class SourceKind(enum.Enum):
    FILE = "file"
    SQL = "sql"
    SKLEARN = "sklearn"


@dataclass(frozen=True)
class Source:
    kind: SourceKind
    location: str  # the path or URL; for SKLEARN, the sample's name
    format: str | None = None  # for FILE: "csv", "parquet" or "jsonl" when the suffix says


def parse_source(source: str) -> Source:
    """Classify a `source` value; `format` is None for a file of unknown format."""
    if source.startswith("sklearn:"):
        return Source(SourceKind.SKLEARN, source.removeprefix("sklearn:"))
    match = _URL.match(source)
    if match:
        scheme = match["scheme"].lower()
        dialect = scheme.split("+")[0]
        file_format = file_format_of(match["rest"])
        if scheme == "file" or (dialect not in SQL_DIALECTS and file_format is not None):
            return Source(SourceKind.FILE, source, file_format)
        return Source(SourceKind.SQL, source)
    return Source(SourceKind.FILE, source, file_format_of(source))


def file_format_of(path: str) -> str | None:
    name = path.split("?")[0].lower()
    for compression in COMPRESSIONS:
        name = name.removesuffix(compression)
    for suffix, file_format in FILE_FORMATS.items():
        if name.endswith(suffix):
            return file_format
    return None
