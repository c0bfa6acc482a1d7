"""The dataset kind: rows read from a file, a database or a bundled sample."""

from __future__ import annotations

from mlform.language.types import NUMBER, STRING, ListType, ObjectType
from mlform.sdk import (
    DESCRIPTION_ATTRIBUTE,
    TAGS_ATTRIBUTE,
    Attribute,
    BlockSchema,
    ResourceSchema,
)

SAMPLE_TYPE = ObjectType(
    {"fraction": NUMBER, "rows": NUMBER, "seed": NUMBER},
    optional=frozenset({"fraction", "rows", "seed"}),
)

COLUMNS_TYPE = ListType(ObjectType({"name": STRING, "type": STRING}))

SCHEMA = ResourceSchema(
    kind="dataset",
    description=(
        "Reads a source, keeps the selected columns and rows, and stores the result as "
        "Parquet; the source is fingerprinted so that a change in the data shows as drift."
    ),
    block=BlockSchema(
        attributes=(
            Attribute(
                "source",
                STRING,
                "Where the rows come from: a CSV, Parquet or JSON Lines file (a path relative "
                "to the configuration directory, or a file:// or object-store URL), a "
                "SQLAlchemy URL together with `query`, or a bundled sample: sklearn:iris, "
                "sklearn:breast_cancer, sklearn:wine or sklearn:diabetes.",
                required=True,
            ),
            Attribute(
                "query",
                STRING,
                "The SQL that selects the rows, when `source` is a SQLAlchemy URL.",
            ),
            Attribute(
                "fingerprint",
                STRING,
                "A cheap SQL query whose result changes when the data does (for example "
                "`SELECT count(*), max(updated_at) FROM events`), used to detect drift in a "
                "database source; without it the whole query result is hashed.",
            ),
            Attribute(
                "columns",
                ListType(STRING),
                "The columns to keep, in this order; all of them when unset.",
            ),
            Attribute(
                "where",
                STRING,
                "A SQL condition on the rows to keep (`tenure > 0`), run by a SQL engine, "
                "never evaluated as Python.",
            ),
            Attribute(
                "sample",
                SAMPLE_TYPE,
                "A random sample of the rows: `{ fraction = 0.5 }` or `{ rows = 10000 }`, "
                "with an optional `seed` (default 0) so the sample is reproducible.",
            ),
            Attribute(
                "limit",
                NUMBER,
                "Keep at most this many rows (after `where` and `sample`).",
            ),
            DESCRIPTION_ATTRIBUTE,
            TAGS_ATTRIBUTE,
            Attribute(
                "rows",
                NUMBER,
                "The number of rows stored.",
                computed=True,
            ),
            Attribute(
                "schema",
                COLUMNS_TYPE,
                "The stored columns in order, each as { name, type } with an Arrow type name "
                "(`int64`, `double`, `string`, `date32[day]`, ...).",
                computed=True,
            ),
            Attribute(
                "source_fingerprint",
                STRING,
                "A digest of the source as last read; a different value means the data "
                "changed outside mlform.",
                computed=True,
            ),
            Attribute(
                "data",
                STRING,
                "The digest of the stored Parquet file (the artifact named `data`), by which "
                "refresh finds out whether it is still in the artifact store.",
                computed=True,
            ),
        ),
    ),
)
