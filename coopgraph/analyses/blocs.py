"""Blocs of states per year (communities of a layer) and who changed bloc: the tables of
``coopgraph blocs``."""

from __future__ import annotations

from typing import Any

from coopgraph import project
from coopgraph.analyses.layers import layer, layer_series
from coopgraph.errors import UsageError
from coopgraph.metrics import blocs as bloc_metrics
from coopgraph.scope import Scope

BLOC_COLUMNS = ["layer", "year", "bloc", "size", "code", "nation", "ccode", "modularity"]


def check_method(method: str) -> None:
    """Refuse an unknown community detection method in one line."""
    if method not in bloc_metrics.METHODS:
        raise UsageError(f"unknown method '{method}' (one of: {', '.join(bloc_metrics.METHODS)})")


def blocs(
    scope: Scope,
    first: int,
    last: int | None = None,
    *,
    name: str = "alliances",
    method: str = "louvain",
) -> list[dict[str, Any]]:
    """Bloc membership per year: one row per state and year with its bloc number, the
    bloc's size and the partition's modularity (``coopgraph.metrics.blocs``)."""
    check_method(method)
    states = scope.states
    rows: list[dict[str, Any]] = []
    last = last if last is not None else first
    for year, graph in layer_series(scope, name, first, last).items():
        graph = _with_all_states(graph, states, year)
        partition = bloc_metrics.blocs(graph, method=method)
        q = bloc_metrics.modularity(graph, partition)
        # a partition with no modularity sums to +-1e-17 in an order set by hashing: 0.0
        q = 0.0 if abs(q) < 1e-12 else q
        for number, part in enumerate(partition, start=1):
            for node in sorted(part):
                rows.append(
                    {
                        "layer": name,
                        "year": year,
                        "bloc": number,
                        "size": len(part),
                        "code": node,
                        "nation": graph.nodes[node].get("label", node),
                        "ccode": states.ccode(node, year),
                        "modularity": q,
                    }
                )
    return rows


def _with_all_states(graph, states: project.StateYears, year: int):
    """The layer with every state of the year as a node: a state without ties is a bloc
    of its own, and leaving every alliance is a change of bloc."""
    for code in states.in_year(year):
        if code not in graph:
            graph.add_node(code, label=states.labels.get(code, code), kind="nation")
    return graph


CHANGE_COLUMNS = ["code", "nation", "year1", "bloc1", "year2", "bloc2"]


def bloc_changes(
    scope: Scope,
    year1: int,
    year2: int,
    *,
    name: str = "alliances",
    method: str = "louvain",
) -> list[dict[str, Any]]:
    """States that changed bloc between ``year1`` and ``year2`` (see
    ``coopgraph.metrics.blocs.changes``)."""
    states = scope.states
    before_graph = _with_all_states(layer(scope, name, year1), states, year1)
    after_graph = _with_all_states(layer(scope, name, year2), states, year2)
    before = bloc_metrics.blocs(before_graph, method=method)
    after = bloc_metrics.blocs(after_graph, method=method)
    return [
        {
            "code": node,
            "nation": after_graph.nodes[node].get("label", node),
            "year1": year1,
            "bloc1": old,
            "year2": year2,
            "bloc2": new,
        }
        for node, old, new in bloc_metrics.changes(before, after)
    ]
