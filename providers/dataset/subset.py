"""Keeping the selected rows and columns of a source: `where`, `sample`, `limit`, `columns`.

In that order: `where` may test a column that `columns` leaves out, and `limit` applies after
`where` and `sample`. Every step keeps the rows in the source's order and is deterministic,
so the same source and settings give the same table, and so the same id.

`where` is SQL run by DuckDB over the Arrow table, parsed as a single expression (it cannot
end the statement and start another) on a connection that may not touch files or load
extensions. DuckDB only says which rows pass; the rows are taken from the Arrow table, so
every column keeps its type exactly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mlform.sdk import ProviderDiagnostic, did_you_mean, import_optional
from providers.dataset.problems import DatasetProblem, first_lines
from providers.dataset.settings import HIDDEN, DatasetSettings, Sample

if TYPE_CHECKING:
    import pyarrow as pa

ROW_NUMBER = "__mlform_row_number"


def select(table: pa.Table, settings: DatasetSettings) -> tuple[pa.Table, list[ProviderDiagnostic]]:
    """The rows and columns the settings keep, and warnings about them."""
    check_names(table.column_names, settings.columns)
    warnings: list[ProviderDiagnostic] = []
    if settings.where is not None:
        table = where(table, settings.where, settings.quoted("where", settings.where))
        if table.num_rows == 0:
            warnings.append(
                ProviderDiagnostic.warning(
                    f"no row matches where {settings.quoted('where', settings.where)}: "
                    "the dataset is empty",
                    ("where",),
                )
            )
    if settings.sample is not None:
        table = sample(table, settings.sample, filtered=settings.where is not None)
    if settings.limit is not None:
        table = table.slice(0, settings.limit)
    if settings.columns is not None:
        table = table.select(list(settings.columns))
    return table, warnings


def check_names(names: Sequence[str], columns: Sequence[str] | None) -> None:
    """Errors for a source with two columns of one name, and for each unknown column in
    `columns`, at its index."""
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise DatasetProblem.at(
            ("source",),
            f"the source has more than one column named {', '.join(map(repr, duplicates))}; "
            "rename them in the source so that each name is used once",
        )
    problems = [
        ProviderDiagnostic.error(
            f'column "{column}" is not in the source{did_you_mean(column, names, otherwise=".")} '
            f"The source's columns are: {', '.join(names) or '(none)'}.",
            ("columns", index),
        )
        for index, column in enumerate(columns or ())
        if column not in names
    ]
    if problems:
        raise DatasetProblem(problems)


def where(table: pa.Table, condition: str, shown: str) -> pa.Table:
    """The rows for which the SQL condition holds, in their order; `shown` is the condition
    for a message."""
    duckdb = import_optional("duckdb", "filtering rows with `where`")
    arrow = import_optional("pyarrow", "filtering rows with `where`")
    numpy = import_optional("numpy", "filtering rows with `where`")
    row_number = ROW_NUMBER
    while row_number in table.column_names:
        row_number += "_"
    numbered = table.append_column(row_number, arrow.array(numpy.arange(table.num_rows)))
    connection = duckdb.connect(config={"enable_external_access": False})
    try:
        rows = connection.from_arrow(numbered)
        kinds = [str(kind) for kind in rows.project(condition).types]
        if kinds != ["BOOLEAN"]:
            raise DatasetProblem.at(("where",), _not_a_condition(shown, kinds))
        relation = rows.filter(condition).project(f'"{row_number}"')
        kept: Any = relation.arrow()
        if hasattr(kept, "read_all"):  # DuckDB 1.4 and later give a reader
            kept = kept.read_all()
    except duckdb.Error as error:
        message = re.sub(f'"{row_number}", |, "{row_number}"', "", str(error))
        raise DatasetProblem.at(("where",), _where_message(shown, message)) from None
    finally:
        connection.close()
    rows = numpy.sort(kept.column(0).to_numpy(zero_copy_only=False))
    return table.take(arrow.array(rows, type=arrow.int64()))


def _not_a_condition(shown: str, kinds: list[str]) -> str:
    what = f"a value of type {kinds[0]}" if len(kinds) == 1 else f"{len(kinds)} values"
    return (
        f"where {shown} gives {what} for each row, not true or false; write a "
        "condition, such as \"tenure > 0 AND plan = 'pro'\""
    )


def _where_message(shown: str, error: str) -> str:
    detail = first_lines(error)
    if shown == HIDDEN:  # DuckDB's message may quote the condition
        detail = "DuckDB's message is not shown, as it may quote the sensitive condition"
    return (
        f"where {shown} is not a SQL condition that can be run on the source: "
        f"{detail}. Write one condition in DuckDB's SQL over the source's "
        "columns, such as \"tenure > 0 AND plan = 'pro'\", with double quotes around a column "
        'name that has spaces ("petal length (cm)" > 1)'
    )


def sample(table: pa.Table, settings: Sample, filtered: bool) -> pa.Table:
    """A reproducible random sample of the rows, kept in their order: `rows` of them, or
    `fraction` of them rounded to the nearest whole row."""
    numpy = import_optional("numpy", "sampling rows")
    available = table.num_rows
    if settings.rows is not None:
        wanted = settings.rows
        if wanted > available:
            after = " that match `where`" if filtered else ""
            raise DatasetProblem.at(
                ("sample",),
                f"sample asks for {wanted} rows, but there are only {available} rows{after}; "
                f"ask for at most {available} rows, or sample a fraction instead "
                "(sample = { fraction = 0.5 })",
            )
    else:
        wanted = round((settings.fraction or 0) * available)
    if wanted == available:
        return table
    generator = numpy.random.Generator(numpy.random.PCG64(settings.seed))
    rows = numpy.sort(generator.choice(available, size=wanted, replace=False))
    return table.take(rows)
