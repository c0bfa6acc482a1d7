"""Resource schemas: lookups, the implicit id, references, defaults and replacement paths."""

from __future__ import annotations

import dataclasses

import pytest

from mlform.language.types import NUMBER, STRING, ListType, TypeMismatch
from mlform.language.values import UNKNOWN, Sensitive
from mlform.sdk import (
    DESCRIPTION_ATTRIBUTE,
    ID_ATTRIBUTE,
    TAGS_ATTRIBUTE,
    Attribute,
    BlockSchema,
    BlockValue,
    NestedBlock,
    Nesting,
    ResourceRef,
    ResourceSchema,
)

FILL = NestedBlock(
    "fill",
    BlockSchema(
        attributes=(
            Attribute("columns", ListType(STRING), "Columns.", required=True),
            Attribute("method", STRING, "How."),
            Attribute("note", STRING, "Free text.", forces_replacement=False),
        )
    ),
    description="Fills.",
)
NOTES = NestedBlock(
    "notes",
    BlockSchema(attributes=(Attribute("text", STRING, "Text.", forces_replacement=False),)),
    description="Notes.",
)
SCHEMA = ResourceSchema(
    "thing",
    BlockSchema(
        attributes=(
            Attribute("source", STRING, "Where.", required=True, aliases=("src",)),
            Attribute("seed", NUMBER, "Seed.", default=0),
            Attribute("metrics", ListType(STRING), "Names asked for."),
            DESCRIPTION_ATTRIBUTE,
            TAGS_ATTRIBUTE,
            Attribute("metrics", STRING, "Values found.", computed=True),
            Attribute("rows", NUMBER, "Rows.", computed=True),
        ),
        blocks=(FILL, NOTES),
    ),
    description="A thing.",
)


def test_every_kind_has_a_computed_id() -> None:
    assert SCHEMA.block.attributes[0] is ID_ATTRIBUTE
    assert [a.name for a in SCHEMA.outputs] == ["id", "metrics", "rows"]
    assert "id" not in [a.name for a in SCHEMA.inputs]


def test_a_declared_id_is_kept() -> None:
    identifier = Attribute("id", STRING, "Mine.", computed=True)
    schema = ResourceSchema("thing", BlockSchema(attributes=(identifier,)))
    assert schema.block.attributes == (identifier,)


def test_lookups() -> None:
    block = SCHEMA.block
    assert block.get_input("source") is block.get_input("src")
    assert block.get_input("rows") is None
    assert block.get_output("rows") is not None
    assert block.get_input("metrics") is not block.get_output("metrics")
    assert block.get_block("fill") is FILL
    assert block.get_block("source") is None
    assert block.input_names == (
        "source", "seed", "metrics", "description", "tags", "fill", "notes",
    )  # fmt: skip


def test_schemas_are_frozen_and_hashable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        SCHEMA.kind = "other"  # type: ignore[misc]
    assert hash(Attribute("tags", STRING, default={"a": "b"}))
    assert FILL.nesting is Nesting.LIST


@pytest.mark.parametrize(
    ("value", "converted"),
    [
        ("5f2a9c", "5f2a9c"),
        ({"id": "5f2a9c", "rows": 10}, "5f2a9c"),
        ({"id": UNKNOWN}, UNKNOWN),
        (UNKNOWN, UNKNOWN),
        (None, None),
    ],
)
def test_a_reference_stores_the_id(value: object, converted: object) -> None:
    assert ResourceRef("dataset").convert(value) == converted


def test_a_reference_rejects_other_values() -> None:
    with pytest.raises(
        TypeMismatch,
        match=r"a reference to a dataset resource is required \(such as dataset.NAME\), got number",
    ):
        ResourceRef("dataset").convert(3)
    assert ResourceRef("model").describe() == "a reference to a model resource"
    assert str(ResourceRef("model")) == "model reference"


def test_with_defaults_fills_absent_and_null_inputs() -> None:
    schema = BlockSchema(
        attributes=(Attribute("runtime", STRING, "R.", default="local"),),
        blocks=(
            NestedBlock(
                "inner",
                BlockSchema(attributes=(Attribute("size", NUMBER, "S.", default=1),)),
                description="I.",
            ),
        ),
    )
    config = {"inner": [BlockValue((), {}), BlockValue((), {"size": 5})]}
    assert schema.with_defaults(config) == {
        "runtime": "local",
        "inner": [BlockValue((), {"size": 1}), BlockValue((), {"size": 5})],
    }
    assert schema.with_defaults({"runtime": None}) == {"runtime": "local"}
    assert schema.with_defaults({"runtime": UNKNOWN}) == {"runtime": UNKNOWN}
    assert config == {"inner": [BlockValue((), {}), BlockValue((), {"size": 5})]}


BASE = {
    "source": "a.csv",
    "description": "one",
    "fill": [BlockValue((), {"columns": ["x"], "method": "mean", "note": "n"})],
}


@pytest.mark.parametrize(
    ("changes", "paths"),
    [
        ({}, []),
        ({"description": "two", "tags": {"team": "ml"}}, []),
        ({"source": "b.csv"}, [("source",)]),
        ({"source": UNKNOWN}, [("source",)]),
        ({"source": Sensitive("a.csv")}, []),
        ({"seed": 1, "source": "b.csv"}, [("source",), ("seed",)]),
        (
            {"fill": [BlockValue((), {"columns": ["x"], "method": "median", "note": "n"})]},
            [("fill", 0, "method")],
        ),
        ({"fill": [BlockValue((), {"columns": ["x"], "method": "mean", "note": "m"})]}, []),
        ({"fill": []}, [("fill",)]),
        ({"notes": [BlockValue((), {"text": "hello"})]}, []),
    ],
)
def test_replacement_paths(changes: dict[str, object], paths: list[tuple[str | int, ...]]) -> None:
    assert SCHEMA.block.replacement_paths(BASE, {**BASE, **changes}) == paths
