"""The compiled row plan and the fast pipeline give exactly what the split's transform and the
model's predictor give, for any row a client may send; what they cannot take, the transform
refuses with a ServingError."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlform.sdk import BlockValue
from providers.endpoint.serving.bundle import load_bundle
from providers.endpoint.serving.pipeline import Pipeline
from providers.endpoint.serving.rows import Fallback, RowPlan
from providers.split.transform import FittedTransform, ServingError
from tests.benchmarks.serving_model import PLANS, REGIONS, churn_table, fit_transform, rows_of
from tests.unit.providers.endpoint.conftest import Versions, endpoint_root

ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=False),
    st.text(max_size=8),
    st.sampled_from([*PLANS, *REGIONS, "", 0, 1, 0.0, 1.0, -1.0, 6, 12, 48]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
)


def rows_strategy(columns: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({name: ODD_VALUES for name in columns})


def transforms() -> dict[str, FittedTransform]:
    """Transforms covering every step the plan compiles."""
    table = churn_table(600, seed=3)
    block = lambda **settings: [BlockValue((), settings)]  # noqa: E731
    configs = {
        "standardize-one-hot": {
            "label": "churned",
            "fill": block(columns=["monthly"], method="median")
            + block(columns=["paperless"], method="drop_rows"),
            "standardize": block(columns=["monthly", "tenure"]),
            "one_hot": block(columns=["plan", "region"], max_categories=2, other=False),
        },
        "clip-log-normalize-vocabulary": {
            "label": "churned",
            "fill": block(columns=["plan"], method="constant", value="basic"),
            "clip": block(columns=["monthly"], min=0, max=90),
            "log1p": block(columns=["monthly"]),
            "normalize": block(columns=["monthly"]),
            "vocabulary": block(columns=["plan", "tenure"], max_size=10, num_oov_buckets=3),
            "hash_buckets": block(columns=["region"], buckets=5),
        },
        "bucketize-quantiles": {
            "label": "churned",
            "bucketize": block(columns=["monthly"], quantiles=4)
            + block(columns=["tenure"], boundaries=[6, 12.5, 48]),
            "one_hot": block(columns=["paperless", "region"]),
            "vocabulary": block(columns=["plan"], num_oov_buckets=0),
        },
    }
    return {name: fit_transform(table, config, "churned") for name, config in configs.items()}


TRANSFORMS = transforms()


def reference(transform: FittedTransform, row: dict[str, Any]) -> np.ndarray:
    table = transform.apply_rows([row])
    return np.column_stack(
        [np.asarray(table.column(name).to_numpy(), np.float64) for name in transform.features]
    )


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_plan_gives_the_transforms_features_or_falls_back(name: str, data: Any) -> None:
    transform = TRANSFORMS[name]
    plan = RowPlan.compile(transform, transform.features)
    assert plan is not None
    inputs = [c.name for c in transform.columns if c.feature]
    row = data.draw(rows_strategy(inputs))
    try:
        fast = plan.matrix([row])
    except Fallback:
        fast = None
    try:
        expected = reference(transform, row)
    except ServingError:
        assert fast is None, f"the plan took a row the transform refuses: {row}"
        return
    if fast is not None:
        assert fast.shape == expected.shape
        assert np.array_equal(fast, expected, equal_nan=True), row


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_the_plan_passes_the_load_time_check(name: str) -> None:
    from providers.endpoint.serving.probes import probe_rows

    transform = TRANSFORMS[name]

    class Features:
        features = transform.features

    pipeline = Pipeline(transform, Features())  # type: ignore[arg-type]
    plan = RowPlan.compile(transform, transform.features)
    assert plan is not None
    assert pipeline.plan_agrees(plan, probe_rows(transform))


def test_a_plan_that_disagrees_is_not_used() -> None:
    transform = TRANSFORMS["standardize-one-hot"]
    from providers.endpoint.serving.probes import probe_rows

    class Features:
        features = transform.features

    plan = RowPlan.compile(transform, transform.features)
    assert plan is not None
    name, step = plan.steps[0]

    def off_by_one(value: Any, features: list[float]) -> None:
        step(value, features)
        features[-1] += 1.0

    plan.steps = ((name, off_by_one), *plan.steps[1:])
    pipeline = Pipeline(transform, Features())  # type: ignore[arg-type]
    assert not pipeline.plan_agrees(plan, probe_rows(transform))


def test_the_plan_puts_features_in_the_models_order() -> None:
    transform = TRANSFORMS["standardize-one-hot"]
    reordered = list(reversed(transform.features))
    plan = RowPlan.compile(transform, reordered)
    assert plan is not None
    row = {"tenure": 5, "plan": "pro", "monthly": 33.0, "region": "east", "paperless": False}
    assert np.array_equal(plan.matrix([row]), reference(transform, row)[:, ::-1])


@pytest.fixture(scope="module")
def bundles(versions: Versions, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = endpoint_root(
        tmp_path_factory.mktemp("bundles"),
        {
            "first": versions.first,
            "second": versions.second,
            "regressor": versions.regressor,
            "multiclass": versions.multiclass,
        },
        "first",
    )
    return {
        name: load_bundle(Path(root) / "versions" / name)
        for name in ("first", "second", "regressor", "multiclass")
    }


@pytest.mark.parametrize("name", ["first", "second", "regressor", "multiclass"])
def test_the_fast_pipeline_predicts_what_the_predictor_predicts(
    name: str, bundles: dict[str, Any], versions: Versions
) -> None:
    bundle = bundles[name]
    pipeline = bundle.pipeline
    assert pipeline.fast, "the fast route should pass its load-time check"
    label = {"regressor": "monthly", "multiclass": "plan"}.get(name, "churned")
    rows = rows_of(versions.table, 40, without=(label,))
    expected = pipeline.predictor.predict(pipeline.transform.apply_rows(rows).to_pandas())
    for batch in (rows[:1], rows[:5], rows):  # the compiled plan, and the transform's columns
        got = pipeline.predict(batch)
        assert np.asarray(got.values).tolist() == np.asarray(expected.values)[: len(batch)].tolist()
        if expected.probabilities is None:
            assert got.probabilities is None
        else:
            assert np.array_equal(got.probabilities, expected.probabilities[: len(batch)])


def test_column_checks_name_the_problem(bundles: dict[str, Any]) -> None:
    pipeline = bundles["first"].pipeline
    row = {"tenure": 5, "plan": "pro", "monthly": 33.0, "region": "east", "paperless": False}
    pipeline.check_columns([row, {**row, "customer_id": "c1", "churned": True}])
    with pytest.raises(ServingError, match=r'row 1: unknown column "tenur"; did you mean "tenure"'):
        pipeline.check_columns([row, {**row, "tenur": 3}])
    without = {k: v for k, v in row.items() if k != "monthly"}
    with pytest.raises(ServingError, match=r'row 0: missing column "monthly"'):
        pipeline.check_columns([without])
    with pytest.raises(ServingError, match="row 0 is not an object"):
        pipeline.check_columns([[1, 2]])
