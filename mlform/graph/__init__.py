"""A dependency graph of named nodes, built on networkx; it knows nothing of mlform.

Edges run from a dependency to what depends on it, so a topological order is an order in
which things can be built, and the DOT rendering reads left to right as data flows.
"""

from mlform.graph.dag import Cycle, DependencyGraph

__all__ = ["Cycle", "DependencyGraph"]
