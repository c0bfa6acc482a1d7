"""Each strategy of `assign_parts` on real data (scikit-learn's bundled data sets) and on
tables built to make the expected parts obvious, with the numbers checked exactly."""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from sklearn.datasets import load_breast_cancer, load_iris, load_wine

from mlform.language.values import Sensitive
from providers.split.partition import PartitionSettings, assign_parts

RATIO = {"train": 0.7, "valid": 0.1, "test": 0.2}


def split(table: pa.Table, **overrides: Any) -> dict[str, list[int]]:
    options: dict[str, Any] = {
        "ratio": RATIO,
        "seed": 42,
        "index_by": None,
        "categorize_by": None,
        "categories": None,
        "unknown": None,
        "hash_by": None,
        "stratify_by": None,
    }
    options.update(overrides)
    parts = assign_parts(table, PartitionSettings(**options))
    for rows in parts.values():
        assert rows.dtype == np.int64
        assert (np.diff(rows) > 0).all()  # sorted, no row twice
    assert sorted(np.concatenate(list(parts.values())).tolist()) == list(range(table.num_rows))
    return {part: rows.tolist() for part, rows in parts.items()}


def frame_table(loader: Any) -> pa.Table:
    return pa.Table.from_pandas(loader(as_frame=True).frame, preserve_index=False)


def iris() -> pa.Table:
    table = frame_table(load_iris)
    species = np.array(["setosa", "versicolor", "virginica"])[table["target"].to_numpy()]
    return table.append_column("species", pa.array(species))


def counts_by(table: pa.Table, column: str, rows: list[int]) -> dict[Any, int]:
    values, counts = np.unique(table[column].to_numpy()[rows], return_counts=True)
    return dict(zip(values.tolist(), counts.tolist(), strict=True))


class TestSettings:
    def test_from_config(self) -> None:
        config = {
            "dataset": "5f2a9c",
            "ratio": {"train": 0.8, "test": Sensitive(0.2)},
            "seed": 7.0,
            "hash_by": "customer_id",
            "where": "tenure > 0",
        }
        assert PartitionSettings.from_config(config) == PartitionSettings(
            ratio={"train": 0.8, "test": 0.2},
            seed=7,
            index_by=None,
            categorize_by=None,
            categories=None,
            unknown=None,
            hash_by="customer_id",
            stratify_by=None,
        )

    def test_from_config_with_categories_and_no_seed(self) -> None:
        config = {
            "categorize_by": "region",
            "categories": {"train": ["north", "east"], "test": ["south"]},
            "unknown": "train",
        }
        settings = PartitionSettings.from_config(config)
        assert settings.seed == 0
        assert settings.ratio is None
        assert settings.categories == {"train": ["north", "east"], "test": ["south"]}
        assert settings.unknown == "train"


class TestShuffled:
    def test_sizes_are_the_largest_remainders(self) -> None:
        parts = split(frame_table(load_breast_cancer))
        assert {part: len(rows) for part, rows in parts.items()} == {
            "train": 398,
            "valid": 57,
            "test": 114,
        }
        assert list(parts) == ["train", "valid", "test"]

    def test_rows_are_shuffled_with_the_seed(self) -> None:
        table = frame_table(load_breast_cancer)
        parts = split(table)
        assert parts == split(table)
        assert parts["train"] != list(range(398))
        other = split(table, seed=43)
        assert other["test"] != parts["test"]
        assert {len(rows) for rows in other.values()} == {398, 57, 114}

    def test_pinned_assignment(self) -> None:
        # the seeded shuffle is mlform's own (splitmix64 keys), not numpy's random streams:
        # it must not change between versions of anything
        parts = split(pa.table({"x": range(10)}), ratio={"train": 0.6, "test": 0.4}, seed=1)
        assert parts == {"train": [0, 2, 3, 4, 6, 8], "test": [1, 5, 7, 9]}

    def test_parts_follow_part_names_order_and_only_those_in_ratio(self) -> None:
        parts = split(pa.table({"x": range(20)}), ratio={"test": 0.25, "eval": 0.25, "train": 0.5})
        assert list(parts) == ["train", "eval", "test"]
        assert [len(rows) for rows in parts.values()] == [10, 5, 5]


# sorted by day, ties in table order: 0 (row 7), 1 (1), 2 (4), 3 (2, 3, 6, 9), 5 (0), 7 (8),
# 9 (5); cut 5/2/3, the tie at 3 straddling train and valid
DAYS = (5, 1, 3, 3, 2, 9, 3, 0, 7, 3)
BY_DAY = {"train": [1, 2, 3, 4, 7], "valid": [6, 9], "test": [0, 5, 8]}
DAY_RATIO = {"train": 0.5, "valid": 0.2, "test": 0.3}


class TestIndexed:
    @pytest.mark.parametrize(
        "column",
        [
            pytest.param(pa.array(DAYS, pa.int64()), id="int64"),
            pytest.param(pa.array(DAYS, pa.int16()), id="int16"),
            pytest.param(pa.array(DAYS, pa.uint8()), id="uint8"),
            pytest.param(pa.array([day + 0.5 for day in DAYS]), id="float64"),
            pytest.param(pa.array(DAYS, pa.int32()).cast(pa.date32()), id="date32"),
            pytest.param(
                pa.array([datetime.datetime(2024, 1, 1 + day) for day in DAYS], pa.timestamp("us")),
                id="timestamp",
            ),
            pytest.param(
                pa.array([f"2024-01-{1 + day:02d}" for day in DAYS]), id="iso-date-strings"
            ),
            pytest.param(pa.array([f"id-{day}" for day in DAYS]).dictionary_encode(), id="dict"),
        ],
    )
    def test_train_holds_the_oldest_and_ties_keep_table_order(self, column: pa.Array) -> None:
        table = pa.table({"day": column, "value": range(10)})
        assert split(table, ratio=DAY_RATIO, index_by="day") == BY_DAY

    def test_the_seed_does_not_matter(self) -> None:
        table = pa.table({"day": DAYS})
        assert split(table, ratio=DAY_RATIO, index_by="day", seed=9) == BY_DAY

    def test_chunked_column(self) -> None:
        table = pa.Table.from_batches(
            [
                pa.record_batch({"day": DAYS[:4]}),
                pa.record_batch({"day": DAYS[4:]}),
            ]
        )
        assert split(table, ratio=DAY_RATIO, index_by="day") == BY_DAY

    def test_real_data_by_a_measurement(self) -> None:
        table = frame_table(load_wine)
        parts = split(table, index_by="proline")
        proline = table["proline"].to_numpy()
        assert [len(rows) for rows in parts.values()] == [125, 18, 35]
        assert proline[parts["train"]].max() <= proline[parts["valid"]].min()
        assert proline[parts["valid"]].max() <= proline[parts["test"]].min()


class TestListedCategories:
    def test_each_listed_category_goes_to_its_part(self) -> None:
        table = iris()
        parts = split(
            table,
            ratio=None,
            categorize_by="species",
            categories={"test": ["virginica"], "train": ["setosa", "versicolor"]},
        )
        assert list(parts) == ["train", "test"]
        assert counts_by(table, "species", parts["train"]) == {"setosa": 50, "versicolor": 50}
        assert counts_by(table, "species", parts["test"]) == {"virginica": 50}

    def test_unlisted_categories_go_to_unknown(self) -> None:
        table = iris()
        parts = split(
            table,
            ratio=None,
            categorize_by="species",
            categories={"train": ["setosa"], "valid": ["virginica"], "test": []},
            unknown="test",
        )
        assert counts_by(table, "species", parts["test"]) == {"versicolor": 50}
        assert len(parts["train"]) == len(parts["valid"]) == 50

    def test_values_of_other_types_are_compared_by_their_text(self) -> None:
        table = iris()
        parts = split(
            table,
            ratio=None,
            categorize_by="target",
            categories={"train": ["0", "1"], "test": ["2"]},
        )
        assert counts_by(table, "species", parts["test"]) == {"virginica": 50}

    def test_missing_values_go_to_unknown(self) -> None:
        table = pa.table({"region": ["north", None, "south", None, "north"]})
        parts = split(
            table,
            ratio=None,
            categorize_by="region",
            categories={"train": ["north"], "test": ["south"]},
            unknown="train",
        )
        assert parts == {"train": [0, 1, 3, 4], "test": [2]}


class TestCategoryRatio:
    @staticmethod
    def stores() -> pa.Table:
        # 20 stores of uneven sizes, rows interleaved
        sizes = np.arange(1, 21)
        store = np.repeat([f"store-{number:02d}" for number in range(20)], sizes)
        return pa.table({"store": np.random.default_rng(0).permutation(store)})

    def test_no_category_in_two_parts_and_categories_cut_by_ratio(self) -> None:
        table = self.stores()
        parts = split(table, categorize_by="store")
        stores = {part: set(counts_by(table, "store", rows)) for part, rows in parts.items()}
        assert [len(names) for names in stores.values()] == [14, 2, 4]
        assert set.union(*stores.values()) == {f"store-{number:02d}" for number in range(20)}
        assert sum(len(names) for names in stores.values()) == 20

    def test_the_seed_chooses_the_categories_and_row_order_does_not(self) -> None:
        table = self.stores()
        first = split(table, categorize_by="store")

        def stores_of(table: pa.Table, parts: dict[str, list[int]]) -> dict[str, set[str]]:
            return {part: set(counts_by(table, "store", rows)) for part, rows in parts.items()}

        reordered = table.take(np.random.default_rng(1).permutation(table.num_rows))
        assert stores_of(reordered, split(reordered, categorize_by="store")) == stores_of(
            table, first
        )
        assert split(table, categorize_by="store") == first
        other = stores_of(table, split(table, categorize_by="store", seed=7))
        assert other != stores_of(table, first)
        assert [len(names) for names in other.values()] == [14, 2, 4]

    def test_missing_values_are_a_category(self) -> None:
        table = pa.table({"region": ["a", None, "b", None, "c", "d", "e"]})
        parts = split(table, categorize_by="region", ratio={"train": 0.5, "test": 0.5})
        missing_in = [part for part, rows in parts.items() if 1 in rows]
        assert missing_in == [part for part, rows in parts.items() if 3 in rows]
        assert [len(rows) for rows in parts.values()] in ([4, 3], [3, 4], [5, 2], [2, 5])


class TestHybrid:
    def test_each_category_is_cut_in_index_order(self) -> None:
        table = frame_table(load_wine)
        parts = split(table, categorize_by="target", index_by="proline")
        assert [len(rows) for rows in parts.values()] == [125, 18, 35]
        target, proline = table["target"].to_numpy(), table["proline"].to_numpy()
        for category, size in enumerate([59, 71, 48]):
            rows = {
                part: [row for row in rows if target[row] == category]
                for part, rows in parts.items()
            }
            for part, share in RATIO.items():
                assert abs(len(rows[part]) - size * share) < 1
            assert proline[rows["train"]].max() <= proline[rows["valid"]].min()
            assert proline[rows["valid"]].max() <= proline[rows["test"]].min()

    def test_ties_keep_table_order_within_a_category(self) -> None:
        table = pa.table(
            {"shop": ["a", "b", "a", "b", "a", "b", "a", "b"], "day": [2, 1, 1, 1, 2, 0, 0, 1]}
        )
        # shop a: rows 6 (day 0), 2 (1), 0 (2), 4 (2); shop b: 5 (0), 1, 3, 7 (1)
        parts = split(
            table, categorize_by="shop", index_by="day", ratio={"train": 0.5, "test": 0.5}
        )
        assert parts == {"train": [1, 2, 5, 6], "test": [0, 3, 4, 7]}


class TestHashed:
    @staticmethod
    def customers(ids: Any) -> pa.Table:
        return pa.table({"customer_id": ids, "spend": np.arange(len(ids), dtype=np.float64)})

    def test_shares_are_close_to_the_ratio(self) -> None:
        parts = split(self.customers(np.arange(100_000)), hash_by="customer_id")
        sizes = {part: len(rows) for part, rows in parts.items()}
        assert sizes == {"train": 69_737, "valid": 9_980, "test": 20_283}

    def test_appended_rows_never_move_existing_keys(self) -> None:
        before = np.arange(1000)
        old = split(self.customers(before), hash_by="customer_id")
        part_of = {int(key): part for part, rows in old.items() for key in before[rows]}
        after = np.random.default_rng(3).permutation(np.arange(1500))
        new = split(self.customers(after), hash_by="customer_id")
        moved = [
            int(after[row])
            for part, rows in new.items()
            for row in rows
            if int(after[row]) in part_of and part_of[int(after[row])] != part
        ]
        assert moved == []

    @pytest.mark.parametrize("kind", [pa.int32(), pa.int64(), pa.uint16(), pa.float64()])
    def test_parts_do_not_depend_on_the_key_type(self, kind: pa.DataType) -> None:
        ids = pa.array(range(0, 3000, 3), pa.int64())
        expected = split(self.customers(ids), hash_by="customer_id")
        assert split(self.customers(ids.cast(kind)), hash_by="customer_id") == expected
        as_text = ids.cast(pa.string())
        assert split(self.customers(as_text), hash_by="customer_id") == expected

    def test_string_keys_and_the_seed(self) -> None:
        names = pa.array([f"customer-{number:05d}" for number in range(2000)])
        parts = split(self.customers(names), hash_by="customer_id")
        assert parts == split(self.customers(names), hash_by="customer_id")
        assert parts != split(self.customers(names), hash_by="customer_id", seed=1)
        # the first 500 keys keep their parts when the other 1500 are not there
        head = split(self.customers(names[:500]), hash_by="customer_id")
        assert head == {part: [row for row in rows if row < 500] for part, rows in parts.items()}

    def test_repeated_keys_share_a_part(self) -> None:
        keys = np.repeat(np.arange(50), 4)
        parts = split(self.customers(keys), hash_by="customer_id")
        for rows in parts.values():
            assert set(keys[rows]).isdisjoint(keys[np.setdiff1d(np.arange(200), rows)].tolist())


class TestStratified:
    def test_iris_classes_split_exactly(self) -> None:
        table = iris()
        parts = split(table, stratify_by="species")
        assert {part: counts_by(table, "species", rows) for part, rows in parts.items()} == {
            "train": {"setosa": 35, "versicolor": 35, "virginica": 35},
            "valid": {"setosa": 5, "versicolor": 5, "virginica": 5},
            "test": {"setosa": 10, "versicolor": 10, "virginica": 10},
        }

    def test_wine_classes_within_one_row_and_exact_totals(self) -> None:
        table = frame_table(load_wine)
        parts = split(table, stratify_by="target")
        assert [len(rows) for rows in parts.values()] == [125, 18, 35]
        for part, rows in parts.items():
            for target, count in counts_by(table, "target", rows).items():
                assert abs(count - [59, 71, 48][target] * RATIO[part]) < 1

    def test_shuffled_within_classes_with_the_seed(self) -> None:
        table = iris()
        parts = split(table, stratify_by="target")
        assert parts == split(table, stratify_by="target")
        other = split(table, stratify_by="target", seed=1)
        assert other != parts
        assert {part: counts_by(table, "target", rows) for part, rows in other.items()} == {
            part: counts_by(table, "target", rows) for part, rows in parts.items()
        }

    def test_small_classes_still_fill_every_part(self) -> None:
        table = pa.table({"label": np.repeat(np.arange(10), 5)})
        parts = split(table, stratify_by="label", ratio={"train": 0.9, "test": 0.1})
        assert len(parts["test"]) == 5
        assert sorted(counts_by(table, "label", parts["test"]).values()) == [1] * 5
