"""Checks of a dataset's configuration that its schema cannot express."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlform.sdk import (
    ProviderDiagnostic,
    did_you_mean,
    is_known,
    number_of,
    quoted_choices,
    value_of,
)
from providers.common import check_positive_whole
from providers.dataset.source import SKLEARN_DATASETS, SourceKind, parse_source

Config = Mapping[str, Any]


def validate_dataset(config: Config) -> list[ProviderDiagnostic]:
    return [
        *check_source(config),
        *check_columns(config),
        *check_sample(config),
        *check_positive_whole(value_of(config, "limit"), ("limit",)),
    ]


def check_source(config: Config) -> list[ProviderDiagnostic]:
    source = value_of(config, "source")
    if not isinstance(source, str):
        return []
    if not source.strip():
        return [
            ProviderDiagnostic.error("source is empty; name a file, a URL or a sample", ("source",))
        ]
    parsed = parse_source(source)
    found: list[ProviderDiagnostic] = []
    if parsed.kind is SourceKind.SKLEARN and parsed.location not in SKLEARN_DATASETS:
        found.append(
            ProviderDiagnostic.error(
                f'there is no bundled sample "{parsed.location}"'
                f"{did_you_mean(parsed.location, SKLEARN_DATASETS, otherwise='.')} The samples are "
                f"{quoted_choices('sklearn:' + name for name in SKLEARN_DATASETS)}.",
                ("source",),
            )
        )
    if parsed.kind is SourceKind.FILE and parsed.format is None:
        found.append(
            ProviderDiagnostic.error(
                f'cannot tell the format of "{source}" from its name; use a file ending in '
                ".csv, .parquet or .jsonl (optionally compressed, like .csv.gz), or a "
                "SQLAlchemy URL such as postgresql://host/db with `query`",
                ("source",),
            )
        )
    for name in ("query", "fingerprint"):
        value = value_of(config, name)
        if value is not None and parsed.kind is not SourceKind.SQL:
            found.append(
                ProviderDiagnostic.error(
                    f"{name} is only used with a database source (a SQLAlchemy URL such as "
                    f'postgresql://host/db); source "{source}" is a '
                    f"{'file' if parsed.kind is SourceKind.FILE else 'bundled sample'}: "
                    f"remove {name}, or select rows with `where` and `columns`",
                    (name,),
                )
            )
    if parsed.kind is SourceKind.SQL and value_of(config, "query") is None:
        found.append(
            ProviderDiagnostic.error(
                "a database source needs `query`, the SQL that selects the rows "
                '(for example query = "SELECT * FROM customers")',
                ("source",),
            )
        )
    return found


def check_columns(config: Config) -> list[ProviderDiagnostic]:
    columns = value_of(config, "columns")
    if not isinstance(columns, list):
        return []
    if not columns:
        return [
            ProviderDiagnostic.error(
                "columns is empty; list the columns to keep, or remove it", ("columns",)
            )
        ]
    found = []
    seen: set[str] = set()
    for index, column in enumerate(columns):
        if not is_known(column):
            continue
        if column in seen:
            found.append(
                ProviderDiagnostic.error(
                    f'column "{column}" is listed twice in columns; remove one', ("columns", index)
                )
            )
        seen.add(column)
    return found


def check_sample(config: Config) -> list[ProviderDiagnostic]:
    sample = value_of(config, "sample")
    if not isinstance(sample, dict) or not is_known(sample):
        return []
    fraction, rows = sample.get("fraction"), sample.get("rows")
    found: list[ProviderDiagnostic] = []
    if (fraction is None) == (rows is None):
        found.append(
            ProviderDiagnostic.error(
                "sample needs exactly one of fraction (a share of the rows, such as 0.5) "
                "or rows (a number of rows, such as 10000)"
                + (", not both" if fraction is not None else ""),
                ("sample",),
            )
        )
    share = number_of(fraction)
    if share is not None and not 0 < share <= 1:
        found.append(
            ProviderDiagnostic.error(
                f"sample fraction must be more than 0 and at most 1, not {share}",
                ("sample", "fraction"),
            )
        )
    found += check_positive_whole(rows, ("sample", "rows"))
    found += check_positive_whole(sample.get("seed"), ("sample", "seed"), minimum=0)
    return found
