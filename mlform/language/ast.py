"""The syntax tree of the mlform language, with a source range on every node.

These nodes are what `syntax` produces from python-hcl2's parse tree and what `evaluator`
walks. They are plain frozen values, so a configuration can be compared and hashed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from mlform.diagnostics import SourceRange

# Expressions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expression:
    range: SourceRange


@dataclass(frozen=True, slots=True)
class Literal(Expression):
    value: object  # str, int, float, bool or None


@dataclass(frozen=True, slots=True)
class TemplateExpr(Expression):
    """A quoted string or heredoc with interpolations or directives."""

    parts: tuple[TemplatePart, ...]


@dataclass(frozen=True, slots=True)
class TemplatePart:
    range: SourceRange


@dataclass(frozen=True, slots=True)
class TemplateText(TemplatePart):
    text: str


@dataclass(frozen=True, slots=True)
class TemplateInterpolation(TemplatePart):
    expression: Expression
    strip_left: bool = False
    strip_right: bool = False


@dataclass(frozen=True, slots=True)
class TemplateIf(TemplatePart):
    condition: Expression
    then_parts: tuple[TemplatePart, ...]
    else_parts: tuple[TemplatePart, ...]


@dataclass(frozen=True, slots=True)
class TemplateFor(TemplatePart):
    key_var: str | None
    value_var: str
    collection: Expression
    body: tuple[TemplatePart, ...]


@dataclass(frozen=True, slots=True)
class Variable(Expression):
    """A root name: `var`, `local`, `each`, `count`, `path`, a resource kind, a for variable."""

    name: str


@dataclass(frozen=True, slots=True)
class GetAttr(Expression):
    source: Expression
    name: str


@dataclass(frozen=True, slots=True)
class Index(Expression):
    source: Expression
    key: Expression


@dataclass(frozen=True, slots=True)
class SplatStep:
    """One step applied to each element of a splat: `.name` or `[key]`."""

    name: str | None
    key: Expression | None


@dataclass(frozen=True, slots=True)
class Splat(Expression):
    source: Expression
    steps: tuple[SplatStep, ...]
    full: bool  # `[*]` (full) or `.*` (attribute-only, legacy)


@dataclass(frozen=True, slots=True)
class FunctionCall(Expression):
    name: str
    arguments: tuple[Expression, ...]
    expand_final: bool  # `f(a, list...)`
    name_range: SourceRange


@dataclass(frozen=True, slots=True)
class BinaryOp(Expression):
    operator: str
    left: Expression
    right: Expression


@dataclass(frozen=True, slots=True)
class UnaryOp(Expression):
    operator: str  # "-" or "!"
    operand: Expression


@dataclass(frozen=True, slots=True)
class Conditional(Expression):
    condition: Expression
    true_result: Expression
    false_result: Expression


@dataclass(frozen=True, slots=True)
class TupleCons(Expression):
    items: tuple[Expression, ...]


@dataclass(frozen=True, slots=True)
class ObjectItem:
    key: Expression  # a bare identifier key is a string Literal
    value: Expression


@dataclass(frozen=True, slots=True)
class ObjectCons(Expression):
    items: tuple[ObjectItem, ...]


@dataclass(frozen=True, slots=True)
class ForExpr(Expression):
    key_var: str | None
    value_var: str
    collection: Expression
    key_result: Expression | None  # set for `{for ... : k => v}`
    value_result: Expression
    condition: Expression | None
    grouping: bool  # `...` after the value of an object for


@dataclass(frozen=True, slots=True)
class Parenthesized(Expression):
    expression: Expression


# Structure ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    expression: Expression
    range: SourceRange  # the whole `name = value`
    name_range: SourceRange


@dataclass(frozen=True, slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    body: Body
    range: SourceRange  # from the type to the closing brace
    type_range: SourceRange
    label_ranges: tuple[SourceRange, ...]


@dataclass(frozen=True, slots=True)
class Body:
    attributes: dict[str, Attribute]
    blocks: tuple[Block, ...]
    range: SourceRange

    def blocks_of(self, type_name: str) -> Iterator[Block]:
        return (b for b in self.blocks if b.type == type_name)


@dataclass(frozen=True, slots=True)
class File:
    filename: str
    body: Body
    lines: tuple[str, ...]  # the source, for quoting in diagnostics


# Traversals --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Traversal:
    """A static reference such as `dataset.churn.rows` or `var.max_depth`."""

    root: str
    steps: tuple[str | int, ...]  # attribute names, literal index keys
    range: SourceRange


def children(expression: Expression) -> Iterator[Expression]:
    """The direct sub-expressions of an expression."""
    match expression:
        case TemplateExpr(parts=parts):
            yield from _template_children(parts)
        case GetAttr(source=source):
            yield source
        case Index(source=source, key=key):
            yield source
            yield key
        case Splat(source=source, steps=steps):
            yield source
            yield from (s.key for s in steps if s.key is not None)
        case FunctionCall(arguments=arguments):
            yield from arguments
        case BinaryOp(left=left, right=right):
            yield left
            yield right
        case UnaryOp(operand=operand):
            yield operand
        case Conditional(condition=c, true_result=t, false_result=f):
            yield from (c, t, f)
        case TupleCons(items=items):
            yield from items
        case ObjectCons(items=items):
            for item in items:
                yield item.key
                yield item.value
        case ForExpr() as f:
            yield f.collection
            if f.key_result is not None:
                yield f.key_result
            yield f.value_result
            if f.condition is not None:
                yield f.condition
        case Parenthesized(expression=inner):
            yield inner


def _template_children(parts: tuple[TemplatePart, ...]) -> Iterator[Expression]:
    for part in parts:
        match part:
            case TemplateInterpolation(expression=e):
                yield e
            case TemplateIf(condition=c, then_parts=t, else_parts=e):
                yield c
                yield from _template_children(t)
                yield from _template_children(e)
            case TemplateFor(collection=c, body=b):
                yield c
                yield from _template_children(b)


def traversals(expression: Expression, bound: frozenset[str] = frozenset()) -> Iterator[Traversal]:
    """Every static reference in an expression, outermost chain first.

    `bound` holds names introduced by enclosing `for` expressions; they are not references.
    """
    chain = _as_traversal(expression)
    if chain is not None:
        if chain.root not in bound:
            yield chain
        # index keys inside a chain may hold references of their own
        node = expression
        while isinstance(node, GetAttr | Index):
            if isinstance(node, Index):
                yield from traversals(node.key, bound)
            node = node.source
        return
    if isinstance(expression, ForExpr):
        yield from traversals(expression.collection, bound)
        inner = (
            bound | {expression.value_var} | ({expression.key_var} if expression.key_var else set())
        )
        for sub in (expression.key_result, expression.value_result, expression.condition):
            if sub is not None:
                yield from traversals(sub, inner)
        return
    if isinstance(expression, TemplateExpr):
        yield from _template_traversals(expression.parts, bound)
        return
    for child in children(expression):
        yield from traversals(child, bound)


def _template_traversals(
    parts: tuple[TemplatePart, ...], bound: frozenset[str]
) -> Iterator[Traversal]:
    for part in parts:
        match part:
            case TemplateInterpolation(expression=e):
                yield from traversals(e, bound)
            case TemplateIf(condition=c, then_parts=t, else_parts=e):
                yield from traversals(c, bound)
                yield from _template_traversals(t, bound)
                yield from _template_traversals(e, bound)
            case TemplateFor(collection=c, body=b, key_var=k, value_var=v):
                yield from traversals(c, bound)
                yield from _template_traversals(b, bound | {v} | ({k} if k else set()))


def _as_traversal(expression: Expression) -> Traversal | None:
    steps: list[str | int] = []
    node = expression
    while True:
        if isinstance(node, GetAttr):
            steps.append(node.name)
            node = node.source
        elif isinstance(node, Index):
            key = node.key
            if (
                isinstance(key, Literal)
                and isinstance(key.value, str | int)
                and not isinstance(key.value, bool)
            ):
                steps.append(key.value)
            else:
                steps.append("*")  # a dynamic index: the chain stops being static here
            node = node.source
        elif isinstance(node, Variable):
            steps.reverse()
            if "*" in steps:
                steps = steps[: steps.index("*")]
            return Traversal(node.name, tuple(steps), expression.range)
        elif isinstance(node, Splat):
            inner = _as_traversal(node.source)
            return inner
        else:
            return None
