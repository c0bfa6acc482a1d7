"""The user's mistakes `assign_parts` finds in the data: each a `Problem` pointing at the
attribute at fault, saying what to do."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from providers.problems import Problem
from providers.split.partition import PartitionSettings, assign_parts

CHURN = pa.table(
    {
        "customer_id": [1, 2, 3, 4, 5, 6],
        "signup": [
            "2023-01-15",
            "2023-02-01",
            "2023-01-20",
            "2022-11-30",
            "2023-03-10",
            "2023-01-02",
        ],
        "region": ["north", "south", "north", "east", "west", "central"],
        "monthly": [19.5, 29.0, 29.0, 49.9, 19.5, 45.0],
        "churned": [0, 1, 0, 0, 1, 0],
    }
)


def settings(**overrides: Any) -> PartitionSettings:
    options: dict[str, Any] = {
        "ratio": {"train": 0.5, "test": 0.5},
        "seed": 0,
        "index_by": None,
        "categorize_by": None,
        "categories": None,
        "unknown": None,
        "hash_by": None,
        "stratify_by": None,
    }
    options.update(overrides)
    return PartitionSettings(**options)


def problem(table: pa.Table, **overrides: Any) -> tuple[tuple[str | int, ...], str]:
    with pytest.raises(Problem) as raised:
        assign_parts(table, settings(**overrides))
    [diagnostic] = raised.value.diagnostics
    return diagnostic.path, diagnostic.message


@pytest.mark.parametrize("attribute", ["index_by", "categorize_by", "hash_by", "stratify_by"])
def test_a_missing_column_suggests_the_closest(attribute: str) -> None:
    path, message = problem(CHURN, **{attribute: "regoin"})
    assert path == (attribute,)
    assert message == (
        f'{attribute} names column "regoin", which the dataset does not have; '
        'did you mean "region"?'
    )


def test_a_missing_column_without_a_close_one_lists_the_columns() -> None:
    path, message = problem(CHURN, hash_by="account")
    assert path == ("hash_by",)
    assert message.endswith(
        'its columns are "customer_id", "signup", "region", "monthly" and "churned"'
    )


def test_the_hybrid_split_checks_both_columns() -> None:
    assert problem(CHURN, categorize_by="region", index_by="signed_up")[0] == ("index_by",)


@pytest.mark.parametrize(
    ("column", "missing"),
    [
        pytest.param(pa.array(["2023-01-15", None, "2023-01-20", None, "2023-03-10", "x"]), 2),
        pytest.param(pa.array([1.0, float("nan"), 2.0, None, 3.0, 4.0]), 2, id="nan-and-null"),
        pytest.param(pa.array([1, 2, 3, None, 5, 6]), 1, id="one"),
    ],
)
@pytest.mark.parametrize(
    ("attribute", "needs"), [("index_by", "a place in the order"), ("hash_by", "a key")]
)
def test_missing_values_in_an_index_or_key(
    column: pa.Array, missing: int, attribute: str, needs: str
) -> None:
    table = CHURN.set_column(1, "signup", column)
    path, message = problem(table, **{attribute: "signup"})
    assert path == (attribute,)
    plural = "s" if missing != 1 else ""
    assert message == (
        f'{attribute} column "signup" has {missing} missing value{plural} (of 6 rows), and '
        f"every row needs {needs}: fill them in the dataset, or leave those rows out with "
        'where = "signup IS NOT NULL"'
    )


def test_missing_values_in_the_hybrid_index() -> None:
    table = CHURN.set_column(1, "signup", pa.array([None] * 6, pa.string()))
    path, message = problem(
        table, categorize_by="region", index_by="signup", ratio={"train": 0.99, "test": 0.01}
    )
    assert path == ("index_by",)
    assert "has 6 missing values" in message


def test_an_empty_part_points_at_its_ratio() -> None:
    path, message = problem(CHURN, ratio={"train": 0.9, "valid": 0.05, "test": 0.05})
    assert path == ("ratio", "valid")
    assert message == (
        'part "valid" would be empty: its share, 0.05 of 6 rows, rounds to none; raise its '
        "ratio, remove it from ratio, or split more rows"
    )


@pytest.mark.parametrize(
    "strategy",
    [
        {},
        {"index_by": "signup"},
        {"stratify_by": "churned"},
        {"categorize_by": "region", "index_by": "signup"},
    ],
)
def test_every_counted_strategy_reports_an_empty_part(strategy: dict[str, str]) -> None:
    path, _ = problem(CHURN, ratio={"train": 0.95, "test": 0.05}, **strategy)
    assert path == ("ratio", "test")


def test_too_few_categories_for_the_ratio() -> None:
    table = pa.table({"region": ["north", "south", "north", "east"]})
    path, message = problem(
        table, categorize_by="region", ratio={"train": 0.7, "valid": 0.1, "test": 0.2}
    )
    assert path == ("ratio", "valid")
    assert message == (
        'part "valid" would be empty: its share, 0.1 of the 3 distinct values of "region", '
        "rounds to none (the rows of a value go to one part); raise its ratio, remove it from "
        "ratio, or categorize by a column with more values"
    )


def test_no_key_hashes_into_a_small_part() -> None:
    path, message = problem(CHURN, hash_by="customer_id", ratio={"train": 0.99, "test": 0.01})
    assert path == ("ratio", "test")
    assert message == (
        'part "test" would be empty: no key of "customer_id" in 6 rows hashes into its share '
        "0.01; raise its ratio, remove it from ratio, or change seed"
    )


def test_unlisted_categories_without_unknown() -> None:
    table = pa.table({"region": ["north", "south", "west", "east", None, "central", "mid", "x"]})
    path, message = problem(
        table,
        ratio=None,
        categorize_by="region",
        categories={"train": ["north"], "test": ["south"]},
    )
    assert path == ("categories",)
    assert message == (
        'categories does not list every value of "region": "central", "east", "mid", "west", '
        '"x" and missing values (6 rows) are in no part; list them under a part in '
        'categories, or set unknown = "PART" to send every unlisted value to that part'
    )


def test_more_unlisted_categories_than_shown() -> None:
    table = pa.table({"code": list(range(10))})
    _, message = problem(
        table, ratio=None, categorize_by="code", categories={"train": ["0"], "test": ["1"]}
    )
    assert '"2", "3", "4", "5", "6" and 3 more (8 rows)' in message


def test_a_listed_part_with_no_rows() -> None:
    path, message = problem(
        CHURN,
        ratio=None,
        categorize_by="region",
        categories={"train": ["north", "south"], "test": ["mars", "venus"]},
        unknown="train",
    )
    assert path == ("categories", "test")
    assert message == (
        'part "test" would be empty: none of its categories ("mars" and "venus") occurs in '
        'column "region"; list categories that occur, or remove the part'
    )


def test_index_by_with_listed_categories() -> None:
    path, _ = problem(
        CHURN,
        ratio=None,
        categorize_by="region",
        index_by="signup",
        categories={"train": ["north"]},
        unknown="train",
    )
    assert path == ("index_by",)


def test_a_key_that_cannot_be_hashed() -> None:
    table = pa.table({"tags": [["a"], ["b"], ["c"]]})
    path, message = problem(table, hash_by="tags")
    assert path == ("hash_by",)
    assert 'hash_by column "tags" holds list<item: string> values' in message


def test_conflicting_strategies() -> None:
    path, message = problem(CHURN, hash_by="customer_id", stratify_by="churned")
    assert path == ("stratify_by",)
    assert "hash_by and stratify_by cannot be used together" in message


def test_no_rows() -> None:
    path, message = problem(CHURN.slice(0, 0), index_by="signup")
    assert path == ()
    assert "no rows to split" in message


def test_unknown_part_name() -> None:
    path, message = problem(CHURN, ratio={"train": 0.5, "tset": 0.5})
    assert path == ("ratio", "tset")
    assert 'did you mean "test"?' in message


def test_a_part_listing_nothing_that_gets_nothing() -> None:
    path, message = problem(
        CHURN,
        ratio=None,
        categorize_by="region",
        categories={"train": ["north", "south", "east", "west", "central"], "test": []},
        unknown="test",
    )
    assert path == ("categories", "test")
    assert message.startswith(
        'part "test" would be empty: it lists no categories and every value is listed;'
    )


def test_unknown_must_name_a_listed_part() -> None:
    path, message = problem(
        CHURN,
        ratio=None,
        categorize_by="region",
        categories={"train": ["north"], "test": ["south"]},
        unknown="valid",
    )
    assert path == ("unknown",)
    assert message == (
        'unknown names part "valid", which categories does not list; use one of "train" or "test"'
    )
