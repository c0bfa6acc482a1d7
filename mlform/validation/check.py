"""`validate_directory`: everything that can be checked without running anything.

Load, resolve variables, check every reference, build the dependency graph (reporting
cycles as the cycle itself), then evaluate locals, resources and outputs in dependency order:
each resource instance is decoded against its kind's schema and given to its provider's
`validate`. Every problem found is collected; nothing stops at the first error.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from mlform.addresses import Address
from mlform.diagnostics import Diagnostic, Diagnostics, SourceRange, error
from mlform.errors import MlformError
from mlform.graph import DependencyGraph
from mlform.language import ast
from mlform.language.config import Configuration, ResourceDecl
from mlform.language.evaluator import EvaluationError, Scope, evaluate
from mlform.language.loader import load_configuration
from mlform.language.values import (
    UNKNOWN,
    Sensitive,
    contains_sensitive,
    is_number,
    type_name,
    unmark,
    with_article,
)
from mlform.language.variables import Mode, VariableInput, collect_values, resolve_variables
from mlform.sdk import ProviderRegistry, ResourceSchema, ValidateRequest
from mlform.validation.decode import Decoded, decode_body
from mlform.validation.references import Context, check_traversal


@dataclass
class Instance:
    address: Address
    resource: ResourceDecl
    decoded: Decoded


@dataclass
class ValidationResult:
    config: Configuration
    diagnostics: Diagnostics
    variables: dict[str, Any] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    instances: dict[str, Instance] = field(default_factory=dict)
    graph: DependencyGraph = field(
        default_factory=DependencyGraph
    )  # blocks: local., output., resources
    instance_graph: DependencyGraph = field(default_factory=DependencyGraph)
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The settings of each `provider "NAME"` block, evaluated (`PlanRequest.providers`)."""


def validate_directory(
    directory: Path,
    registry: ProviderRegistry,
    inputs: Sequence[VariableInput] = (),
    environ: Mapping[str, str] | None = None,
    mode: Mode = Mode.VALIDATE,
    checker: type[Checker] | None = None,
    **checker_arguments: Any,
) -> ValidationResult:
    """Validate a directory. `checker` swaps in a subclass of `Checker` (the planner walks
    the same way, deciding each instance's action as it goes)."""
    config, diagnostics = load_configuration(directory, registry.kinds())
    result = ValidationResult(config, diagnostics)
    provided = collect_values(
        config, inputs, os.environ if environ is None else environ, diagnostics
    )
    result.variables = resolve_variables(config, provided, mode, diagnostics)
    (checker or Checker)(result, registry, **checker_arguments).run()
    return result


@dataclass
class _EchoFilter(Diagnostics):
    """Appends to a shared list, leaving out diagnostics inside one of the `covered` ranges."""

    covered: list[SourceRange] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        at = diagnostic.range
        if at is not None and any(
            at.filename == r.filename
            and (r.line, r.column) <= (at.line, at.column) < (r.end_line, r.end_column)
            for r in self.covered
        ):
            return
        super().add(diagnostic)


class Checker:
    def __init__(self, result: ValidationResult, registry: ProviderRegistry):
        self.result = result
        self.config = result.config
        self.diagnostics = result.diagnostics
        # evaluation errors go through this filter: one inside a reference already reported
        # as wrong is that error's echo ("the map has no element" after "takes no index")
        self.evaluation_diagnostics = _EchoFilter(self.diagnostics.items)
        self.registry = registry
        self.objects: dict[str, dict[str, Any]] = {}  # kind -> name -> object (for scopes)
        self.schema = cache(self._schema)

    def _schema(self, kind: str) -> ResourceSchema | None:
        if kind not in self.registry:
            return None
        try:
            return self.registry.get(kind).schema
        except MlformError as exc:
            self.diagnostics.add(error(str(exc)))
            return None

    # the dependency graph --------------------------------------------------------------------

    def run(self) -> None:
        """Build the graph, then visit every node in dependency order."""
        if self.build_graph():
            self.walk()

    def build_graph(self) -> bool:
        """The dependency graph of locals, resources and outputs; False when it has cycles
        (each reported), so nothing can be evaluated."""
        graph = self.result.graph
        ranges: dict[str, SourceRange] = {}
        for name, local in self.config.locals.items():
            node = f"local.{name}"
            graph.add_node(node)
            ranges[node] = local.range
            self._edges(node, [local.expression], Context(node))
        for address, resource in self.config.resources.items():
            graph.add_node(address)
            ranges[address] = resource.name_range
            self._edges(address, list(_resource_expressions(resource)), Context(address, resource))
            if resource.for_each is not None:
                self._edges(
                    address, [resource.for_each], Context(address, resource, in_for_each=True)
                )
            for traversal in (*resource.depends_on, *resource.lifecycle.replace_triggered_by):
                self._edge(address, traversal, Context(address, resource))
        for name, output in self.config.outputs.items():
            node = f"output.{name}"
            graph.add_node(node)
            ranges[node] = output.range
            self._edges(node, [output.value], Context(node))
            for traversal in output.depends_on:
                self._edge(node, traversal, Context(node))
        cycles = graph.cycles()
        for cycle in cycles:
            first = cycle.nodes[0]
            # printed in the order of the references: each node refers to the next
            path = " -> ".join((first, *reversed(cycle.nodes[1:]), first))
            self.diagnostics.add(
                error(
                    f"dependency cycle: {path}; break it by removing one of these references",
                    ranges.get(first),
                    first,
                )
            )
        if cycles:
            return False
        self._settings()
        return True

    def walk(self) -> None:
        """Visit the nodes one after another; the applier overrides this to run them in
        parallel as their dependencies complete."""
        for node in self.result.graph.topological_order():
            self.visit(node)

    def visit(self, node: str) -> None:
        if node.startswith("local."):
            self._local(node.removeprefix("local."))
        elif node.startswith("output."):
            self._output(node.removeprefix("output."))
        else:
            self._resource(self.config.resources[node])

    def _edges(self, node: str, expressions: list[ast.Expression], context: Context) -> None:
        for expression in expressions:
            for traversal in ast.traversals(expression):
                self._edge(node, traversal, context)

    def _edge(self, node: str, traversal: ast.Traversal, context: Context) -> None:
        reported = len(self.diagnostics)
        target = check_traversal(traversal, self.config, self.schema, context, self.diagnostics)
        if len(self.diagnostics) > reported:
            self.evaluation_diagnostics.covered.append(traversal.range)
        if target is not None and not target.startswith("var.") and target != node:
            self.result.graph.add_edge(target, node)
        elif target == node:
            self.diagnostics.add(error(f"{node} refers to itself", traversal.range, node))

    # evaluation ------------------------------------------------------------------------------

    def scope(
        self, extra: Mapping[str, Any] | None = None, hints: Mapping[str, str] | None = None
    ) -> Scope:
        directory = str(self.config.directory)
        names: dict[str, Any] = {
            "var": self.result.variables,
            "local": self.result.locals,
            "path": {"module": directory, "root": directory, "cwd": os.getcwd()},
            **self.objects,
        }
        if extra:
            names.update(extra)
        return Scope(names, self.config.directory, hints=hints or {})

    def _evaluate(self, expression: ast.Expression, scope: Scope, address: str) -> Any:
        try:
            return evaluate(expression, scope)
        except EvaluationError as exc:
            self.evaluation_diagnostics.add(error(exc.message, exc.range, address))
            return UNKNOWN

    def _settings(self) -> None:
        if self.config.settings is not None:
            for attribute in self.config.settings.attributes.values():
                value = self._evaluate(attribute.expression, self.scope(), "mlform")
                plain, _ = unmark(value)
                if plain is not UNKNOWN and not isinstance(plain, str):
                    self.diagnostics.add(
                        error(
                            f'"{attribute.name}" must be a string',
                            attribute.expression.range,
                            "mlform",
                        )
                    )
        for name, provider in self.config.providers.items():
            self.result.providers[name] = {
                attribute.name: self._evaluate(
                    attribute.expression, self.scope(), f"provider.{name}"
                )
                for attribute in provider.body.attributes.values()
            }

    def _local(self, name: str) -> None:
        local = self.config.locals[name]
        self.result.locals[name] = self._evaluate(local.expression, self.scope(), f"local.{name}")

    def _output(self, name: str) -> None:
        output = self.config.outputs[name]
        address = f"output.{name}"
        value = self._evaluate(output.value, self.scope(), address)
        if contains_sensitive(value) and not output.sensitive:
            self.diagnostics.add(
                error(
                    "this output's value is derived from a sensitive value; add sensitive = true to the "
                    "output block, so that mlform will not print it",
                    output.value.range,
                    address,
                )
            )
        self.result.outputs[name] = Sensitive(value) if output.sensitive else value

    def _resource(self, resource: ResourceDecl) -> None:
        schema = self.schema(resource.kind)
        instances = self.decode_instances(resource)
        if schema is None or instances is None:
            return
        self.publish(
            resource,
            [
                (i.address, self.instance_object(resource, i.address, schema, i.decoded))
                for i in instances
            ],
        )

    def decode_instances(self, resource: ResourceDecl) -> list[Instance] | None:
        """Expand `count`/`for_each`, decode each instance against its schema and have its
        provider validate it; None when the resource cannot be evaluated at all."""
        schema = self.schema(resource.kind)
        if schema is None:
            return None
        if resource.count is not None and resource.for_each is not None:
            # the loader reported it; which one was meant is anyone's guess, so the
            # instances are unknown rather than guessed (and their errors made up)
            self.objects.setdefault(resource.kind, {})[resource.name] = UNKNOWN
            return None
        instances = []
        for address, extra, hints in self._expand(resource):
            decoded = decode_body(
                resource.body,
                schema.block,
                self.scope(extra, hints),
                str(address),
                resource.kind,
                resource.range,
                self.evaluation_diagnostics,
            )
            instance = Instance(address, resource, decoded)
            self.result.instances[str(address)] = instance
            self._provider_validate(resource, address, decoded)
            instances.append(instance)
        return instances

    def publish(self, resource: ResourceDecl, objects: list[tuple[Address, Any]]) -> None:
        """Make the instances' objects visible to the expressions that refer to them."""
        kind_objects = self.objects.setdefault(resource.kind, {})
        if resource.count is not None:
            keys_known = all(isinstance(a.key, int) for a, _ in objects)
            kind_objects[resource.name] = [o for _, o in objects] if keys_known else UNKNOWN
        elif resource.for_each is not None:
            keys_known = all(isinstance(a.key, str) for a, _ in objects)
            kind_objects[resource.name] = {a.key: o for a, o in objects} if keys_known else UNKNOWN
        else:
            kind_objects[resource.name] = objects[0][1] if objects else UNKNOWN
        for address, _ in objects:
            self.result.instance_graph.add_node(str(address))

    def upstream_objects(self, resource: ResourceDecl) -> dict[str, Mapping[str, Any]]:
        """The objects of the instances this resource depends on, directly or through other
        resources and locals, by id; instances whose id is not known yet are left out.

        A provider follows its references through them: an evaluation finds its model by
        the id in its `model` input, then the model's split by the id in the model's."""
        graph = self.result.graph
        found: dict[str, Mapping[str, Any]] = {}
        seen: set[str] = set()
        stack = list(graph.dependencies(resource.address))
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            stack += graph.dependencies(node)
            declared = self.config.resources.get(node)
            if declared is None:
                continue
            published = self.objects.get(declared.kind, {}).get(declared.name)
            if isinstance(published, list):
                candidates: list[Any] = published
            elif isinstance(published, dict) and "id" not in published:
                candidates = list(published.values())
            else:
                candidates = [published]
            for candidate in candidates:
                plain, _ = unmark(candidate)
                if isinstance(plain, dict) and isinstance(plain.get("id"), str):
                    found[plain["id"]] = plain
        return found

    def instance_object(
        self, resource: ResourceDecl, address: Address, schema: ResourceSchema, decoded: Decoded
    ) -> Any:
        """What references to this instance see: before apply, its inputs and unknown outputs."""
        return _object(schema, decoded.config)

    def _expand(
        self, resource: ResourceDecl
    ) -> Iterator[tuple[Address, dict[str, Any], dict[str, str]]]:
        each_hint = {
            "each": "each.key and each.value exist only inside a resource that sets for_each"
        }
        count_hint = {"count": "count.index exists only inside a resource that sets count"}
        address = resource.address
        if resource.count is not None:
            value, sensitive = unmark(self._evaluate(resource.count, self.scope(), address))
            if value is UNKNOWN:
                yield (
                    Address(resource.kind, resource.name, "*"),
                    {"count": {"index": UNKNOWN}},
                    each_hint,
                )
                return
            if sensitive or not is_number(value) or value < 0 or not float(value).is_integer():
                self.diagnostics.add(
                    error(
                        "count must be a whole number, zero or more"
                        + (", and not sensitive" if sensitive else ""),
                        resource.count.range,
                        address,
                    )
                )
                return
            for index in range(int(value)):
                yield (
                    Address(resource.kind, resource.name, index),
                    {"count": {"index": index}},
                    each_hint,
                )
            return
        if resource.for_each is not None:
            scope = self.scope(
                hints={"each": "a for_each expression cannot refer to each; it defines it"}
            )
            value = self._evaluate(resource.for_each, scope, address)
            for key, item in self._for_each_items(value, resource.for_each.range, address):
                yield (
                    Address(resource.kind, resource.name, key),
                    {"each": {"key": key, "value": item}},
                    count_hint,
                )
            return
        yield Address(resource.kind, resource.name), {}, {**each_hint, **count_hint}

    def _for_each_items(
        self, value: Any, range: SourceRange, address: str
    ) -> list[tuple[Any, Any]]:
        if isinstance(value, Sensitive):
            self.diagnostics.add(
                error(
                    "for_each cannot use a sensitive value: its keys become part of resource addresses, which are printed",
                    range,
                    address,
                )
            )
            return []
        if value is UNKNOWN:
            return [("*", UNKNOWN)]
        if isinstance(value, dict):
            return sorted(value.items())
        if isinstance(value, list):
            keys = []
            for item in value:
                plain, _ = unmark(item)
                if not isinstance(plain, str):
                    self.diagnostics.add(
                        error(
                            "for_each takes a map, or a set of strings; this list holds "
                            f"{with_article(type_name(plain))}; use toset([...]) of strings or a map",
                            range,
                            address,
                        )
                    )
                    return []
                if plain in keys:
                    self.diagnostics.add(
                        error(
                            f'for_each lists "{plain}" twice; keys must be unique (use toset() to drop duplicates)',
                            range,
                            address,
                        )
                    )
                    return []
                keys.append(plain)
            return [(key, key) for key in sorted(keys)]
        if value is None:
            self.diagnostics.add(
                error("for_each cannot be null; give a map or a set of strings", range, address)
            )
            return []
        self.diagnostics.add(
            error(
                f"for_each takes a map, or a set of strings, not {with_article(type_name(value))}",
                range,
                address,
            )
        )
        return []

    def _provider_validate(
        self, resource: ResourceDecl, address: Address, decoded: Decoded
    ) -> None:
        provider = self.registry.get(resource.kind)
        try:
            response = provider.validate(
                ValidateRequest(
                    str(address),
                    decoded.config,
                    create_before_destroy=resource.lifecycle.create_before_destroy,
                )
            )
        except Exception as exc:  # a provider bug must not look like the user's mistake
            self.diagnostics.add(
                error(
                    f"the {resource.kind} provider failed while validating ({type(exc).__name__}: {exc}); "
                    "this is a bug in the provider, please report it",
                    resource.name_range,
                    str(address),
                )
            )
            return
        for diagnostic in response.diagnostics:
            range = decoded.range_of(diagnostic.path, resource.name_range)
            self.diagnostics.add(
                Diagnostic(diagnostic.severity, diagnostic.message, range, str(address))
            )


def _object(schema: ResourceSchema, config: Mapping[str, Any]) -> dict[str, Any]:
    """What `kind.name` evaluates to before apply: its inputs, and outputs still unknown.

    An output may share its name with an input (`evaluation.metrics`: the names asked for,
    then the values measured); a reference sees the output.
    """
    value: dict[str, Any] = {a.name: config.get(a.name) for a in schema.block.inputs}
    for nested in schema.block.blocks:
        value[nested.name] = [dict(b.config) for b in config.get(nested.name, [])]
    value.update({a.name: UNKNOWN for a in schema.block.outputs})
    return value


def _resource_expressions(resource: ResourceDecl) -> Iterator[ast.Expression]:
    if resource.count is not None:
        yield resource.count
    yield from _body_expressions(resource.body)


def _body_expressions(body: ast.Body) -> Iterator[ast.Expression]:
    for attribute in body.attributes.values():
        yield attribute.expression
    for block in body.blocks:
        yield from _body_expressions(block.body)
