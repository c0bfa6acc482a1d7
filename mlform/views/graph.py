"""The dependency graph of resource instances, as DOT."""

from __future__ import annotations

from mlform.graph import DependencyGraph
from mlform.validation import ValidationResult

_COLORS = {
    "dataset": "#dbeafe",
    "split": "#e0e7ff",
    "model": "#fce7f3",
    "evaluation": "#fef3c7",
    "endpoint": "#dcfce7",
}


def instance_graph_dot(result: ValidationResult) -> str:
    """Resource instances only: locals and outputs are looked through, not drawn."""
    block_graph = result.graph
    instances_of: dict[str, list[str]] = {}
    for address, instance in result.instances.items():
        instances_of.setdefault(instance.resource.address, []).append(address)
    graph = DependencyGraph()
    for address in result.instances:
        graph.add_node(address)
    for resource, instances in instances_of.items():
        for upstream in _resource_dependencies(block_graph, resource):
            for dependency in instances_of.get(upstream, []):
                for dependent in instances:
                    graph.add_edge(dependency, dependent)
    attributes = {
        address: {"style": "filled", "fillcolor": _COLORS.get(instance.address.kind, "#f3f4f6")}
        for address, instance in result.instances.items()
    }
    return graph.to_dot("mlform", attributes)


def _resource_dependencies(graph: DependencyGraph, node: str) -> set[str]:
    """The resources `node` depends on, directly or through locals."""
    found: set[str] = set()
    stack = list(graph.dependencies(node))
    seen: set[str] = set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        if current.startswith(("local.", "output.")):
            stack.extend(graph.dependencies(current))
        else:
            found.add(current)
    return found
