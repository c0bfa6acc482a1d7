"""The provider conformance suite itself: it must catch what it claims to catch."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from mlform.language.types import NUMBER, STRING, ListType
from mlform.language.values import UNKNOWN
from mlform.sdk import (
    Attribute,
    BlockSchema,
    BlockValue,
    NestedBlock,
    Nesting,
    Provider,
    ProviderDiagnostic,
    ResourceSchema,
    ValidateRequest,
    ValidateResponse,
    value_of,
)
from mlform.testing import (
    ProviderConformance,
    assert_validate_errors,
    diagnostics_problems,
    path_problem,
    provider_problems,
    schema_problems,
)

STEP = NestedBlock(
    "step",
    BlockSchema(attributes=(Attribute("size", NUMBER, "How big."),)),
    Nesting.LIST,
    description="A step.",
)
GOOD = ResourceSchema(
    "widget",
    BlockSchema(
        attributes=(
            Attribute("name", STRING, "The name.", required=True),
            Attribute("sizes", ListType(NUMBER), "Sizes.", default=[1, 2]),
            Attribute("size", NUMBER, "The size.", computed=True),
        ),
        blocks=(STEP,),
    ),
    description="A widget.",
)


def schema_with(*attributes: Attribute, blocks: tuple[NestedBlock, ...] = ()) -> ResourceSchema:
    return ResourceSchema("widget", BlockSchema(attributes, blocks), description="A widget.")


def test_a_good_schema_has_no_problems() -> None:
    assert schema_problems(GOOD) == []


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        (ResourceSchema("Widget-2", GOOD.block, description="W."), "not a lowercase identifier"),
        (ResourceSchema("widget", GOOD.block), 'resource kind "widget" has no description'),
        (schema_with(Attribute("name", STRING)), "widget.name has no description"),
        (
            schema_with(Attribute("name", STRING, "N.", required=True, computed=True)),
            "both required and computed",
        ),
        (schema_with(Attribute("size", NUMBER, "S.", default="big")), "does not convert to number"),
        (schema_with(Attribute("size", NUMBER, "S.", required=True, default=1)), "never used"),
        (
            schema_with(Attribute("size", NUMBER, "S.", computed=True, default=1)),
            "computed and has a default",
        ),
        (
            schema_with(Attribute("bad name", NUMBER, "S.")),
            '"bad name" is not a lowercase identifier',
        ),
        (schema_with(Attribute("id", STRING, "Mine.")), '"id" is an input'),
        (
            schema_with(Attribute("id", NUMBER, "Mine.", computed=True)),
            'no computed "id" attribute of type string',
        ),
        (
            schema_with(Attribute("a", STRING, "A."), Attribute("a", STRING, "A.")),
            'name "a" is declared twice',
        ),
        (
            schema_with(Attribute("a", STRING, "A."), Attribute("b", STRING, "B.", aliases=("a",))),
            'name "a" is declared twice',
        ),
        (
            schema_with(
                blocks=(NestedBlock("step", STEP.block, Nesting.LABELLED, description="S."),)
            ),
            "label names are required",
        ),
        (
            schema_with(
                blocks=(
                    NestedBlock("step", STEP.block, Nesting.LIST, labels=("x",), description="S."),
                )
            ),
            "label names are required",
        ),
        (
            schema_with(blocks=(NestedBlock("step", STEP.block),)),
            "widget.step (block) has no description",
        ),
        (
            schema_with(
                blocks=(
                    NestedBlock("step", STEP.block, Nesting.SINGLE, max_items=2, description="S."),
                )
            ),
            "at most one item",
        ),
        (
            schema_with(
                blocks=(
                    NestedBlock("step", STEP.block, min_items=3, max_items=1, description="S."),
                )
            ),
            "conflict",
        ),
        (
            schema_with(
                blocks=(
                    NestedBlock(
                        "step",
                        BlockSchema(attributes=(Attribute("x", STRING, "X.", computed=True),)),
                        description="S.",
                    ),
                )
            ),
            "computed inside a nested block",
        ),
    ],
)
def test_schema_problems_are_found(schema: ResourceSchema, problem: str) -> None:
    problems = schema_problems(schema)
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(
    ("path", "ok"),
    [
        ((), True),
        (("name",), True),
        (("sizes", 3), True),
        (("step",), True),
        (("step", 0), True),
        (("step", 0, "size"), True),
        (("nmae",), False),
        (("size",), False),  # an output: validate speaks of inputs
        (("step", "size"), False),
        (("step", 0, "nope"), False),
        ((0,), False),
    ],
)
def test_path_problem(path: tuple[str | int, ...], ok: bool) -> None:
    assert (path_problem(GOOD.block, path) is None) is ok


class Fragile(Provider):
    """Raises on an unknown name, reports at a path that does not exist, and changes its
    configuration: every mistake the suite must catch."""

    schema = GOOD
    version = "1"

    def validate(self, request: ValidateRequest) -> ValidateResponse:
        name = value_of(request.config, "name")
        if name is not None and name.startswith("x"):  # breaks on UNKNOWN
            return ValidateResponse([ProviderDiagnostic.error("bad", ("nmae",))])
        if name == "mutate" and isinstance(request.config, dict):
            request.config["name"] = "changed"
        return ValidateResponse()


def test_diagnostics_problems_are_found() -> None:
    provider = Fragile()
    assert diagnostics_problems(provider, {"name": "ok"}) == []
    assert "raised AttributeError" in diagnostics_problems(provider, {"name": UNKNOWN})[0]
    assert (
        "\"nmae\" in ('nmae',) is neither an input nor a block"
        in diagnostics_problems(provider, {"name": "x"})[0]
    )
    assert "changed its configuration" in diagnostics_problems(provider, {"name": "mutate"})[0]


def test_provider_problems_cover_unknown_values() -> None:
    problems = provider_problems(Fragile(), {"name": "ok"})
    assert any("every input unknown raised AttributeError" in p for p in problems), problems


def test_the_generated_configs_find_a_crash() -> None:
    class TestFragile(ProviderConformance):
        provider: ClassVar[Provider] = Fragile()
        minimal_config: ClassVar[dict[str, Any]] = {"name": "ok"}
        generated_examples = 200

    with pytest.raises(AssertionError, match="raised AttributeError"):
        TestFragile().test_generated_configs_do_not_raise()


def test_assert_validate_errors() -> None:
    provider = Fragile()
    assert_validate_errors(provider, {"name": "xy"}, {("nmae",): "bad"})
    with pytest.raises(AssertionError, match="expected errors at"):
        assert_validate_errors(provider, {"name": "ok"}, {("name",): "bad"})
    with pytest.raises(AssertionError, match="not in 'bad'"):
        assert_validate_errors(provider, {"name": "xy"}, {("nmae",): "good"})


def test_block_values_reach_validate_unchanged() -> None:
    seen: list[Any] = []

    class Recorder(Provider):
        schema = GOOD

        def validate(self, request: ValidateRequest) -> ValidateResponse:
            seen.append(request.config)
            return ValidateResponse()

    config = {"name": "a", "step": [BlockValue((), {"size": 2})]}
    assert provider_problems(Recorder(), config) == []
    assert seen[0] == config
