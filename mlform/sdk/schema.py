"""Resource schemas: what a kind's block accepts, and what its provider reports back.

A schema is data, not code: the core uses it to check a configuration (unknown attributes,
required ones, types), to convert values, to print plans (`# forces replacement`,
`(sensitive value)`, `(known after apply)`) and to map a provider's diagnostic path to a
line in a file. Attribute types are the language's own type constraints
(`mlform.language.types`), plus `ResourceRef` for an attribute that takes a resource.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from mlform.language.types import STRING, MapType, TypeConstraint, TypeMismatch
from mlform.language.values import UNKNOWN, type_name, unmark
from mlform.sdk.config import BlockValue

AttributePath = tuple[str | int, ...]
"""Where in a resource's configuration something is: `("ratio",)`, `("fill", 0, "method")`.

Attribute and map-key steps are strings; nested blocks are always followed by the index of
the block in its list (also for single and labelled blocks), and list elements by their index.
"""


@dataclass(frozen=True)
class ResourceRef(TypeConstraint):
    """The type of an attribute that takes a resource of `kind`: `dataset = dataset.churn`.

    The configuration references the resource; the value stored in the inputs is that
    resource's `id`, so a new upstream result changes the inputs of its dependents.
    """

    kind: str

    def _convert(self, value: Any, path: str) -> Any:
        if isinstance(value, str):
            return value
        if isinstance(value, dict) and "id" in value:
            return self.convert(value["id"], path)
        raise TypeMismatch(
            f"a reference to a {self.kind} resource is required (such as {self.kind}.NAME), "
            f"got {type_name(value)}",
            path,
        )

    def __str__(self) -> str:
        return f"{self.kind} reference"

    def describe(self) -> str:
        return f"a reference to a {self.kind} resource"


@dataclass(frozen=True)
class Attribute:
    """One attribute of a block: an input the configuration sets, or an output (`computed`).

    `forces_replacement` says whether a change to the input means the resource is built again
    (the default) or updated in place (`description`, `tags`). `default` is the value used
    when the configuration leaves the attribute out (None: no default). `aliases` are old
    names that keep working after a rename.
    """

    name: str
    type: TypeConstraint
    description: str = ""
    required: bool = False
    computed: bool = False
    default: Any = field(default=None, hash=False)
    sensitive: bool = False
    forces_replacement: bool = True
    aliases: tuple[str, ...] = ()

    @property
    def is_input(self) -> bool:
        return not self.computed

    @property
    def reference_kind(self) -> str | None:
        """The kind this attribute references, when its type is a `ResourceRef`."""
        return self.type.kind if isinstance(self.type, ResourceRef) else None


class Nesting(enum.Enum):
    """How a nested block may appear: once, as a list, or as a list of labelled blocks."""

    SINGLE = "single"  # defaults { ... }
    LIST = "list"  # fill { ... } fill { ... }
    LABELLED = "labelled"  # metric "lift" { ... }, layer "dense" { ... }


@dataclass(frozen=True)
class NestedBlock:
    """A block inside a block: `fill { ... }`, `metric "lift" { ... }`.

    `labels` names the labels of a LABELLED block (`("name",)` for `metric "lift"`); the
    other nesting modes take none. Whether a change forces replacement is decided by the
    attributes inside.
    """

    name: str
    block: BlockSchema
    nesting: Nesting = Nesting.LIST
    labels: tuple[str, ...] = ()
    min_items: int = 0
    max_items: int | None = None
    description: str = ""
    unique_labels: bool = True
    """Whether two blocks may not share labels (`metric "lift"` names one metric); False
    for blocks whose label is a type and whose order matters (`layer "dense"` twice)."""


@dataclass(frozen=True)
class BlockSchema:
    """The attributes and nested blocks of a block, with lookups by name.

    An input and an output may share a name: evaluation's `metrics` input lists the metrics
    to compute and its `metrics` output holds their values. A reference to the resource
    (`evaluation.churn.metrics.auc`) sees the output.
    """

    attributes: tuple[Attribute, ...] = ()
    blocks: tuple[NestedBlock, ...] = ()

    @cached_property
    def _inputs_by_name(self) -> dict[str, Attribute]:
        found: dict[str, Attribute] = {}
        for attribute in self.inputs:
            for name in (*attribute.aliases, attribute.name):
                found[name] = attribute
        return found

    @cached_property
    def _outputs_by_name(self) -> dict[str, Attribute]:
        return {attribute.name: attribute for attribute in self.outputs}

    @cached_property
    def _blocks_by_name(self) -> dict[str, NestedBlock]:
        return {block.name: block for block in self.blocks}

    def get_input(self, name: str) -> Attribute | None:
        """The input attribute called `name`, or having it as an alias."""
        return self._inputs_by_name.get(name)

    def get_output(self, name: str) -> Attribute | None:
        """The computed attribute called `name`."""
        return self._outputs_by_name.get(name)

    def get_block(self, name: str) -> NestedBlock | None:
        return self._blocks_by_name.get(name)

    @property
    def inputs(self) -> tuple[Attribute, ...]:
        return tuple(a for a in self.attributes if not a.computed)

    @property
    def outputs(self) -> tuple[Attribute, ...]:
        return tuple(a for a in self.attributes if a.computed)

    @property
    def input_names(self) -> tuple[str, ...]:
        """Every name a configuration may use in this block, for did-you-mean suggestions."""
        return tuple(a.name for a in self.inputs) + tuple(b.name for b in self.blocks)

    def with_defaults(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """The configuration with the default of each input that is absent or null, nested
        blocks included: what a check should see for a setting the user left out."""
        result = dict(config)
        for attribute in self.inputs:
            if attribute.default is not None and result.get(attribute.name) is None:
                result[attribute.name] = attribute.default
        for nested in self.blocks:
            values = result.get(nested.name)
            if isinstance(values, list):
                result[nested.name] = [
                    BlockValue(value.labels, nested.block.with_defaults(value.config))
                    if isinstance(value, BlockValue)
                    else value
                    for value in values
                ]
        return result

    def replacement_paths(
        self, prior: Mapping[str, Any], proposed: Mapping[str, Any]
    ) -> list[AttributePath]:
        """The paths whose change forces replacement, comparing two configurations.

        An unknown proposed value counts as a change, as in Terraform: it may differ once
        known. Sensitive marks are ignored. Blocks added, removed or relabelled force
        replacement when any of their attributes does.
        """
        return _replacement_paths(self, prior, proposed, ())


ID_ATTRIBUTE = Attribute(
    "id",
    STRING,
    "The digest of the content this resource produced: the same result has the same id.",
    computed=True,
)
DESCRIPTION_ATTRIBUTE = Attribute(
    "description",
    STRING,
    "Free text shown in plans and state; a change is an update in place.",
    forces_replacement=False,
)
TAGS_ATTRIBUTE = Attribute(
    "tags",
    MapType(STRING),
    "Labels for people and tools (owner, team, ticket); a change is an update in place.",
    forces_replacement=False,
)


@dataclass(frozen=True)
class ResourceSchema:
    """The schema of one resource kind. Every kind has the computed `id` output: when the
    block does not declare it, `ID_ATTRIBUTE` is added first."""

    kind: str
    block: BlockSchema
    version: int = 1
    description: str = ""

    def __post_init__(self) -> None:
        if self.block.get_output("id") is None and self.block.get_input("id") is None:
            block = replace(self.block, attributes=(ID_ATTRIBUTE, *self.block.attributes))
            object.__setattr__(self, "block", block)

    @property
    def inputs(self) -> tuple[Attribute, ...]:
        return self.block.inputs

    @property
    def outputs(self) -> tuple[Attribute, ...]:
        return self.block.outputs


def _replacement_paths(
    schema: BlockSchema,
    prior: Mapping[str, Any],
    proposed: Mapping[str, Any],
    prefix: AttributePath,
) -> list[AttributePath]:
    paths: list[AttributePath] = []
    for attribute in schema.inputs:
        if not attribute.forces_replacement:
            continue
        before, _ = unmark(prior.get(attribute.name))
        after, _ = unmark(proposed.get(attribute.name))
        if after is UNKNOWN or before != after:
            paths.append((*prefix, attribute.name))
    for nested in schema.blocks:
        before_blocks = _block_values(prior.get(nested.name))
        after_blocks = _block_values(proposed.get(nested.name))
        if len(before_blocks) != len(after_blocks) or [b.labels for b in before_blocks] != [
            a.labels for a in after_blocks
        ]:
            if _forces_replacement(nested.block):
                paths.append((*prefix, nested.name))
            continue
        for index, (before, after) in enumerate(zip(before_blocks, after_blocks, strict=True)):
            paths.extend(
                _replacement_paths(
                    nested.block, before.config, after.config, (*prefix, nested.name, index)
                )
            )
    return paths


def _forces_replacement(schema: BlockSchema) -> bool:
    return any(a.forces_replacement for a in schema.inputs) or any(
        _forces_replacement(b.block) for b in schema.blocks
    )


def _block_values(value: Any) -> list[BlockValue]:
    return [b for b in value if isinstance(b, BlockValue)] if isinstance(value, list) else []
