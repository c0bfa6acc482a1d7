"""A fitted transform stored as JSON and served: the same bytes for the same fit, and a
served row gets exactly the features its twin in a part got."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlform.sdk import BlockValue
from providers.problems import Problem
from providers.split.schema import SCHEMA
from providers.split.transform import FittedTransform, ServingError, fit_transform_spec


def block(**config: Any) -> list[BlockValue]:
    return [BlockValue((), config)]


def blocks(*configs: dict[str, Any]) -> list[BlockValue]:
    return [BlockValue((), config) for config in configs]


def defaults(**groups: dict[str, Any]) -> list[BlockValue]:
    return [BlockValue((), {group: block(**settings) for group, settings in groups.items()})]


def fit(config: dict[str, Any], train: pa.Table, label: str | None = None) -> FittedTransform:
    plan = fit_transform_spec(SCHEMA.block.with_defaults(config), train.schema, label)
    return plan.fit(train)


def assert_same_features(got: pa.Table, expected: pa.Table) -> None:
    """The same names, types and values, NaN where NaN (Arrow's equals says NaN != NaN)."""
    assert got.schema == expected.schema
    for name in expected.column_names:
        np.testing.assert_array_equal(got[name].to_numpy(), expected[name].to_numpy(), name)


RNG = np.random.default_rng(11)


def customers(rows: int, plans: list[str]) -> pa.Table:
    def gaps(values: list[Any]) -> list[Any]:
        return [None if RNG.random() < 0.15 else v for v in values]

    return pa.table(
        {
            "id": pa.array(range(rows), pa.int64()),
            "tenure": pa.array(gaps(RNG.integers(0, 60, rows).tolist()), pa.int32()),
            "monthly": pa.array(gaps(RNG.gamma(2, 30, rows).tolist()), pa.float64()),
            "usage": pa.array(gaps((RNG.normal(0, 2, rows)).tolist()), pa.float32()),
            "plan": gaps([plans[i] for i in RNG.integers(0, len(plans), rows)]),
            "city": gaps([f"city{i}" for i in RNG.zipf(1.5, rows) % 40]),
            "zip": gaps([f"{i:05d}" for i in RNG.integers(0, 99999, rows)]),
            "premium": pa.array(gaps(RNG.random(rows).__lt__(0.3).tolist()), pa.bool_()),
            "age": pa.array(gaps(RNG.integers(18, 90, rows).tolist()), pa.int64()),
            "note": gaps(["a note"] * rows),
            "churned": pa.array(RNG.integers(0, 2, rows), pa.int64()),
        }
    )


EVERY_STEP = {
    "fill": blocks(
        {"columns": ["tenure", "usage"], "method": "median"},
        {"columns": ["monthly"], "method": "mean"},
        {"columns": ["plan"], "method": "mode"},
        {"columns": ["premium"], "method": "constant", "value": False},
        {"columns": ["age"], "method": "max"},
    ),
    "clip": block(columns=["monthly"], min=0, max=150),
    "log1p": block(columns=["monthly"]),
    "standardize": block(columns=["monthly", "usage"]),
    "normalize": block(columns=["tenure"]),
    "bucketize": blocks(
        {"columns": ["age"], "quantiles": 5}, {"columns": ["id"], "boundaries": [10, 100]}
    ),
    "one_hot": blocks(
        {"columns": ["plan"], "max_categories": 3}, {"columns": ["premium"], "other": False}
    ),
    "vocabulary": block(columns=["city"], max_size=10, num_oov_buckets=3),
    "hash_buckets": block(columns=["zip"], buckets=50),
}


@pytest.fixture(scope="module")
def served() -> tuple[FittedTransform, pa.Table, pa.Table]:
    train = customers(400, ["basic", "pro", "team", "enterprise"])
    test = customers(150, ["basic", "pro", "team", "gold", "free"])  # unseen plans
    return fit(EVERY_STEP, train, label="churned"), train, test


def test_every_served_row_gets_the_features_of_its_twin_in_the_part(
    served: tuple[FittedTransform, pa.Table, pa.Table],
) -> None:
    transform, train, test = served
    for part in (train, test):
        expected, mask = transform.apply(part)
        assert mask is None
        rows = part.to_pylist()
        assert_same_features(transform.apply_rows(rows), expected)
        for index in range(0, len(rows), 7):
            assert_same_features(transform.apply_rows([rows[index]]), expected.slice(index, 1))


def test_rows_need_not_send_the_label_or_unused_columns(
    served: tuple[FittedTransform, pa.Table, pa.Table],
) -> None:
    transform, train, _ = served
    row = train.to_pylist()[3]
    expected = transform.apply_rows([row])
    for unused in ("churned", "note"):
        del row[unused]
    assert_same_features(transform.apply_rows([row]), expected)
    assert transform.apply_rows([{}]).num_rows == 1  # every feature column missing: filled


def test_drop_rows_rows_are_refused_at_serving_and_dropped_in_parts() -> None:
    train = pa.table({"x": [1.0, None, 3.0, 4.0], "y": [1.0, 2.0, None, 4.0]})
    transform = fit({"fill": block(columns=["x"], method="drop_rows")}, train)
    expected, mask = transform.apply(train)
    assert mask is not None
    np.testing.assert_array_equal(mask, [True, False, True, True])
    rows = train.to_pylist()
    kept = [row for row, keep in zip(rows, mask, strict=True) if keep]
    assert_same_features(transform.apply_rows(kept), expected)
    with pytest.raises(ServingError, match=r'row 1: column "x" is missing; training drops'):
        transform.apply_rows([rows[0], rows[1]])


@pytest.mark.parametrize(("method", "fallback"), [("ffill", 3.0), ("bfill", 2.0)])
def test_ffill_and_bfill_take_the_fallback_at_serving(method: str, fallback: float) -> None:
    train = pa.table({"x": [None, 2.0, None, 3.0, None]})
    transform = fit({"fill": block(columns=["x"], method=method)}, train)
    served = transform.apply_rows([{"x": None}, {"x": 10.0}, {}])
    assert served["x"].to_pylist() == [fallback, 10.0, fallback]


def test_string_ffill_takes_the_fallback_at_serving() -> None:
    train = pa.table({"plan": ["a", None, "b", None]})
    transform = fit(
        {"fill": block(columns=["plan"], method="ffill"), "vocabulary": block(columns=["plan"])},
        train,
    )
    features, _ = transform.apply(pa.table({"plan": [None, "a", None]}))
    assert features["plan"].to_pylist() == [1, 0, 0]  # b (the fallback), a, a (from above)
    assert transform.apply_rows([{"plan": None}])["plan"].to_pylist() == [1]


SERVING_ERRORS = [
    pytest.param([{"monthly": "cheap"}], 'row 0: column "monthly" expects a number, not "cheap"',
                 id="string-for-number"),
    pytest.param([{}, {"tenure": True}], 'row 1: column "tenure" expects a number, not true',
                 id="bool-for-number"),
    pytest.param([{"montly": 3}], 'row 0: unknown column "montly"; did you mean "monthly"?',
                 id="unknown-column"),
    pytest.param([{"plan": 3}], 'row 0: column "plan" expects a string, not 3',
                 id="number-for-string"),
    pytest.param([{"premium": "yes"}], 'row 0: column "premium" expects true or false, not "yes"',
                 id="string-for-bool"),
    pytest.param([{}, {}, {"city": ["x"]}], 'row 2: column "city" expects a string, not ["x"]',
                 id="list-for-string"),
    pytest.param([["a"]], "row 0 is not an object of column values", id="not-an-object"),
]  # fmt: skip


@pytest.mark.parametrize(("rows", "message"), SERVING_ERRORS)
def test_serving_errors_name_the_row_and_the_column(rows: list[Any], message: str) -> None:
    train = customers(50, ["basic", "pro"])
    config = {**EVERY_STEP, "bucketize": block(columns=["id"], boundaries=[10])}
    with pytest.raises(ServingError) as raised:
        fit(config, train, label="churned").apply_rows(rows)
    assert message in str(raised.value)


def test_integer_categories_accept_whole_floats_and_bools_accept_zero_and_one() -> None:
    train = pa.table({"n": pa.array([1, 2, 2], pa.int64()), "b": [True, False, True]})
    transform = fit({"one_hot": block(columns=["n", "b"])}, train)
    expected = transform.apply_rows([{"n": 2, "b": True}])
    assert_same_features(transform.apply_rows([{"n": 2.0, "b": 1}]), expected)
    with pytest.raises(ServingError, match='column "n" expects a whole number, not 2.5'):
        transform.apply_rows([{"n": 2.5}])


def test_log1p_below_its_domain_at_serving() -> None:
    transform = fit({"log1p": block(columns=["x"])}, pa.table({"x": [0.0, 3.0]}))
    with pytest.raises(ServingError, match=r'row 1: column "x" is -2, but its features take log'):
        transform.apply_rows([{"x": 1.0}, {"x": -2}])


def test_no_rows_give_an_empty_table_of_the_features(
    served: tuple[FittedTransform, pa.Table, pa.Table],
) -> None:
    transform, train, _ = served
    empty = transform.apply_rows([])
    assert empty.num_rows == 0
    assert empty.schema == transform.apply(train.slice(0, 1))[0].schema


# --- JSON ---------------------------------------------------------------------------------


def test_json_round_trip_gives_the_same_transform_and_features(
    served: tuple[FittedTransform, pa.Table, pa.Table],
) -> None:
    transform, train, test = served
    text = json.dumps(transform.to_json(), sort_keys=True)
    loaded = FittedTransform.from_json(json.loads(text))
    assert loaded == transform
    assert json.dumps(loaded.to_json(), sort_keys=True) == text
    assert loaded.features == transform.features
    assert loaded.passthrough == transform.passthrough
    assert loaded.statistics == transform.statistics
    for part in (train, test):
        assert_same_features(loaded.apply(part)[0], transform.apply(part)[0])
        rows = part.to_pylist()[:20]
        assert_same_features(loaded.apply_rows(rows), transform.apply_rows(rows))


def test_the_same_fit_gives_the_same_bytes_and_another_fit_other_bytes(
    served: tuple[FittedTransform, pa.Table, pa.Table],
) -> None:
    transform, train, _ = served

    def text(fitted: FittedTransform) -> str:
        return json.dumps(fitted.to_json(), sort_keys=True)

    again = fit(EVERY_STEP, pa.Table.from_batches(train.to_batches(max_chunksize=33)), "churned")
    assert text(again) == text(transform)
    assert text(fit(EVERY_STEP, train.slice(1), "churned")) != text(transform)
    document = transform.to_json()
    assert document["format"] == "mlform.transform/1"
    assert document["features"] == transform.features
    assert "NaN" not in text(transform)


def test_json_of_another_format_is_refused() -> None:
    with pytest.raises(ValueError, match="not a fitted transform in format mlform.transform/1"):
        FittedTransform.from_json({"format": "mlform.transform/0", "columns": []})


def test_the_statistics_are_json(served: tuple[FittedTransform, pa.Table, pa.Table]) -> None:
    transform, _, _ = served
    statistics = json.loads(json.dumps(transform.statistics))
    assert statistics == transform.statistics
    assert set(statistics["monthly"]) == {
        "fill", "fill_value", "clip_min", "clip_max", "log1p", "transform", "mean", "std"
    }  # fmt: skip
    assert statistics["city"]["indices"] == 13


# --- generated tables ---------------------------------------------------------------------

FLOATS = st.one_of(
    st.none(),
    st.just(math.nan),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.sampled_from([0.0, -0.0, 1.5, 1e-300]),
)
INTEGERS = st.one_of(st.none(), st.integers(-5, 5))
STRINGS = st.one_of(st.none(), st.sampled_from(["a", "b", "c", "", "é", "long text"]))


@st.composite
def parts(draw: st.DrawFn) -> tuple[pa.Table, pa.Table]:
    def table(rows: int) -> pa.Table:
        def values(first: st.SearchStrategy[Any], rest: st.SearchStrategy[Any]) -> list[Any]:
            # the first row has a value, so that every statistic has something to fit on
            return [draw(first), *draw(st.lists(rest, min_size=rows, max_size=rows))]

        return pa.table(
            {
                "x": pa.array(values(st.floats(-100, 100), FLOATS), pa.float64()),
                "k": pa.array(values(st.integers(-5, 5), INTEGERS), pa.int64()),
                "s": pa.array(values(st.sampled_from(["a", "b"]), STRINGS), pa.string()),
            }
        )

    return table(draw(st.integers(0, 25))), table(draw(st.integers(0, 15)))


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    config: dict[str, list[dict[str, Any]]] = {}

    def add(step: str, **settings: Any) -> None:
        config.setdefault(step, []).append(settings)

    x_fill = draw(
        st.sampled_from([None, "mean", "median", "mode", "min", "max", "constant", "drop_rows"])
    )
    if x_fill is not None:
        add("fill", columns=["x"], method=x_fill, **({"value": -3} if x_fill == "constant" else {}))
    if draw(st.booleans()):
        add("clip", columns=["x"], min=0, max=draw(st.sampled_from([50, 1e9])))
        if draw(st.booleans()):
            add("log1p", columns=["x"])
    x_encoding = draw(st.sampled_from([None, "standardize", "normalize", "bucketize"]))
    if x_encoding == "bucketize":
        add("bucketize", columns=["x"], quantiles=draw(st.integers(2, 5)))
    elif x_encoding is not None:
        add(x_encoding, columns=["x"])
    s_fill = draw(st.sampled_from([None, "mode", "constant"]))
    if s_fill is not None:
        add(
            "fill", columns=["s"], method=s_fill, **({"value": "z"} if s_fill == "constant" else {})
        )
    k_fill = draw(st.sampled_from([None, "mode", "min", "max"]))
    if k_fill is not None:
        add("fill", columns=["k"], method=k_fill)
    for column in ("s", "k"):
        encoding = draw(st.sampled_from(["one_hot", "vocabulary", "hash_buckets", "none"]))
        if encoding == "one_hot":
            add("one_hot", columns=[column], other=draw(st.booleans()),
                max_categories=draw(st.sampled_from([None, 1, 2])))  # fmt: skip
        elif encoding == "vocabulary":
            add("vocabulary", columns=[column], max_size=draw(st.sampled_from([None, 2])),
                num_oov_buckets=draw(st.integers(0, 3)))  # fmt: skip
        elif encoding == "hash_buckets":
            add("hash_buckets", columns=[column], buckets=draw(st.integers(1, 7)))
        elif column == "k" and draw(st.booleans()):
            add("standardize", columns=["k"])
    return {step: blocks(*entries) for step, entries in config.items()}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts(), configs())
def test_generated_rows_are_served_as_they_are_transformed(
    tables: tuple[pa.Table, pa.Table], config: dict[str, Any]
) -> None:
    train, test = tables
    try:
        transform = fit(config, train)
    except Problem as problem:  # a clip to [0, 1e9] then log1p cannot fail; nothing else may
        raise AssertionError(problem.diagnostics) from problem
    for part in (train, test):
        expected, mask = transform.apply(part)
        rows = part.to_pylist()
        if mask is not None:  # rows without x: dropped from the part, refused when served
            for row in (row for row, keep in zip(rows, mask, strict=True) if not keep):
                with pytest.raises(ServingError, match='column "x" is missing'):
                    transform.apply_rows([row])
            rows = [row for row, keep in zip(rows, mask, strict=True) if keep]
        assert_same_features(transform.apply_rows(rows), expected)
        for index, row in enumerate(rows):
            assert_same_features(transform.apply_rows([row]), expected.slice(index, 1))
    loaded = FittedTransform.from_json(json.loads(json.dumps(transform.to_json())))
    assert_same_features(loaded.apply(test)[0], transform.apply(test)[0])


def test_defaults_are_served_like_blocks() -> None:
    train = customers(120, ["basic", "pro", "team"])
    transform = fit(
        {
            "defaults": defaults(
                numeric={"fill": "median", "transform": "standardize"},
                string={"fill": "mode", "transform": "one_hot"},
            )
        },
        train,
        label="churned",
    )
    assert "churned" not in transform.features
    assert "note=a note" in transform.features
    expected, _ = transform.apply(train)
    assert_same_features(transform.apply_rows(train.to_pylist()), expected)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.sampled_from(["basic", "pro", "city3", "\ud800", 0, 1, 1.0, 2**70]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=5,
)
COLUMNS = [*customers(1, ["basic"]).column_names, "other"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(COLUMNS), JSON_VALUES), max_size=3))
def test_any_json_rows_give_features_or_a_serving_error(
    served: tuple[FittedTransform, pa.Table, pa.Table], rows: list[dict[str, Any]]
) -> None:
    transform, _, _ = served
    try:
        features = transform.apply_rows(rows)
    except ServingError as error:
        assert str(error).startswith("row ")
        str(error).encode("utf-8")  # fit for a response body
    else:
        assert features.num_rows == len(rows)
        assert features.column_names == transform.features
