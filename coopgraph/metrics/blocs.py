"""Blocs: communities of states in a layer, and who changed bloc between two years.

Two methods, both from networkx on the weighted, undirected view of a layer:

- ``louvain``: Louvain modularity optimisation (Blondel, Guillaume, Lambiotte and
  Lefebvre 2008, "Fast unfolding of communities in large networks", J. Stat. Mech.
  P10008) with a fixed seed, so a run is reproducible;
- ``greedy``: Clauset-Newman-Moore greedy modularity maximisation (Clauset, Newman and
  Moore 2004, "Finding community structure in very large networks", Phys. Rev. E 70,
  066111), deterministic.

Both maximise the modularity :math:`Q = \\frac{1}{2m} \\sum_{ij} (A_{ij} -
\\frac{k_i k_j}{2m}) \\delta(c_i, c_j)` (Newman and Girvan 2004). A state without ties
forms a bloc of its own. Blocs are numbered 1, 2, ... by size (largest first), ties
broken by the smallest member id, so the numbering is stable for the same partition.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

METHODS = ("louvain", "greedy")
SEED = 1999


def blocs(G: nx.Graph, *, method: str = "louvain", seed: int = SEED) -> list[set[Any]]:
    """The partition of ``G``'s nodes into blocs, largest first.

    >>> G = nx.Graph([("A", "B"), ("B", "C"), ("A", "C"), ("D", "E"), ("E", "F"), ("D", "F")])
    >>> G.add_edge("C", "D", weight=0.1)
    >>> [sorted(b) for b in blocs(G)]
    [['A', 'B', 'C'], ['D', 'E', 'F']]

    Ties that all weigh 0 (aid cut to nothing in a what-if) leave every node alone:

    >>> [sorted(b) for b in blocs(nx.Graph([("A", "B", {"weight": 0})]))]
    [['A'], ['B']]
    """
    if method not in METHODS:
        raise ValueError(f"unknown method '{method}' (one of: {', '.join(METHODS)})")
    H = G.to_undirected() if G.is_directed() else G
    if H.size(weight="weight") == 0:  # no ties, or only ties of weight 0 (Q is undefined)
        parts: Iterable[set] = ({n} for n in H)
    elif method == "louvain":
        parts = nx.community.louvain_communities(H, weight="weight", seed=seed)
    else:
        parts = nx.community.greedy_modularity_communities(H, weight="weight")
    return sorted((set(p) for p in parts), key=lambda p: (-len(p), min(map(str, p))))


def membership(partition: list[set[Any]]) -> dict[Any, int]:
    """Node -> bloc number (1-based, in the partition's order).

    >>> membership([{"A", "B"}, {"C"}])["C"]
    2
    """
    return {node: number for number, part in enumerate(partition, start=1) for node in part}


def modularity(G: nx.Graph, partition: list[set[Any]]) -> float:
    """Newman-Girvan modularity Q of ``partition`` on ``G`` (weighted, undirected view)."""
    H = G.to_undirected() if G.is_directed() else G
    if H.size(weight="weight") == 0:
        return 0.0
    return float(nx.community.modularity(H, partition, weight="weight"))


def changes(before: list[set[Any]], after: list[set[Any]]) -> list[tuple[Any, int, int]]:
    """States whose bloc changed between two partitions: (state, bloc before, bloc after).

    Bloc numbers differ between years, so each bloc of ``after`` is matched to the bloc
    of ``before`` it overlaps most; a state changed when its new bloc is matched to
    another bloc than its old one, or when it had bloc-mates and none of them is in its
    new bloc (a state that left its bloc to stand alone). States in only one of the two
    years are left out.

    >>> changes([{"A", "B", "C"}, {"D", "E"}], [{"A", "B"}, {"C", "D", "E"}])
    [('C', 1, 2)]
    >>> changes([{"A", "B", "C"}], [{"A", "B"}, {"C"}])
    [('C', 1, 2)]
    """
    old = membership(before)
    new = membership(after)
    match: dict[int, int] = {}
    for number, part in enumerate(after, start=1):
        overlap: dict[int, int] = {}
        for node in part:
            if node in old:
                overlap[old[node]] = overlap.get(old[node], 0) + 1
        if overlap:
            match[number] = max(overlap, key=lambda b: (overlap[b], -b))
    mates_before = {node: part - {node} for part in before for node in part}
    mates_after = {node: part - {node} for part in after for node in part}

    def left(node: Any) -> bool:
        return bool(mates_before[node] & new.keys()) and not (
            mates_before[node] & mates_after[node]
        )

    return sorted(
        (node, old[node], new[node])
        for node in new
        if node in old and (match.get(new[node]) != old[node] or left(node))
    )
