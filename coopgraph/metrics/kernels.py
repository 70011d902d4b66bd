"""How the compiled kernels run: betweenness and closeness through rustworkx, equal to
networkx's, and the dense linear algebra on one thread.

networkx computes shortest-path centralities in pure Python: over the yearly layers of a
span or of a ``coopgraph viz`` page that is most of a command's time. rustworkx (Rust, on
petgraph) runs the same algorithms with the same normalisation and returns the same values
(largest difference under 1e-15 on every layer and year of the bundled data, checked by
tests/test_kernels.py to 1e-12) 10-20 times faster, conversion included. Only these two
measures come from here: rustworkx's PageRank stops one power iteration before networkx's
(values differ by about 1e-6), and its eigenvector, Katz and HITS are power iterations too,
where coopgraph solves those exactly (``centrality.eigenvector``, ``katz``, ``hits``).

The kernels run single-threaded: rustworkx's parallel betweenness sums each source's share
in the order its threads finish, so the last bits change from run to run, and the layers
(at most a few hundred nodes) gain little from a second core. The same holds for numpy's
OpenBLAS, which splits even a 200 x 200 eigendecomposition over every core: where the
cores are busy its threads wait on each other, and the eigenvector, Katz and HITS scores of
viz's and metrics' graphs took 20.6 s on two threads against 3.3 s on one (2 cores, other
work running); see ``one_thread``.
"""

from __future__ import annotations

import functools
from typing import Any

import networkx as nx
import rustworkx as rx
from threadpoolctl import ThreadpoolController

#: The backend name of these kernels (``--backend rustworkx``, the default).
RUSTWORKX = "rustworkx"


def to_rustworkx(G: nx.Graph) -> tuple[rx.PyGraph | rx.PyDiGraph, list[Any]]:
    """``G``'s structure as a rustworkx graph, and the networkx node of each index.

    Directed stays directed; parallel edges of a multigraph collapse into one tie, as
    networkx's shortest paths see them (a neighbour counts once); self-loops are kept (no
    shortest path uses one). Weights and attributes are not copied: the measures here are
    unweighted.

    >>> R, nodes = to_rustworkx(nx.MultiGraph([("USA", "GBR"), ("USA", "GBR")]))
    >>> R.num_nodes(), R.num_edges(), nodes
    (2, 1, ['USA', 'GBR'])
    """
    nodes = list(G)
    index = {node: i for i, node in enumerate(nodes)}
    R = rx.PyDiGraph(multigraph=False) if G.is_directed() else rx.PyGraph(multigraph=False)
    R.add_nodes_from(range(len(nodes)))
    R.extend_from_edge_list([(index[u], index[v]) for u, v in G.edges()])
    return R, nodes


def betweenness(G: nx.Graph) -> dict[Any, float]:
    """``networkx.betweenness_centrality(G, weight=None, normalized=True)`` computed by
    ``rustworkx.betweenness_centrality(normalized=True, endpoints=False)``."""
    R, nodes = to_rustworkx(G)
    values = rx.betweenness_centrality(
        R, normalized=True, endpoints=False, parallel_threshold=len(nodes) + 1
    )
    return {node: float(values[i]) for i, node in enumerate(nodes)}


def closeness(G: nx.Graph) -> dict[Any, float]:
    """``networkx.closeness_centrality(G)`` (distances to each node, unweighted, Wasserman
    and Faust's scaling) computed by ``rustworkx.closeness_centrality(wf_improved=True)``."""
    R, nodes = to_rustworkx(G)
    values = rx.closeness_centrality(R, wf_improved=True)
    return {node: float(values[i]) for i, node in enumerate(nodes)}


def one_thread() -> Any:
    """A context in which numpy's BLAS and LAPACK run on one thread (see above)."""
    return _blas().limit(limits=1, user_api="blas")


@functools.cache
def _blas() -> ThreadpoolController:
    """The BLAS libraries loaded (found once, after numpy has loaded its own)."""
    return ThreadpoolController()
