"""The split provider's validate, case by case: the configuration changes applied to a
minimal valid one, and the errors expected (path -> part of the message)."""

from __future__ import annotations

from typing import Any

import pytest

import providers.split
from mlform.language.values import UNKNOWN, Sensitive
from mlform.sdk import BlockValue
from mlform.testing import assert_validate_errors, validate_config

MINIMAL: dict[str, Any] = {"dataset": "5f2a9c", "ratio": {"train": 0.8, "test": 0.2}}


def block(**config: Any) -> list[BlockValue]:
    return [BlockValue((), config)]


def blocks(*configs: dict[str, Any]) -> list[BlockValue]:
    return [BlockValue((), config) for config in configs]


def defaults(**groups: dict[str, Any]) -> list[BlockValue]:
    return [BlockValue((), {group: block(**settings) for group, settings in groups.items()})]


RATIO = [
    pytest.param({"ratio": {"train": 0.7, "valid": 0.1, "test": 0.2}}, {}, id="three-parts"),
    pytest.param({"ratio": {"train": 1}}, {}, id="train-only"),
    pytest.param(
        {"ratio": {"train": 0.7, "valid": 0.1, "eval": 0.1, "test": 0.1}}, {}, id="four-parts"
    ),
    pytest.param(
        {"ratio": {"train": 0.7, "tset": 0.3}},
        {("ratio", "tset"): 'unknown part "tset" in ratio; did you mean "test"?'},
        id="part-typo",
    ),
    pytest.param(
        {"ratio": {"valid": 0.5, "test": 0.5}}, {("ratio",): 'needs a "train" part'}, id="no-train"
    ),
    pytest.param(
        {"ratio": {"train": 0.7, "test": 0.2}}, {("ratio",): "they sum to 0.9"}, id="sum-below-one"
    ),
    pytest.param(
        {"ratio": {"train": 0.8, "test": 0.3}}, {("ratio",): "they sum to 1.1"}, id="sum-above-one"
    ),
    pytest.param({"ratio": {"train": 0.7, "test": 0.3 + 1e-10}}, {}, id="sum-within-tolerance"),
    pytest.param(
        {"ratio": {"train": 0.7, "test": 0.3 + 1e-8}},
        {("ratio",): "they sum to 1.00000001"},
        id="sum-beyond-tolerance",
    ),
    pytest.param(
        {"ratio": {"train": 1.2, "test": -0.2}},
        {("ratio", "train"): "at most 1, not 1.2", ("ratio", "test"): "more than 0"},
        id="share-out-of-range",
    ),
    pytest.param({"ratio": {"train": 0.8, "test": UNKNOWN}}, {}, id="unknown-share"),
    pytest.param({"ratio": UNKNOWN}, {}, id="unknown-ratio"),
    pytest.param(
        {"ratio": Sensitive({"train": 0.5})}, {("ratio",): "sum to 0.5"}, id="sensitive-ratio"
    ),
    pytest.param({"ratio": None}, {(): "a split needs ratio"}, id="no-ratio"),
]

STRATEGY = [
    pytest.param({"index_by": "signup"}, {}, id="index-by"),
    pytest.param({"hash_by": "customer_id"}, {}, id="hash-by"),
    pytest.param({"stratify_by": "churned"}, {}, id="stratify-by"),
    pytest.param({"categorize_by": "region", "index_by": "signup"}, {}, id="categorize-with-index"),
    pytest.param(
        {"index_by": "signup", "hash_by": "customer_id"},
        {("hash_by",): "index_by and hash_by cannot be used together"},
        id="index-and-hash",
    ),
    pytest.param(
        {"categorize_by": "region", "stratify_by": "churned"},
        {("stratify_by",): "categorize_by and stratify_by cannot be used together"},
        id="categorize-and-stratify",
    ),
    pytest.param({"index_by": "signup", "hash_by": UNKNOWN}, {}, id="unknown-strategy"),
    pytest.param({"seed": -1}, {("seed",): "at least 0"}, id="negative-seed"),
]

CATEGORIES = [
    pytest.param(
        {
            "ratio": None,
            "categorize_by": "region",
            "categories": {"train": ["north", "east"], "test": ["south"]},
        },
        {},
        id="categories",
    ),
    pytest.param(
        {
            "ratio": None,
            "categorize_by": "region",
            "categories": {"train": ["north"], "test": ["south"]},
            "unknown": "test",
        },
        {},
        id="categories-with-unknown",
    ),
    pytest.param(
        {
            "ratio": None,
            "categorize_by": "region",
            "index_by": "signup",
            "categories": {"train": ["north"], "test": ["south"]},
        },
        {("index_by",): "index_by cannot be used with categories"},
        id="categories-with-index-by",
    ),
    pytest.param(
        {"ratio": None, "categories": {"train": ["north"]}},
        {("categories",): "categories needs categorize_by"},
        id="categories-without-categorize-by",
    ),
    pytest.param(
        {"categorize_by": "region", "categories": {"train": ["north"], "test": ["south"]}},
        {("ratio",): "ratio and categories cannot be used together"},
        id="categories-with-ratio",
    ),
    pytest.param(
        {
            "ratio": None,
            "categorize_by": "region",
            "categories": {"train": ["north", "east"], "test": ["east"]},
        },
        {("categories", "test", 0): 'category "east" is listed in both "train" and "test"'},
        id="category-in-two-parts",
    ),
    pytest.param(
        {"ratio": None, "categorize_by": "region", "categories": {"test": ["east"]}},
        {("categories",): 'needs a "train" part'},
        id="categories-without-train",
    ),
    pytest.param(
        {
            "ratio": None,
            "categorize_by": "region",
            "categories": {"train": ["a"], "valid": ["b"]},
            "unknown": "test",
        },
        {("unknown",): 'unknown names part "test", which categories does not list'},
        id="unknown-part-not-listed",
    ),
    pytest.param(
        {"unknown": "test"},
        {("unknown",): "only used with categories"},
        id="unknown-without-categories",
    ),
    pytest.param(
        {"ratio": UNKNOWN, "categorize_by": "region", "categories": {"train": ["a"]}},
        {},
        id="unknown-ratio-with-categories",
    ),
]

PREPROCESSING = [
    pytest.param(
        {
            "fill": blocks(
                {"columns": ["monthly"], "method": "mean"},
                {"columns": ["plan"], "method": "constant", "value": "none"},
            ),
            "clip": block(columns=["monthly"], min=0),
            "log1p": block(columns=["monthly"]),
            "standardize": block(columns=["monthly", "tenure"]),
            "one_hot": block(columns=["plan"], max_categories=10),
            "bucketize": block(columns=["age"], boundaries=[18, 35, 65]),
            "hash_buckets": block(columns=["zip"], buckets=100),
            "vocabulary": block(columns=["city"], max_size=1000, num_oov_buckets=0),
            "defaults": defaults(
                numeric={"fill": "median", "transform": "standardize"},
                string={"fill": "mode", "transform": "one_hot"},
            ),
        },
        {},
        id="every-step",
    ),
    pytest.param(
        {"fill": block(columns=["x"], method="meen")},
        {("fill", 0, "method"): 'unknown fill method "meen"; did you mean "mean"?'},
        id="fill-method-typo",
    ),
    pytest.param(
        {"fill": block(columns=["x"], method="constant")},
        {("fill", 0): 'method "constant" needs value'},
        id="constant-without-value",
    ),
    pytest.param(
        {"fill": block(columns=["x"], method="median", value=0)},
        {("fill", 0, "value"): 'value is only used with method = "constant"'},
        id="value-without-constant",
    ),
    pytest.param(
        {"fill": block(columns=["x"], method="constant", value=UNKNOWN)}, {}, id="unknown-constant"
    ),
    pytest.param(
        {"fill": block(columns=[], method="mean")},
        {("fill", 0, "columns"): "columns is empty"},
        id="no-columns",
    ),
    pytest.param(
        {"clip": block(columns=["x"])},
        {("clip", 0): "clip needs min, max or both"},
        id="clip-without-bounds",
    ),
    pytest.param({"clip": block(columns=["x"], max=UNKNOWN)}, {}, id="clip-unknown-bound"),
    pytest.param(
        {"clip": block(columns=["x"], min=5, max=1)},
        {("clip", 0, "min"): "greater than its max"},
        id="clip-min-above-max",
    ),
    pytest.param({"bucketize": block(columns=["x"], quantiles=4)}, {}, id="bucketize-quantiles"),
    pytest.param(
        {"bucketize": block(columns=["x"])},
        {("bucketize", 0): "exactly one of boundaries"},
        id="bucketize-neither",
    ),
    pytest.param(
        {"bucketize": block(columns=["x"], boundaries=[1], quantiles=4)},
        {("bucketize", 0): "not both"},
        id="bucketize-both",
    ),
    pytest.param(
        {"bucketize": block(columns=["x"], boundaries=[1, 5, 3])},
        {("bucketize", 0, "boundaries", 2): "boundaries must increase, but 3 follows 5"},
        id="boundaries-unsorted",
    ),
    pytest.param(
        {"bucketize": block(columns=["x"], quantiles=1)},
        {("bucketize", 0, "quantiles"): "at least 2"},
        id="one-quantile",
    ),
    pytest.param(
        {"hash_buckets": block(columns=["x"], buckets=0)},
        {("hash_buckets", 0, "buckets"): "at least 1"},
        id="no-buckets",
    ),
    pytest.param(
        {"one_hot": block(columns=["x"], max_categories=0.5)},
        {("one_hot", 0, "max_categories"): "whole number"},
        id="fractional-max-categories",
    ),
    pytest.param(
        {"defaults": defaults(numeric={"transform": "standardise"})},
        {("defaults", 0, "numeric", 0, "transform"): 'did you mean "standardize"?'},
        id="defaults-transform-typo",
    ),
    pytest.param(
        {"defaults": defaults(string={"fill": "constant"})},
        {("defaults", 0, "string", 0, "fill"): 'method = "constant"'},
        id="defaults-constant",
    ),
    pytest.param(
        {"defaults": defaults(string={"transform": "standardize"})},
        {("defaults", 0, "string", 0, "transform"): '"one_hot", "vocabulary" or "none"'},
        id="defaults-string-numeric-transform",
    ),
    pytest.param(
        {"standardize": block(columns=["monthly"]), "normalize": block(columns=["monthly"])},
        {("normalize", 0, "columns", 0): 'column "monthly" is in both standardize and normalize'},
        id="two-encodings",
    ),
    pytest.param(
        {
            "fill": blocks(
                {"columns": ["x"], "method": "mean"}, {"columns": ["x"], "method": "median"}
            )
        },
        {("fill", 1, "columns", 0): 'column "x" is named twice in fill blocks'},
        id="filled-twice",
    ),
    pytest.param(
        {
            "fill": block(columns=["x"], method="mean"),
            "log1p": block(columns=["x"]),
            "standardize": block(columns=["x"]),
        },
        {},
        id="steps-of-different-families",
    ),
    pytest.param(
        {"label": "churned", "one_hot": block(columns=["churned"])},
        {("one_hot", 0, "columns", 0): "is the split's label"},
        id="label-transformed",
    ),
    pytest.param(
        {"label": "churned", "fill": block(columns=["churned"], method="drop_rows")},
        {},
        id="label-rows-dropped",
    ),
]


@pytest.mark.parametrize(("changes", "expected"), RATIO + STRATEGY + CATEGORIES + PREPROCESSING)
def test_validate(changes: dict[str, Any], expected: dict[tuple[str | int, ...], str]) -> None:
    config = {name: value for name, value in {**MINIMAL, **changes}.items() if value is not None}
    assert_validate_errors(providers.split.provider, config, expected)


def test_strategy_conflicts_name_both_attributes() -> None:
    config = {**MINIMAL, "index_by": "a", "hash_by": "b", "stratify_by": "c"}
    messages = [d.message for d in validate_config(providers.split.provider, config)]
    assert len(messages) == 3
    assert all("remove" in message for message in messages)
