"""Static reference checks: every `var.x`, `local.y`, `dataset.z.rows` names something real.

These run on the syntax tree before anything is evaluated, so a typo is reported with its
position and a suggestion even where the value would be unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mlform.diagnostics import Diagnostics, error
from mlform.language import ast
from mlform.language.config import Configuration, ResourceDecl
from mlform.language.evaluator import suggest
from mlform.language.values import with_article
from mlform.sdk import ResourceSchema

PATH_ATTRIBUTES = ("cwd", "module", "root")


@dataclass(frozen=True)
class Context:
    """Where an expression sits, which decides the names it may use."""

    address: str | None  # for messages
    resource: ResourceDecl | None = None  # inside a resource body: each/count availability
    in_for_each: bool = False  # the for_each expression itself may not use each


def check_traversal(
    traversal: ast.Traversal,
    config: Configuration,
    schemas: Callable[[str], ResourceSchema | None],
    context: Context,
    diagnostics: Diagnostics,
) -> str | None:
    """Report a reference that names nothing; return the address it depends on, if any."""

    def fail(message: str) -> None:
        diagnostics.add(error(message, traversal.range, context.address))

    root, steps = traversal.root, traversal.steps
    first = steps[0] if steps else None
    if root == "var":
        if not isinstance(first, str):
            fail("var must be followed by a variable name, as in var.max_depth")
        elif first not in config.variables:
            fail(
                f'reference to undeclared variable "{first}"'
                + (
                    suggest(first, config.variables)
                    or f'; declare it with a variable "{first}" block'
                )
            )
        else:
            return f"var.{first}"
        return None
    if root == "local":
        if not isinstance(first, str):
            fail("local must be followed by a local value's name, as in local.features")
        elif first not in config.locals:
            fail(
                f'reference to undeclared local value "{first}"'
                + (suggest(first, config.locals) or "; declare it in a locals block")
            )
        else:
            return f"local.{first}"
        return None
    if root == "each":
        resource = context.resource
        if context.in_for_each:
            fail("the for_each expression cannot refer to each: it is what defines each")
        elif resource is None or resource.for_each is None:
            fail("each.key and each.value exist only inside a resource that sets for_each")
        elif first not in ("key", "value"):
            fail('each has only "key" and "value"')
        return None
    if root == "count":
        resource = context.resource
        if resource is None or resource.count is None:
            fail("count.index exists only inside a resource that sets count")
        elif first != "index":
            fail('count has only "index"')
        return None
    if root == "path":
        if first not in PATH_ATTRIBUTES:
            fail('path has only "module", "root" and "cwd"')
        return None
    schema = schemas(root)
    if schema is None:
        names = [
            "var",
            "local",
            "each",
            "count",
            "path",
            *{r.kind for r in config.resources.values()},
        ]
        fail(f'unknown name "{root}"{suggest(root, names)}')
        return None
    return _check_resource_traversal(traversal, config, schema, fail)


def _check_resource_traversal(
    traversal: ast.Traversal,
    config: Configuration,
    schema: ResourceSchema,
    fail: Callable[[str], None],
) -> str | None:
    kind, steps = traversal.root, traversal.steps
    if not steps or not isinstance(steps[0], str):
        fail(f"a reference to {with_article(kind)} names it, as in {kind}.NAME")
        return None
    name = steps[0]
    address = f"{kind}.{name}"
    resource = config.resources.get(address)
    if resource is None:
        same_kind = [r.address for r in config.resources.values() if r.kind == kind]
        fail(f'reference to undeclared resource "{address}"{suggest(address, same_kind)}')
        return None
    rest = steps[1:]
    expanded = resource.count is not None or resource.for_each is not None
    if expanded and rest and isinstance(rest[0], str) and _has_attribute(schema, rest[0]):
        meta = "count" if resource.count is not None else "for_each"
        example = f"{address}[0]" if meta == "count" else f'{address}["KEY"]'
        fail(
            f"{address} has {meta} set, so it is a collection of instances; "
            f"refer to one instance, as in {example}.{rest[0]}, or to all with {address}[*].{rest[0]}"
        )
        return address
    if not expanded and rest and isinstance(rest[0], int):
        fail(
            f"{address} has neither count nor for_each, so it takes no index; remove the [{rest[0]}]"
        )
        return address
    if expanded and rest:
        rest = rest[1:]
    if rest and isinstance(rest[0], str):
        attribute = rest[0]
        if not _has_attribute(schema, attribute):
            candidates = [a.name for a in schema.block.attributes] + [
                b.name for b in schema.block.blocks
            ]
            hint = suggest(attribute, candidates)
            listing = f"its attributes are {', '.join(sorted(set(candidates)))}"
            fail(
                f'{with_article(kind)} has no attribute "{attribute}"'
                + (f"{hint} ({listing})" if hint else f"; {listing}")
            )
    return address


def _has_attribute(schema: ResourceSchema, name: str) -> bool:
    block = schema.block
    return any(
        lookup(name) is not None for lookup in (block.get_input, block.get_output, block.get_block)
    )
