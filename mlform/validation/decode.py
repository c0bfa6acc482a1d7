"""Decoding a resource body against its kind's schema.

The result is the configuration a provider sees (attribute values converted to their
types, defaults filled in, nested blocks as `BlockValue`s) together with the source range of
every attribute path, so that a provider's diagnostic lands on the right line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlform.diagnostics import Diagnostics, SourceRange, error
from mlform.language import ast
from mlform.language.evaluator import EvaluationError, Scope, evaluate, suggest
from mlform.language.types import TypeMismatch
from mlform.language.values import UNKNOWN, Sensitive, with_article
from mlform.sdk import AttributePath, BlockSchema, BlockValue, Nesting, ResourceRef


@dataclass
class Decoded:
    config: dict[str, Any]
    ranges: dict[AttributePath, SourceRange] = field(default_factory=dict)

    def range_of(self, path: AttributePath, fallback: SourceRange) -> SourceRange:
        """The range of the longest prefix of `path` that has one."""
        for end in range(len(path), 0, -1):
            found = self.ranges.get(tuple(path[:end]))
            if found is not None:
                return found
        return fallback


def decode_body(
    body: ast.Body,
    schema: BlockSchema,
    scope: Scope,
    address: str,
    kind: str,
    block_range: SourceRange,
    diagnostics: Diagnostics,
) -> Decoded:
    decoded = Decoded({})
    decoded.config = _decode(
        body, schema, scope, address, kind, block_range, diagnostics, (), decoded
    )
    return decoded


def _decode(
    body: ast.Body,
    schema: BlockSchema,
    scope: Scope,
    address: str,
    what: str,
    block_range: SourceRange,
    diagnostics: Diagnostics,
    prefix: AttributePath,
    decoded: Decoded,
) -> dict[str, Any]:
    def fail(message: str, range: SourceRange) -> None:
        diagnostics.add(error(message, range, address))

    config: dict[str, Any] = {}
    for name, attribute in body.attributes.items():
        spec = schema.get_input(name) or schema.get_output(name)
        if spec is None:
            if schema.get_block(name) is not None:
                fail(
                    f'"{name}" is a block, not an argument; write {name} {{ ... }}',
                    attribute.name_range,
                )
            else:
                fail(
                    f'unknown attribute "{name}"{suggest(name, schema.input_names)}',
                    attribute.name_range,
                )
            continue
        if spec.computed:
            fail(
                f'"{name}" is an output of {with_article(what)}, computed by mlform; it cannot be set',
                attribute.name_range,
            )
            continue
        if spec.name in config:
            fail(
                f'"{name}" and "{spec.name}" name the same attribute; set it once',
                attribute.name_range,
            )
            continue
        path = (*prefix, spec.name)
        decoded.ranges[path] = attribute.expression.range
        if isinstance(spec.type, ResourceRef):
            _check_resource_reference(attribute, spec.type.kind, fail)
        try:
            value = evaluate(attribute.expression, scope)
        except EvaluationError as exc:
            fail(exc.message, exc.range)
            config[spec.name] = UNKNOWN
            continue
        try:
            value = spec.type.convert(value)
        except TypeMismatch as exc:
            where = (
                f'"{spec.name}{exc.path}"'
                if exc.path and exc.path.startswith("[")
                else (f'"{spec.name}.{exc.path}"' if exc.path else f'"{spec.name}"')
            )
            fail(f"{where}: {exc.message}", attribute.expression.range)
            config[spec.name] = UNKNOWN
            continue
        if spec.sensitive and value is not None and not isinstance(value, Sensitive):
            value = Sensitive(value)
        config[spec.name] = value
    for spec in schema.inputs:
        if spec.name in config:
            continue
        if spec.required:
            fail(
                f'missing required attribute "{spec.name}": {spec.description}'.rstrip(": "),
                block_range,
            )
        config[spec.name] = spec.default
    _decode_blocks(
        body, schema, scope, address, what, block_range, diagnostics, prefix, decoded, config
    )
    return config


def _decode_blocks(
    body: ast.Body,
    schema: BlockSchema,
    scope: Scope,
    address: str,
    what: str,
    block_range: SourceRange,
    diagnostics: Diagnostics,
    prefix: AttributePath,
    decoded: Decoded,
    config: dict[str, Any],
) -> None:
    def fail(message: str, range: SourceRange) -> None:
        diagnostics.add(error(message, range, address))

    counts: dict[str, int] = {}
    for block in body.blocks:
        spec = schema.get_block(block.type)
        if spec is None:
            if schema.get_input(block.type) is not None:
                fail(
                    f'"{block.type}" is an argument, not a block; write {block.type} = ...',
                    block.type_range,
                )
            else:
                fail(
                    f'unknown block "{block.type}"{suggest(block.type, schema.input_names)}',
                    block.type_range,
                )
            continue
        wanted_labels = len(spec.labels) if spec.nesting is Nesting.LABELLED else 0
        if len(block.labels) != wanted_labels:
            if wanted_labels:
                example = " ".join(f'"{label.upper()}"' for label in spec.labels)
                fail(
                    f"a {spec.name} block takes {wanted_labels} label(s): {spec.name} {example} {{ ... }}",
                    block.type_range,
                )
            else:
                fail(
                    f"a {spec.name} block takes no labels: {spec.name} {{ ... }}", block.type_range
                )
            continue
        index = counts.get(spec.name, 0)
        counts[spec.name] = index + 1
        if spec.nesting is Nesting.SINGLE and index >= 1:
            fail(f"only one {spec.name} block is allowed here; merge them", block.type_range)
            continue
        if spec.max_items is not None and index >= spec.max_items:
            fail(
                f"at most {spec.max_items} {spec.name} block(s) are allowed here", block.type_range
            )
            continue
        path = (*prefix, spec.name, index)
        decoded.ranges[path] = block.type_range
        inner = _decode(
            block.body,
            spec.block,
            scope,
            address,
            f"{spec.name} block",
            block.type_range,
            diagnostics,
            path,
            decoded,
        )
        config.setdefault(spec.name, []).append(BlockValue(block.labels, inner))
    for spec in schema.blocks:
        found = counts.get(spec.name, 0)
        config.setdefault(spec.name, [])
        if found < spec.min_items:
            fail(f"at least {spec.min_items} {spec.name} block(s) are required here", block_range)
        if spec.nesting is Nesting.LABELLED and spec.unique_labels:
            seen: set[tuple[str, ...]] = set()
            for value in config[spec.name]:
                if value.labels in seen:
                    label = " ".join(f'"{part}"' for part in value.labels)
                    fail(
                        f"two {spec.name} blocks are labelled {label}; labels must be unique",
                        block_range,
                    )
                seen.add(value.labels)


def _check_resource_reference(attribute: ast.Attribute, kind: str, fail: Any) -> None:
    expression = attribute.expression
    if isinstance(expression, ast.Literal) and isinstance(expression.value, str):
        fail(
            f'"{attribute.name}" takes a reference to a {kind} resource, like {kind}.NAME, not a string; remove the quotes',
            expression.range,
        )
        return
    roots = {t.root for t in ast.traversals(expression)}
    others = {r for r in roots if r not in (kind, "var", "local", "each", "count")}
    if kind not in roots and others:
        other = sorted(others)[0]
        fail(
            f'"{attribute.name}" takes a reference to a {kind} resource, like {kind}.NAME; this refers to {with_article(other)}',
            expression.range,
        )
