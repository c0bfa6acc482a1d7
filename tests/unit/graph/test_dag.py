from __future__ import annotations

import pytest

from mlform.graph import Cycle, DependencyGraph


def chain(*pairs: tuple[str, str]) -> DependencyGraph:
    graph = DependencyGraph()
    for dependency, dependent in pairs:
        graph.add_edge(dependency, dependent)
    return graph


def test_topological_order_puts_dependencies_first_and_is_stable():
    graph = chain(("split.s", "model.b"), ("split.s", "model.a"), ("dataset.d", "split.s"))
    assert graph.topological_order() == ["dataset.d", "split.s", "model.a", "model.b"]


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ([("a", "b"), ("b", "a")], ["a -> b -> a"]),
        ([("a", "a")], ["a -> a"]),
        ([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")], ["a -> b -> c -> a"]),
        ([("a", "b"), ("b", "a"), ("x", "y"), ("y", "x")], ["a -> b -> a", "x -> y -> x"]),
        ([("a", "b"), ("b", "c")], []),
    ],
)
def test_cycles_are_reported_as_the_cycle(edges, expected):
    assert [str(c) for c in chain(*edges).cycles()] == expected


def test_cycle_prints_the_first_node_again():
    assert str(Cycle(("dataset.a", "dataset.b"))) == "dataset.a -> dataset.b -> dataset.a"


def test_ancestors_and_descendants():
    graph = chain(("a", "b"), ("b", "c"), ("x", "c"))
    assert graph.ancestors("c") == {"a", "b", "x"}
    assert graph.descendants("a") == {"b", "c"}
    assert graph.dependencies("c") == ["b", "x"]
    assert graph.dependents("a") == ["b"]


def test_dot_is_sorted_and_quoted():
    graph = chain(("b", 'm["x"]'), ("a", "b"))
    dot = graph.to_dot("g", {"a": {"color": "red"}})
    assert dot.splitlines() == [
        'digraph "g" {',
        "  rankdir = LR;",
        '  node [shape = box, fontname = "Helvetica"];',
        '  "a" [label = "a", color = "red"];',
        '  "b" [label = "b"];',
        '  "m[\\"x\\"]" [label = "m[\\"x\\"]"];',
        '  "a" -> "b";',
        '  "b" -> "m[\\"x\\"]";',
        "}",
    ]


def test_graph_package_imports_nothing_else_from_mlform():
    import ast
    from pathlib import Path

    import mlform.graph

    for path in Path(mlform.graph.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("mlform")
            ):
                assert node.module.startswith("mlform.graph"), f"{path.name} imports {node.module}"
