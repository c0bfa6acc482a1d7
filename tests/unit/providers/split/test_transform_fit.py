"""Each fill and transform fitted on a train part and applied to other parts, checked against
scikit-learn, pandas and numpy doing the same, with missing values on both sides."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import (
    KBinsDiscretizer,
    MinMaxScaler,
    OneHotEncoder,
    StandardScaler,
)

from mlform.sdk import BlockValue
from providers.problems import Problem
from providers.split.schema import SCHEMA
from providers.split.transform import FittedTransform, fit_transform_spec

RNG = np.random.default_rng(7)


def block(**config: Any) -> list[BlockValue]:
    return [BlockValue((), config)]


def blocks(*configs: dict[str, Any]) -> list[BlockValue]:
    return [BlockValue((), config) for config in configs]


def fit(config: dict[str, Any], train: pa.Table, label: str | None = None) -> FittedTransform:
    plan = fit_transform_spec(SCHEMA.block.with_defaults(config), train.schema, label)
    return plan.fit(train)


def column(transform: FittedTransform, table: pa.Table, name: str) -> np.ndarray:
    features, _ = transform.apply(table)
    return features.column(name).to_numpy()


def numbers(size: int, missing: float = 0.1, scale: float = 10.0) -> np.ndarray:
    x = RNG.normal(50, scale, size)
    x[RNG.random(size) < missing] = np.nan
    return x


def categories(values: list[Any], size: int, missing: float = 0.1) -> list[Any]:
    picked = [values[i] for i in RNG.integers(0, len(values), size)]
    return [None if RNG.random() < missing else value for value in picked]


@pytest.fixture(scope="module")
def parts() -> tuple[pa.Table, pa.Table]:
    """A train and a test part of numbers with missing values."""
    return pa.table({"x": numbers(500), "y": numbers(500)}), pa.table(
        {"x": numbers(200), "y": numbers(200)}
    )


# --- fills -------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["mean", "median", "most_frequent", "constant"])
def test_numeric_fills_match_simple_imputer(method: str, parts: tuple[pa.Table, pa.Table]) -> None:
    train, test = parts
    if method == "most_frequent":  # rounded, so that some values repeat (ties: the smallest)
        train = pa.table({"x": np.round(train["x"].to_numpy(zero_copy_only=False) / 5)})
        test = pa.table({"x": np.round(test["x"].to_numpy(zero_copy_only=False) / 5)})
    ours = {"most_frequent": "mode"}.get(method, method)
    settings = {"value": -1.5} if method == "constant" else {}
    transform = fit({"fill": block(columns=["x"], method=ours, **settings)}, train.select(["x"]))
    imputer = SimpleImputer(strategy=method, fill_value=-1.5)
    imputer.fit(train.select(["x"]).to_pandas())
    for part in (train, test):
        expected = imputer.transform(part.select(["x"]).to_pandas())[:, 0]
        np.testing.assert_array_equal(column(transform, part.select(["x"]), "x"), expected)
    assert transform.statistics["x"] == {"fill": ours, "fill_value": imputer.statistics_[0]}


@pytest.mark.parametrize("method", ["min", "max"])
def test_min_and_max_fills_match_pandas(method: str, parts: tuple[pa.Table, pa.Table]) -> None:
    train, test = parts
    transform = fit({"fill": block(columns=["x"], method=method)}, train.select(["x"]))
    value = getattr(train.to_pandas()["x"], method)()
    expected = test.to_pandas()["x"].fillna(value).to_numpy()
    np.testing.assert_array_equal(column(transform, test.select(["x"]), "x"), expected)


@pytest.mark.parametrize("method", ["ffill", "bfill"])
def test_ffill_and_bfill_follow_row_order_and_fall_back_on_the_train_value(method: str) -> None:
    train = pa.table({"x": [None, 1.0, None, 3.0, None, 4.0, None]})
    test = pa.table({"x": [None, None, 7.0, None, 8.0, None]})
    transform = fit({"fill": block(columns=["x"], method=method)}, train)
    fallback = 4.0 if method == "ffill" else 1.0  # the last (first) train value
    assert transform.statistics["x"] == {"fill": method, "fallback": fallback}
    for part in (train, test):
        filled = getattr(part.to_pandas()["x"], method)().fillna(fallback).to_numpy()
        np.testing.assert_array_equal(column(transform, part, "x"), filled)


def test_drop_rows_removes_rows_before_any_statistic_is_fitted() -> None:
    train = pa.table({"x": [1.0, 2.0, None, 4.0, 100.0], "y": [1.0, None, 5.0, 3.0, None]})
    transform = fit(
        {
            "fill": block(columns=["y"], method="drop_rows"),
            "standardize": block(columns=["x"]),
        },
        train,
    )
    kept = train.to_pandas().dropna(subset=["y"])
    scaler = StandardScaler().fit(kept[["x"]])
    features, mask = transform.apply(train)
    np.testing.assert_array_equal(mask, [True, False, True, True, False])
    assert features.column_names == ["x", "y"]
    np.testing.assert_allclose(
        features["x"].to_numpy(), scaler.transform(kept[["x"]])[:, 0], rtol=1e-12
    )
    np.testing.assert_array_equal(features["y"].to_numpy(), [1.0, 5.0, 3.0])
    assert transform.apply(pa.table({"x": [1.0], "y": [2.0]}))[1] is None


def test_string_fills_mode_and_constant_match_simple_imputer() -> None:
    train = pa.table({"plan": ["pro", None, "basic", "pro", "basic", None, "team"]})
    test = pa.table({"plan": [None, "gold", "basic"]})
    for method, settings, strategy in [
        ("mode", {}, "most_frequent"),
        ("constant", {"value": "none"}, "constant"),
    ]:
        transform = fit(
            {
                "fill": block(columns=["plan"], method=method, **settings),
                "one_hot": block(columns=["plan"], other=False),
            },
            train,
        )
        imputer = SimpleImputer(strategy=strategy, fill_value="none", missing_values=None)
        frame, test_frame = _frames(train, test)
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
        encoder.fit(imputer.fit_transform(frame))
        expected = encoder.transform(imputer.transform(test_frame))
        features, _ = transform.apply(test)
        np.testing.assert_array_equal(np.column_stack(features.columns), expected)
        assert transform.statistics["plan"]["fill_value"] == imputer.statistics_[0]


def test_a_fill_with_no_train_values_is_a_problem_at_its_column() -> None:
    train = pa.table({"a": [1.0, 2.0], "x": pa.array([None, None], pa.float64())})
    plan = fit_transform_spec(
        {"fill": block(columns=["a", "x"], method="median")}, train.schema, None
    )
    with pytest.raises(Problem) as raised:
        plan.fit(train)
    [problem] = raised.value.diagnostics
    assert problem.path == ("fill", 0, "columns", 1)
    assert 'column "x" has no values in the train part to take the median of' in problem.message


# --- numeric transforms -------------------------------------------------------------------


def test_standardize_matches_standard_scaler(parts: tuple[pa.Table, pa.Table]) -> None:
    train, test = parts
    transform = fit({"standardize": block(columns=["x", "y"])}, train)
    scaler = StandardScaler().fit(train.to_pandas())
    features, _ = transform.apply(test)
    np.testing.assert_allclose(
        np.column_stack(features.columns), scaler.transform(test.to_pandas()), rtol=1e-12
    )
    assert np.isnan(features["x"].to_numpy()).sum() == np.isnan(test["x"].to_numpy()).sum()
    stats = transform.statistics["x"]
    assert stats["mean"] == pytest.approx(scaler.mean_[0], rel=1e-14)
    assert stats["std"] == pytest.approx(scaler.scale_[0], rel=1e-14)


def test_normalize_matches_min_max_scaler(parts: tuple[pa.Table, pa.Table]) -> None:
    train, test = parts
    transform = fit({"normalize": block(columns=["x", "y"])}, train)
    scaler = MinMaxScaler().fit(train.to_pandas())
    features, _ = transform.apply(test)
    np.testing.assert_allclose(
        np.column_stack(features.columns), scaler.transform(test.to_pandas()), rtol=1e-12
    )
    assert transform.statistics["x"] == {
        "transform": "normalize",
        "min": scaler.data_min_[0],
        "max": scaler.data_max_[0],
    }


@pytest.mark.parametrize(("step", "scaler"), [("standardize", StandardScaler),
                                              ("normalize", MinMaxScaler)])  # fmt: skip
def test_a_constant_column_scales_by_one(step: str, scaler: type) -> None:
    train = pa.table({"x": [0.1, 0.1, 0.1, None]})
    test = pa.table({"x": [0.1, 0.3, None]})
    transform = fit({step: block(columns=["x"])}, train)
    expected = scaler().fit(train.to_pandas()).transform(test.to_pandas())[:, 0]
    got = column(transform, test, "x")
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    assert got[0] == 0.0  # exactly: scikit-learn's mean of 0.1, 0.1, 0.1 is off by an ulp


def test_clip_then_log1p_match_numpy() -> None:
    train = pa.table({"x": [-5.0, 0.0, 3.5, None, 1e6]})
    transform = fit(
        {"clip": block(columns=["x"], min=0, max=1000), "log1p": block(columns=["x"])}, train
    )
    expected = np.log1p(np.clip(train["x"].to_numpy(zero_copy_only=False), 0, 1000))
    np.testing.assert_array_equal(column(transform, train, "x"), expected)
    assert transform.statistics["x"] == {"clip_min": 0, "clip_max": 1000, "log1p": True}


def test_fill_clip_log1p_and_standardize_compose_in_that_order(
    parts: tuple[pa.Table, pa.Table],
) -> None:
    train, test = parts
    transform = fit(
        {
            "standardize": block(columns=["x"]),
            "log1p": block(columns=["x"]),
            "clip": block(columns=["x"], max=60),
            "fill": block(columns=["x"], method="median"),
        },
        train.select(["x"]),
    )
    frame = train.select(["x"]).to_pandas()
    median = frame["x"].median()
    steps = np.log1p(np.clip(frame.fillna(median), None, 60))
    scaler = StandardScaler().fit(steps)
    expected = scaler.transform(np.log1p(np.clip(test.select(["x"]).to_pandas().fillna(median),
                                                 None, 60)))[:, 0]  # fmt: skip
    np.testing.assert_allclose(column(transform, test.select(["x"]), "x"), expected, rtol=1e-12)


def test_log1p_of_minus_one_or_less_is_a_problem_naming_the_column() -> None:
    config = {"log1p": block(columns=["a", "x"])}
    train = pa.table({"a": [1.0, 2.0], "x": [3.0, -1.0]})
    plan = fit_transform_spec(config, train.schema, None)
    with pytest.raises(Problem) as raised:
        plan.fit(train)
    [problem] = raised.value.diagnostics
    assert problem.path == ("log1p", 0, "columns", 1)
    assert 'column "x" has the value -1 in the train part' in problem.message
    assert "clip it first" in problem.message
    transform = fit(config, pa.table({"a": [1.0, 2.0], "x": [3.0, 0.0]}))
    with pytest.raises(Problem) as raised:
        transform.apply(pa.table({"a": [1.0], "x": [-2.0]}))
    assert raised.value.diagnostics[0].path == ("log1p", 0, "columns", 1)


def test_bucketize_by_boundaries_matches_digitize() -> None:
    x = np.array([10.0, 18.0, 20.0, 35.0, 64.9, 65.0, 90.0, np.nan])
    transform = fit({"bucketize": block(columns=["age"], boundaries=[18, 35, 65])},
                    pa.table({"age": x}))  # fmt: skip
    got = column(transform, pa.table({"age": x}), "age")
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got[:-1], np.digitize(x[:-1], [18, 35, 65], right=False))
    assert got[-1] == 4  # missing values get a bucket of their own, after the last one
    assert transform.statistics["age"] == {
        "transform": "bucketize",
        "boundaries": [18, 35, 65],
        "buckets": 4,
        "missing_bucket": 4,
    }


@pytest.mark.parametrize("boundaries", [3, 40])  # few: compared; many: searchsorted
def test_bucketize_by_quantiles_matches_numpy_and_kbins(boundaries: int) -> None:
    quantiles = boundaries + 1
    train_x, test_x = RNG.normal(0, 1, 1001), RNG.normal(0, 1.5, 300)
    transform = fit({"bucketize": block(columns=["x"], quantiles=quantiles)},
                    pa.table({"x": train_x}))  # fmt: skip
    edges = np.quantile(train_x, np.linspace(0, 1, quantiles + 1)[1:-1])
    assert transform.statistics["x"]["boundaries"] == pytest.approx(list(edges), rel=0, abs=0)
    got = column(transform, pa.table({"x": test_x}), "x")
    np.testing.assert_array_equal(got, np.digitize(test_x, edges))
    kbins = KBinsDiscretizer(
        n_bins=quantiles, encode="ordinal", strategy="quantile", quantile_method="linear"
    ).fit(train_x.reshape(-1, 1))
    np.testing.assert_array_equal(got, kbins.transform(test_x.reshape(-1, 1))[:, 0])


def test_bucketize_quantiles_drop_duplicate_boundaries() -> None:
    x = np.array([1.0] * 80 + [2.0, 3.0, 4.0] * 5 + [np.nan] * 5)
    transform = fit({"bucketize": block(columns=["x"], quantiles=4)}, pa.table({"x": x}))
    assert transform.statistics["x"]["boundaries"] == [1.0]


def test_numbers_named_by_nothing_are_float64_features_with_nan() -> None:
    train = pa.table(
        {
            "n": pa.array([1, None, 3], pa.int32()),
            "b": pa.array([True, None, False]),
            "d": pa.array(["1.5", None, "2"], pa.string()).cast(pa.decimal128(5, 2)),
        }
    )
    features, _ = fit({}, train).apply(train)
    assert features.schema.types == [pa.float64()] * 3
    np.testing.assert_array_equal(features["n"].to_numpy(), [1.0, np.nan, 3.0])
    np.testing.assert_array_equal(features["b"].to_numpy(), [1.0, np.nan, 0.0])
    np.testing.assert_array_equal(features["d"].to_numpy(), [1.5, np.nan, 2.0])


# --- categorical encodings ----------------------------------------------------------------

PLANS = ["basic", "pro", "team", "enterprise", "free"]


def _frames(*tables: pa.Table) -> list[pd.DataFrame]:
    return [table.to_pandas().astype(object).replace({np.nan: None}) for table in tables]


def test_one_hot_without_other_matches_one_hot_encoder_ignoring_unknowns() -> None:
    train = pa.table({"plan": categories(PLANS[:4], 300)})
    test = pa.table({"plan": categories(PLANS, 100)})  # "free" is never seen in train
    transform = fit({"one_hot": block(columns=["plan"], other=False)}, train)
    encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    frame, test_frame = _frames(train, test)
    encoder.fit(frame)
    features, _ = transform.apply(test)
    assert features.column_names == [
        "plan=basic", "plan=enterprise", "plan=pro", "plan=team", "plan=__missing__"
    ]  # fmt: skip
    assert features.schema.types == [pa.uint8()] * 5
    np.testing.assert_array_equal(np.column_stack(features.columns),
                                  encoder.transform(test_frame))  # fmt: skip


def test_one_hot_max_categories_matches_infrequent_if_exist() -> None:
    counts = {"basic": 50, "pro": 40, "team": 30, "enterprise": 3, "free": 2}
    train_values = [plan for plan, count in counts.items() for _ in range(count)]
    train = pa.table({"plan": [train_values[i] for i in RNG.permutation(len(train_values))]})
    test = pa.table({"plan": ["basic", "free", "gold", "team", "enterprise", "pro"]})
    transform = fit({"one_hot": block(columns=["plan"], max_categories=3)}, train)
    # scikit-learn counts the infrequent category in max_categories; mlform counts `other` apart
    encoder = OneHotEncoder(
        handle_unknown="infrequent_if_exist", max_categories=4, sparse_output=False
    )
    frame, test_frame = _frames(train, test)
    encoder.fit(frame)
    features, _ = transform.apply(test)
    assert features.column_names == ["plan=basic", "plan=pro", "plan=team", "plan=__other__"]
    np.testing.assert_array_equal(np.column_stack(features.columns),
                                  encoder.transform(test_frame))  # fmt: skip


def test_one_hot_missing_is_a_category_only_when_train_has_it() -> None:
    train = pa.table({"plan": ["a", "b", "a"]})
    transform = fit({"one_hot": block(columns=["plan"])}, train)
    features, _ = transform.apply(pa.table({"plan": ["a", None, "z"]}))
    assert features.column_names == ["plan=a", "plan=b", "plan=__other__"]
    np.testing.assert_array_equal(np.column_stack(features.columns),
                                  [[1, 0, 0], [0, 0, 1], [0, 0, 1]])  # fmt: skip
    assert transform.statistics["plan"] == {
        "transform": "one_hot",
        "categories": ["a", "b"],
        "missing_category": False,
        "other": True,
    }


def test_one_hot_of_integers_and_booleans() -> None:
    train = pa.table({"n": pa.array([3, 1, None, 3], pa.int16()), "b": [True, False, True, None]})
    transform = fit({"one_hot": block(columns=["n", "b"], other=False)}, train)
    features, _ = transform.apply(train)
    assert features.column_names == [
        "n=1", "n=3", "n=__missing__", "b=false", "b=true", "b=__missing__"
    ]  # fmt: skip
    np.testing.assert_array_equal(
        np.column_stack(features.columns),
        [[0, 1, 0, 0, 1, 0], [1, 0, 0, 1, 0, 0], [0, 0, 1, 0, 1, 0], [0, 1, 0, 0, 0, 1]],
    )


def _blake2b(text: str, buckets: int) -> int:
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") % buckets


def test_vocabulary_indexes_by_frequency_and_hashes_the_rest() -> None:
    train = pa.table({"city": ["b", "a", "c", "a", "b", None, "a", "d", None]})
    transform = fit({"vocabulary": block(columns=["city"], max_size=3, num_oov_buckets=5)},
                    train)  # fmt: skip
    # a: 3, then b and None: 2 (a value before a missing one on a tie), then c, d: 1
    assert transform.to_json()["columns"][0]["encoding"]["values"] == ["a", "b", None]
    test = pa.table({"city": ["a", None, "b", "c", "zzz"]})
    got = column(transform, test, "city")
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, [0, 2, 1, 3 + _blake2b("c", 5), 3 + _blake2b("zzz", 5)])
    assert transform.statistics["city"] == {
        "transform": "vocabulary",
        "vocabulary_size": 3,
        "num_oov_buckets": 5,
        "indices": 8,
    }


def test_vocabulary_ties_by_value_and_without_oov_buckets() -> None:
    train = pa.table({"n": pa.array([5, 2, 9, 2, 5], pa.int64())})
    transform = fit({"vocabulary": block(columns=["n"], num_oov_buckets=0)}, train)
    got = column(transform, pa.table({"n": pa.array([9, 2, 5, 7, None], pa.int64())}), "n")
    np.testing.assert_array_equal(got, [2, 0, 1, -1, -1])


def test_vocabulary_missing_not_seen_in_train_hashes_as_empty_text() -> None:
    transform = fit({"vocabulary": block(columns=["s"])}, pa.table({"s": ["x", "y"]}))
    np.testing.assert_array_equal(column(transform, pa.table({"s": [None, "y"]}), "s"), [2, 1])


def test_hash_buckets_use_blake2b_of_the_text() -> None:
    train = pa.table({"zip": ["10115", None, "75001"], "n": pa.array([7, -3, None], pa.int8()),
                      "b": [True, False, None]})  # fmt: skip
    transform = fit({"hash_buckets": block(columns=["zip", "n", "b"], buckets=1000)}, train)
    features, _ = transform.apply(train)
    assert features.to_pydict() == {
        "zip": [_blake2b("10115", 1000), _blake2b("", 1000), _blake2b("75001", 1000)],
        "n": [_blake2b("7", 1000), _blake2b("-3", 1000), _blake2b("", 1000)],
        "b": [_blake2b("true", 1000), _blake2b("false", 1000), _blake2b("", 1000)],
    }


# --- columns, label, passthrough ----------------------------------------------------------


def churn() -> pa.Table:
    return pa.table(
        {
            "tenure": pa.array([12, 0, 5, None, 2, 18], pa.int64()),
            "plan": ["basic", "pro", None, "pro", "basic", "team"],
            "monthly": [19.5, None, 29.0, 49.9, 19.5, 45.0],
            "region": ["north", "south", "north", "east", None, "south"],
            "signup": pa.array([1, 2, None, 4, 5, 6], pa.int64()).cast(pa.timestamp("s")),
            "churned": pa.array([0, 1, None, 0, 1, 0], pa.int64()),
        }
    )


def test_features_passthrough_and_statistics_of_a_whole_split() -> None:
    transform = fit(
        {
            "fill": blocks(
                {"columns": ["monthly"], "method": "mean"},
                {"columns": ["churned"], "method": "drop_rows"},
            ),
            "standardize": block(columns=["monthly"]),
            "one_hot": block(columns=["plan"]),
        },
        churn(),
        label="churned",
    )
    # the one row without a plan has no label either: dropped, so missing is no category
    assert transform.features == [
        "tenure", "plan=basic", "plan=pro", "plan=team", "plan=__other__", "monthly"
    ]  # fmt: skip
    assert transform.passthrough == ["plan", "region", "signup", "churned"]
    monthly = transform.statistics["monthly"]
    kept = [19.5, None, 49.9, 19.5, 45.0]  # the row without a label is dropped first
    assert monthly["fill_value"] == pytest.approx(np.mean([v for v in kept if v is not None]))
    assert set(transform.statistics) == {"plan", "monthly", "churned"}
    assert transform.statistics["churned"] == {"fill": "drop_rows"}
    features, mask = transform.apply(churn(), passthrough=True)
    np.testing.assert_array_equal(mask, [True, True, False, True, True, True])
    assert features.column_names == [*transform.features, *transform.passthrough]
    assert features["region"].to_pylist() == ["north", "south", "east", None, "south"]
    assert features["churned"].to_pylist() == [0, 1, 0, 1, 0]
    assert features.num_rows == 5


def test_the_label_is_filled_in_its_own_type_when_passed_through() -> None:
    transform = fit(
        {"fill": blocks({"columns": ["churned"], "method": "mode"},
                        {"columns": ["region"], "method": "ffill"})},
        churn(),
        label="churned",
    )  # fmt: skip
    features, mask = transform.apply(churn(), passthrough=True)
    assert mask is None
    assert features.schema.field("churned").type == pa.int64()
    assert features["churned"].to_pylist() == [0, 1, 0, 0, 1, 0]
    assert features["region"].to_pylist() == ["north", "south", "north", "east", "east", "south"]


def test_a_label_filled_with_a_fraction_is_a_problem() -> None:
    plan = fit_transform_spec({"fill": block(columns=["churned"], method="mean")},
                              churn().schema, "churned")  # fmt: skip
    with pytest.raises(Problem) as raised:
        plan.fit(churn())
    assert raised.value.diagnostics[0].path == ("fill", 0, "columns", 0)
    assert 'gives 0.4 for column "churned", which holds integers' in str(raised.value)


def test_dates_can_be_filled_forward_as_passthrough() -> None:
    transform = fit({"fill": block(columns=["signup"], method="ffill")}, churn())
    features, _ = transform.apply(churn(), passthrough=True)
    assert features["signup"].cast(pa.int64()).to_pylist() == [1, 2, 2, 4, 5, 6]
    assert transform.statistics["signup"] == {"fill": "ffill", "fallback": "1970-01-01 00:00:06"}


def test_two_columns_giving_one_feature_name_is_a_problem() -> None:
    train = pa.table({"plan": ["a", "b"], "plan=a": [1.0, 2.0]})
    plan = fit_transform_spec({"one_hot": block(columns=["plan"])}, train.schema, None)
    with pytest.raises(Problem, match='both give a feature named "plan=a"'):
        plan.fit(train)


def test_chunked_and_dictionary_columns_give_the_same_features() -> None:
    values = categories(PLANS, 50)
    plain = pa.table({"plan": values, "x": numbers(50)})
    chunked = pa.Table.from_batches(plain.to_batches(max_chunksize=7))
    dictionary = plain.set_column(0, "plan", plain["plan"].dictionary_encode())
    config = {"one_hot": block(columns=["plan"]), "standardize": block(columns=["x"])}
    expected, _ = fit(config, plain).apply(plain)
    for table in (chunked, dictionary):
        got, _ = fit(config, table).apply(table)
        assert got.schema == expected.schema
        for name in expected.column_names:  # NaN for NaN: Arrow's equals says NaN != NaN
            np.testing.assert_array_equal(got[name].to_numpy(), expected[name].to_numpy())


def test_a_decimal_label_is_filled_in_its_own_type() -> None:
    train = pa.table(
        {"x": [1.0, 2.0, 3.0], "price": pa.array(["1.25", None, "2.50"]).cast(pa.decimal128(5, 2))}
    )
    transform = fit({"fill": block(columns=["price"], method="mean")}, train, label="price")
    features, _ = transform.apply(train, passthrough=True)
    assert features.schema.field("price").type == pa.decimal128(5, 2)
    assert [str(v) for v in features["price"].to_pylist()] == ["1.25", "1.88", "2.50"]
