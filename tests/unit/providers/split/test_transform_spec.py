"""Which columns become features, which pass through, and the errors a split's preprocessing
gets for columns the dataset lacks or steps a column's type cannot take."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from mlform.sdk import BlockValue
from providers.problems import Problem
from providers.split.schema import SCHEMA
from providers.split.transform import TransformPlan, fit_transform_spec

CHURN = pa.schema(
    [
        ("customer_id", pa.int64()),
        ("tenure", pa.int32()),
        ("plan", pa.string()),
        ("monthly", pa.float64()),
        ("region", pa.dictionary(pa.int32(), pa.string())),
        ("signup", pa.date32()),
        ("premium", pa.bool_()),
        ("churned", pa.int64()),
    ]
)


def block(**config: Any) -> list[BlockValue]:
    return [BlockValue((), config)]


def blocks(*configs: dict[str, Any]) -> list[BlockValue]:
    return [BlockValue((), config) for config in configs]


def defaults(**groups: dict[str, Any]) -> list[BlockValue]:
    return [BlockValue((), {group: block(**settings) for group, settings in groups.items()})]


def plan(config: dict[str, Any], label: str | None = "churned") -> TransformPlan:
    """The plan as the split provider asks for it: the configuration with its defaults."""
    return fit_transform_spec(SCHEMA.block.with_defaults(config), CHURN, label)


def problems(config: dict[str, Any], label: str | None = "churned") -> dict[Any, str]:
    with pytest.raises(Problem) as raised:
        plan(config, label)
    return {d.path: d.message for d in raised.value.diagnostics}


def steps(transform: TransformPlan) -> dict[str, tuple[str, list[str]]]:
    return {c.name: (c.role.value, [s.name for s in c.steps]) for c in transform.columns}


def test_without_preprocessing_numbers_are_features_and_the_rest_is_left_out() -> None:
    transform = plan({})
    assert steps(transform) == {
        "customer_id": ("feature", []),
        "tenure": ("feature", []),
        "plan": ("passthrough", []),
        "monthly": ("feature", []),
        "region": ("passthrough", []),
        "signup": ("passthrough", []),
        "premium": ("feature", []),
        "churned": ("label", []),
    }
    assert transform.dropped == ["plan", "region", "signup"]


def test_without_a_label_a_numeric_label_column_is_just_a_feature() -> None:
    assert steps(plan({}, label=None))["churned"] == ("feature", [])


def test_defaults_cover_the_columns_no_block_names_but_never_the_label() -> None:
    transform = plan(
        {
            "fill": block(columns=["monthly"], method="median"),
            "defaults": defaults(
                numeric={"fill": "mean", "transform": "standardize"},
                string={"fill": "mode", "transform": "one_hot"},
            ),
        }
    )
    assert steps(transform) == {
        "customer_id": ("feature", ["fill", "standardize"]),
        "tenure": ("feature", ["fill", "standardize"]),
        "plan": ("feature", ["fill", "one_hot"]),
        "monthly": ("feature", ["fill"]),
        "region": ("feature", ["fill", "one_hot"]),
        "signup": ("passthrough", []),
        "premium": ("feature", ["fill", "standardize"]),
        "churned": ("label", []),
    }
    assert transform.dropped == ["signup"]
    fill = transform.columns[0].fill
    assert fill is not None and fill.path == ("defaults", 0, "numeric", 0, "fill")


def test_defaults_log1p_and_vocabulary() -> None:
    transform = plan(
        {"defaults": defaults(numeric={"transform": "log1p"}, string={"transform": "vocabulary"})}
    )
    assert steps(transform)["monthly"] == ("feature", ["log1p"])
    assert steps(transform)["plan"] == ("feature", ["vocabulary"])
    encoding = transform.columns[2].encoding
    assert encoding is not None and encoding.settings == {"num_oov_buckets": 1}


def test_strings_left_out_on_purpose_are_not_warned_about() -> None:
    transform = plan({"defaults": defaults(string={"fill": "mode", "transform": "none"})})
    assert transform.dropped == ["signup"]
    assert steps(transform)["plan"] == ("passthrough", ["fill"])


def test_a_string_column_only_filled_is_kept_beside_the_features_without_warning() -> None:
    transform = plan({"fill": block(columns=["region"], method="mode")})
    assert steps(transform)["region"] == ("passthrough", ["fill"])
    assert transform.dropped == ["plan", "signup"]


def test_the_label_may_be_filled() -> None:
    transform = plan({"fill": block(columns=["churned"], method="drop_rows")})
    assert steps(transform)["churned"] == ("label", ["fill"])


def test_steps_compose_in_family_order_whatever_the_block_order() -> None:
    transform = plan(
        {
            "standardize": block(columns=["monthly"]),
            "log1p": block(columns=["monthly"]),
            "clip": block(columns=["monthly"], min=0),
            "fill": block(columns=["monthly"], method="mean"),
        }
    )
    assert steps(transform)["monthly"] == ("feature", ["fill", "clip", "log1p", "standardize"])
    assert [s.path for s in transform.columns[3].steps] == [
        ("fill", 0, "columns", 0),
        ("clip", 0, "columns", 0),
        ("log1p", 0, "columns", 0),
        ("standardize", 0, "columns", 0),
    ]


ERRORS = [
    pytest.param(
        {"standardize": block(columns=["tenure", "montly"])},
        {("standardize", 0, "columns", 1): 'column "montly" is not in the dataset; did you mean '
         '"monthly"?'},
        id="unknown-column-typo",
    ),
    pytest.param(
        {"fill": block(columns=["zzz"], method="mean")},
        {("fill", 0, "columns", 0): 'not in the dataset; its columns are "customer_id", '
         '"tenure", "plan"'},
        id="unknown-column-listed",
    ),
    pytest.param(
        {"standardize": block(columns=["plan"])},
        {("standardize", 0, "columns", 0): 'standardize needs numbers, but column "plan" holds '
         "strings; encode it with one_hot, vocabulary or hash_buckets instead"},
        id="standardize-string",
    ),
    pytest.param(
        {"normalize": block(columns=["signup"])},
        {("normalize", 0, "columns", 0): "neither numbers nor strings; remove it from normalize"},
        id="normalize-date",
    ),
    pytest.param(
        {"log1p": block(columns=["plan"]), "clip": block(columns=["region"], max=3)},
        {
            ("log1p", 0, "columns", 0): 'log1p needs numbers, but column "plan" holds strings',
            ("clip", 0, "columns", 0): 'clip needs numbers, but column "region" holds strings',
        },
        id="log1p-and-clip-strings",
    ),
    pytest.param(
        {"bucketize": block(columns=["region"], quantiles=4)},
        {("bucketize", 0, "columns", 0): "bucketize needs numbers"},
        id="bucketize-string",
    ),
    pytest.param(
        {"one_hot": block(columns=["plan", "monthly"])},
        {("one_hot", 0, "columns", 1): 'one_hot encodes strings, integers or booleans, but '
         'column "monthly" holds numbers; bucketize it instead'},
        id="one-hot-float",
    ),
    pytest.param(
        {"vocabulary": block(columns=["signup"])},
        {("vocabulary", 0, "columns", 0): "vocabulary encodes strings, integers or booleans"},
        id="vocabulary-date",
    ),
    pytest.param(
        {"fill": blocks({"columns": ["plan"], "method": "mean"},
                        {"columns": ["region"], "method": "max"})},
        {
            ("fill", 0, "columns", 0): 'fill method "mean" needs numbers, but column "plan" '
            'holds strings; use "mode", "constant" or "drop_rows"',
            ("fill", 1, "columns", 0): 'fill method "max" needs numbers',
        },
        id="mean-and-max-of-strings",
    ),
    pytest.param(
        {"fill": block(columns=["tenure"], method="median"), "one_hot": block(columns=["tenure"])},
        {("fill", 0, "columns", 0): "one_hot encodes its values as categories; use"},
        id="median-of-categories",
    ),
    pytest.param(
        {"fill": block(columns=["signup"], method="mode")},
        {("fill", 0, "columns", 0): 'use "ffill", "bfill" or "drop_rows"'},
        id="mode-of-dates",
    ),
    pytest.param(
        {"fill": block(columns=["plan"], method="constant", value=0)},
        {("fill", 0, "columns", 0): 'column "plan" holds strings, so its fill value must be a '
         "string, not 0"},
        id="constant-number-for-strings",
    ),
    pytest.param(
        {"fill": block(columns=["monthly"], method="constant", value="none")},
        {("fill", 0, "columns", 0): "must be a number, not 'none'"},
        id="constant-string-for-numbers",
    ),
    pytest.param(
        {"fill": block(columns=["tenure"], method="constant", value=1.5),
         "vocabulary": block(columns=["tenure"])},
        {("fill", 0, "columns", 0): "must be a whole number, not 1.5"},
        id="constant-fraction-for-integer-categories",
    ),
    pytest.param(
        {"clip": block(columns=["tenure"], max=24), "one_hot": block(columns=["tenure"])},
        {("clip", 0, "columns", 0): "clip works on numbers, but column \"tenure\" is encoded "
         "as categories by one_hot; remove it from clip"},
        id="clip-before-one-hot",
    ),
    pytest.param(
        {"standardize": block(columns=["churned"]), "fill": block(columns=["churned"],
                                                                   method="mean")},
        {("standardize", 0, "columns", 0): "is the split's label, which passes through to the "
         "model unchanged; remove it from standardize"},
        id="label-transformed",
    ),
    pytest.param(
        {"standardize": block(columns=["monthly"]), "normalize": block(columns=["monthly"])},
        {("normalize", 0, "columns", 0): 'column "monthly" is in both standardize and normalize'},
        id="two-encodings",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("config", "expected"), ERRORS)
def test_errors_point_at_the_column_entry(config: dict[str, Any], expected: dict[Any, str]) -> None:
    found = problems(config)
    assert sorted(found) == sorted(expected), found
    for path, message in expected.items():
        assert message in found[path]


def test_a_label_the_dataset_lacks() -> None:
    assert problems({}, label="churn") == {
        ("label",): 'column "churn" is not in the dataset; did you mean "churned"?'
    }


def test_every_error_is_reported_at_once() -> None:
    found = problems(
        {
            "standardize": block(columns=["plan", "nope", "monthly"]),
            "one_hot": block(columns=["monthly"]),
        }
    )
    assert sorted(found) == [
        ("one_hot", 0, "columns", 0),
        ("standardize", 0, "columns", 0),
        ("standardize", 0, "columns", 1),
    ]
    assert "is in both standardize and one_hot" in found[("one_hot", 0, "columns", 0)]
    assert 'column "nope" is not in the dataset' in found[("standardize", 0, "columns", 1)]


def test_bools_and_integers_take_categorical_encodings() -> None:
    transform = plan(
        {
            "one_hot": block(columns=["premium"]),
            "hash_buckets": block(columns=["customer_id"], buckets=8),
            "fill": block(columns=["premium"], method="constant", value=False),
        }
    )
    assert steps(transform)["premium"] == ("feature", ["fill", "one_hot"])
    assert steps(transform)["customer_id"] == ("feature", ["hash_buckets"])
