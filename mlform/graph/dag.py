"""`DependencyGraph`: nodes keyed by string, with cycle reporting and DOT output."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import networkx as nx


@dataclass(frozen=True)
class Cycle:
    """Nodes in dependency order; the first node is repeated at the end when printed."""

    nodes: tuple[str, ...]

    def __str__(self) -> str:
        return " -> ".join((*self.nodes, self.nodes[0]))


class DependencyGraph:
    def __init__(self) -> None:
        self._graph: nx.DiGraph = nx.DiGraph()

    def add_node(self, key: str, **attributes: object) -> None:
        self._graph.add_node(key, **attributes)

    def add_edge(self, dependency: str, dependent: str) -> None:
        """`dependent` needs `dependency` first."""
        self._graph.add_edge(dependency, dependent)

    def __contains__(self, key: object) -> bool:
        return key in self._graph

    def __len__(self) -> int:
        return int(self._graph.number_of_nodes())

    def nodes(self) -> list[str]:
        return sorted(self._graph.nodes)

    def attributes(self, key: str) -> Mapping[str, object]:
        return dict(self._graph.nodes[key])

    def edges(self) -> list[tuple[str, str]]:
        return sorted(self._graph.edges)

    def dependencies(self, key: str) -> list[str]:
        return sorted(self._graph.predecessors(key))

    def dependents(self, key: str) -> list[str]:
        return sorted(self._graph.successors(key))

    def ancestors(self, key: str) -> set[str]:
        return set(nx.ancestors(self._graph, key))

    def descendants(self, key: str) -> set[str]:
        return set(nx.descendants(self._graph, key))

    def cycles(self) -> list[Cycle]:
        """One cycle per strongly connected component that has one, deterministic."""
        found = []
        for component in sorted(nx.strongly_connected_components(self._graph), key=min):
            if len(component) == 1:
                node = next(iter(component))
                if self._graph.has_edge(node, node):
                    found.append(Cycle((node,)))
                continue
            start = min(component)
            path = self._cycle_through(start, component)
            found.append(Cycle(tuple(path)))
        return found

    def _cycle_through(self, start: str, component: set[str]) -> list[str]:
        # breadth-first search back to `start`: the shortest cycle through it
        previous: dict[str, str] = {}
        frontier = [start]
        while frontier:
            next_frontier = []
            for node in frontier:
                for successor in sorted(self._graph.successors(node)):
                    if successor not in component:
                        continue
                    if successor == start:
                        path = [node]
                        while path[-1] != start:
                            path.append(previous[path[-1]])
                        return list(reversed(path))
                    if successor not in previous:
                        previous[successor] = node
                        next_frontier.append(successor)
            frontier = next_frontier
        return [start]  # pragma: no cover - a strongly connected component always cycles

    def topological_order(self) -> list[str]:
        """Dependencies first; ties broken by name so the order is stable."""
        return list(nx.lexicographical_topological_sort(self._graph))

    def subgraph(self, keys: Iterable[str]) -> DependencyGraph:
        graph = DependencyGraph()
        graph._graph = self._graph.subgraph(keys).copy()
        return graph

    def to_dot(
        self, name: str = "mlform", attributes_of: Mapping[str, Mapping[str, str]] | None = None
    ) -> str:
        """DOT text, nodes and edges sorted, so the output is stable for diffs."""
        lines = [
            f"digraph {_quote(name)} {{",
            "  rankdir = LR;",
            '  node [shape = box, fontname = "Helvetica"];',
        ]
        for node in self.nodes():
            extra = (attributes_of or {}).get(node, {})
            rendered = "".join(f", {k} = {_quote(v)}" for k, v in sorted(extra.items()))
            lines.append(f"  {_quote(node)} [label = {_quote(node)}{rendered}];")
        for dependency, dependent in self.edges():
            lines.append(f"  {_quote(dependency)} -> {_quote(dependent)};")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def __iter__(self) -> Iterator[str]:
        return iter(self.nodes())


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
