"""The split kind: a dataset partitioned into parts, with preprocessing fitted on train."""

from __future__ import annotations

from mlform.language.types import ANY, BOOL, NUMBER, STRING, ListType, MapType
from mlform.sdk import (
    DESCRIPTION_ATTRIBUTE,
    TAGS_ATTRIBUTE,
    Attribute,
    BlockSchema,
    NestedBlock,
    Nesting,
    ResourceRef,
    ResourceSchema,
)


def _columns(purpose: str) -> Attribute:
    return Attribute("columns", ListType(STRING), f"The columns to {purpose}.", required=True)


def _step(name: str, description: str, *attributes: Attribute, purpose: str) -> NestedBlock:
    return NestedBlock(
        name,
        BlockSchema(attributes=(_columns(purpose), *attributes)),
        Nesting.LIST,
        description=description,
    )


FILL = _step(
    "fill",
    "Fills missing values, with a statistic of the train part or a constant.",
    Attribute(
        "method",
        STRING,
        "mean, median, mode, min or max (of the train part), constant (with `value`), "
        "ffill or bfill (the previous or next row's value), or drop_rows.",
        required=True,
    ),
    Attribute("value", ANY, 'The value to fill with; only with method = "constant".'),
    purpose="fill",
)

STEPS = (
    FILL,
    _step(
        "clip",
        "Limits values to [min, max] before any scaling.",
        Attribute("min", NUMBER, "Values below become min."),
        Attribute("max", NUMBER, "Values above become max."),
        purpose="clip",
    ),
    _step("log1p", "Replaces x by log(1 + x), before scaling.", purpose="transform"),
    _step(
        "standardize",
        "Scales to zero mean and unit variance, as measured on the train part.",
        purpose="standardize",
    ),
    _step(
        "normalize",
        "Scales to [0, 1] by the minimum and maximum of the train part.",
        purpose="normalize",
    ),
    _step(
        "one_hot",
        "Encodes a categorical column as one 0/1 feature per category seen in train.",
        Attribute(
            "max_categories",
            NUMBER,
            "Keep only the most frequent categories; all of them when unset.",
        ),
        Attribute(
            "other",
            BOOL,
            "Add an `other` feature for categories beyond max_categories and categories "
            "never seen in train; when false they encode as all zeros.",
            default=True,
        ),
        purpose="encode",
    ),
    _step(
        "vocabulary",
        "Encodes a categorical column as an integer index (for embedding layers).",
        Attribute(
            "max_size",
            NUMBER,
            "Keep only the most frequent values; all of them when unset.",
        ),
        Attribute(
            "num_oov_buckets",
            NUMBER,
            "Indices reserved for values outside the vocabulary, hashed into them.",
            default=1,
        ),
        purpose="index",
    ),
    _step(
        "bucketize",
        "Turns a numeric column into a bucket index, by boundaries or by quantiles.",
        Attribute(
            "boundaries",
            ListType(NUMBER),
            "Increasing bucket boundaries: [18, 35, 65] makes four buckets.",
        ),
        Attribute(
            "quantiles",
            NUMBER,
            "A number of equal-frequency buckets, their boundaries fitted on train.",
        ),
        purpose="bucketize",
    ),
    _step(
        "hash_buckets",
        "Hashes a categorical column into a fixed number of buckets (no vocabulary to fit).",
        Attribute("buckets", NUMBER, "The number of buckets.", required=True),
        purpose="hash",
    ),
)


def _defaults_for(name: str, fills: str, transforms: str) -> NestedBlock:
    return NestedBlock(
        name,
        BlockSchema(
            attributes=(
                Attribute("fill", STRING, f"How to fill missing values: {fills}."),
                Attribute(
                    "transform", STRING, f"How to turn the column into features: {transforms}."
                ),
            )
        ),
        Nesting.SINGLE,
        max_items=1,
        description=f"The treatment of {name} columns no preprocessing block names.",
    )


DEFAULTS = NestedBlock(
    "defaults",
    BlockSchema(
        blocks=(
            _defaults_for(
                "numeric",
                "mean, median, mode, min, max, ffill, bfill, drop_rows or none",
                "standardize, normalize, log1p or none (used as they are)",
            ),
            _defaults_for(
                "string",
                "mode, ffill, bfill, drop_rows or none",
                "one_hot, vocabulary or none (left out of the features)",
            ),
        )
    ),
    Nesting.SINGLE,
    max_items=1,
    description=(
        "The preprocessing of the columns no other block names (the label excepted): "
        "by default numeric columns are features as they are and string columns are left out."
    ),
)

SCHEMA = ResourceSchema(
    kind="split",
    description=(
        "Partitions a dataset into train and valid/eval/test parts, fits the preprocessing on "
        "train only, and stores each part and the fitted transform."
    ),
    block=BlockSchema(
        attributes=(
            Attribute("dataset", ResourceRef("dataset"), "The dataset to split.", required=True),
            Attribute(
                "ratio",
                MapType(NUMBER),
                "The share of rows in each part: { train = 0.7, valid = 0.1, test = 0.2 }. "
                "Parts are train (required), valid, eval and test; shares sum to 1.",
            ),
            Attribute("seed", NUMBER, "The seed of the random assignment.", default=0),
            Attribute(
                "index_by",
                STRING,
                "Split in this column's order (time-ordered): the first rows train, "
                "the last ones the held-out parts.",
            ),
            Attribute(
                "categorize_by",
                STRING,
                "Keep all rows with the same value of this column in the same part; "
                "with `categories`, choose the part of each value.",
            ),
            Attribute(
                "categories",
                MapType(ListType(STRING)),
                'The values of categorize_by in each part: { train = ["north", "east"], '
                'test = ["south"] }. Replaces ratio.',
            ),
            Attribute(
                "unknown",
                STRING,
                "The part that gets the values of categorize_by that categories does not list "
                "(an error when unset).",
            ),
            Attribute(
                "hash_by",
                STRING,
                "Assign parts by a hash of this column, so a row keeps its part as rows are added.",
            ),
            Attribute(
                "stratify_by",
                STRING,
                "Keep this column's class proportions the same in every part.",
            ),
            Attribute("where", STRING, "A SQL condition on the rows to keep before splitting."),
            Attribute(
                "label",
                STRING,
                "The label column: kept out of `defaults` and passed through unchanged.",
            ),
            DESCRIPTION_ATTRIBUTE,
            TAGS_ATTRIBUTE,
            Attribute(
                "parts", MapType(STRING), "The digest of each stored part, by name.", computed=True
            ),
            Attribute("rows", MapType(NUMBER), "The number of rows in each part.", computed=True),
            Attribute(
                "transform_id",
                STRING,
                "The digest of the fitted transform, the same at training and serving time.",
                computed=True,
            ),
            Attribute(
                "features",
                ListType(STRING),
                "The feature columns the transform produces, in order.",
                computed=True,
            ),
            Attribute(
                "statistics",
                MapType(ANY),
                "The fitted parameters of each column's preprocessing, measured on train: "
                "{ monthly = { fill_value = 71.2, mean = 71.2, std = 29.1 } }.",
                computed=True,
            ),
            Attribute(
                "dropped_columns",
                ListType(STRING),
                "The non-numeric columns no preprocessing names: not features, but kept in "
                "each part for slices.",
                computed=True,
            ),
        ),
        blocks=(*STEPS, DEFAULTS),
    ),
)
