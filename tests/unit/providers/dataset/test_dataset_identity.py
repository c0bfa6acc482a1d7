"""A dataset's id is the digest of its content: the same data gives the same id however and
whenever it was written, and one changed cell gives another."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from providers.dataset.canonical import canonical_table, content_digest

if TYPE_CHECKING:
    from conftest import Harness


def test_same_source_and_settings_give_the_same_id(harness: Harness) -> None:
    config = {"source": "data/churn.csv", "where": "tenure > 0", "sample": {"rows": 3}}
    first, second = harness.built(config), harness.built(config)
    assert first["id"] == second["id"]
    assert len(first["id"]) == 64 and first["id"] == first["id"].lower()
    # the Parquet file is written deterministically too: the same bytes, the same artifact
    assert first["data"] == second["data"]


def test_a_changed_cell_gives_another_id(harness: Harness) -> None:
    path = harness.config_dir / "data" / "churn.csv"
    before = harness.built({"source": "data/churn.csv"})
    path.write_text(path.read_text().replace("19.5,north", "19.6,north"))
    after = harness.built({"source": "data/churn.csv"})
    assert before["id"] != after["id"]
    assert before["schema"] == after["schema"]


def test_a_null_differs_from_an_empty_string_and_from_zero() -> None:
    digests = {
        content_digest(pa.table({"s": pa.array([None, "a"])})),
        content_digest(pa.table({"s": pa.array(["", "a"])})),
        content_digest(pa.table({"n": pa.array([None, 1])})),
        content_digest(pa.table({"n": pa.array([0, 1])})),
    }
    assert len(digests) == 4


def test_names_types_and_row_order_are_content() -> None:
    base = pa.table({"a": [1, 2]})
    others = [
        pa.table({"b": [1, 2]}),
        pa.table({"a": pa.array([1, 2], pa.int32())}),
        pa.table({"a": [2, 1]}),
        pa.table({"a": [1, 2], "b": [None, None]}),
    ]
    assert content_digest(base) not in {content_digest(other) for other in others}


def test_the_representation_is_not_content() -> None:
    values = ["x", None, "yy", "x"]
    plain = pa.table({"s": pa.array(values), "n": [1.0, float("nan"), None, -0.5]})
    variants = [
        pa.table({"s": pa.array(values, pa.large_string()), "n": plain["n"]}),
        pa.table({"s": pa.array(values).dictionary_encode(), "n": plain["n"]}),
        pa.Table.from_batches(plain.to_batches(max_chunksize=1)),
        pa.concat_tables([plain.slice(0, 1), plain.slice(1)]),
        plain.replace_schema_metadata({"pandas": "{}", "writer": "someone"}),
        garbage_under_nulls(),
    ]
    digest = content_digest(plain)
    assert all(content_digest(variant) == digest for variant in variants)


def garbage_under_nulls() -> pa.Table:
    """The plain table of the test above, built from buffers holding other bytes under its
    null slots (as a filter or a take may leave them)."""
    validity = pa.py_buffer(bytes([0b1101]))  # row 1 is null
    offsets = pa.py_buffer(pa.array([0, 1, 4, 6, 7], pa.int32()).buffers()[1])
    text = pa.Array.from_buffers(pa.string(), 4, [validity, offsets, pa.py_buffer(b"xzzzyyx")])
    numbers_validity = pa.py_buffer(bytes([0b1011]))  # row 2 is null
    data = pa.array([1.0, float("nan"), 99.0, -0.5]).buffers()[1]
    numbers = pa.Array.from_buffers(pa.float64(), 4, [numbers_validity, data])
    return pa.table({"s": text, "n": numbers})


def test_the_stored_file_reads_back_to_the_id(harness: Harness) -> None:
    outputs = harness.built({"source": "data/churn.csv", "columns": ["signup", "plan"]})
    table = pq.read_table(harness.store.local_path(outputs["data"]))
    assert content_digest(table) == outputs["id"]


COLUMN = st.sampled_from(["int", "float", "text", "flag", "day"])
VALUES: dict[str, Any] = {
    "int": st.integers(-(2**40), 2**40),
    "float": st.floats(allow_infinity=True, allow_nan=True, width=64),
    "text": st.text(max_size=5),
    "flag": st.booleans(),
    "day": st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 1, 1)),
}
TYPES = {
    "int": pa.int64(),
    "float": pa.float64(),
    "text": pa.string(),
    "flag": pa.bool_(),
    "day": pa.date32(),
}


@st.composite
def frames(draw: st.DrawFn) -> pa.Table:
    kinds = draw(st.lists(COLUMN, min_size=1, max_size=4))
    rows = draw(st.integers(0, 8))
    columns = {}
    for index, kind in enumerate(kinds):
        values = draw(st.lists(st.none() | VALUES[kind], min_size=rows, max_size=rows))
        columns[f"{kind}_{index}"] = pa.array(values, TYPES[kind])
    return pa.table(columns)


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(table=frames(), chunk=st.integers(1, 4), later=st.integers(1, 10**6))
def test_random_frames_round_trip_to_the_same_id(
    harness: Harness, table: pa.Table, chunk: int, later: int
) -> None:
    folder = Path(harness.config_dir) / "frames"
    folder.mkdir(exist_ok=True)
    first, second = folder / "first.parquet", folder / "second.parquet"
    pq.write_table(table, first)
    os.utime(first, (1_000_000_000, 1_000_000_000))
    # the same data written another way, at another time
    rechunked = pa.Table.from_batches(table.to_batches(max_chunksize=chunk), schema=table.schema)
    pq.write_table(rechunked, second, compression="gzip", row_group_size=chunk)
    os.utime(second, (1_000_000_000 + later, 1_000_000_000 + later))
    one = harness.built({"source": "frames/first.parquet"})
    two = harness.built({"source": "frames/second.parquet"})
    assert one["id"] == two["id"] == content_digest(table)
    stored = pq.read_table(harness.store.local_path(one["data"]))
    assert content_digest(stored) == one["id"]
    assert stored.schema == canonical_table(table).schema  # (NaN != NaN for Table.equals)
