"""Centrality of nations in a layer: who is at the centre of alliances or of aid.

Every function takes a networkx graph first and returns a dict keyed by node, as
networkx's own centrality functions do; ``centrality_table`` gathers them per node.
Betweenness and closeness come from rustworkx's compiled kernels by default
(``coopgraph.metrics.kernels``: the same values as networkx's); ``backend="networkx"``, or
the name of a networkx backend, computes them with networkx.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import numpy as np

from coopgraph.metrics import kernels

MEASURES = ("degree", "strength", "betweenness", "closeness", "eigenvector", "katz", "pagerank")
#: Measures of directed layers only (who gives, who receives).
DIRECTED = ("in_degree", "out_degree", "in_strength", "out_strength", "hub", "authority")
#: Who computes betweenness and closeness when no backend is named: rustworkx, whose
#: values equal networkx's (to 1e-15 on the bundled data; see ``kernels``).
DEFAULT_BACKEND = kernels.RUSTWORKX


def strength(G: nx.Graph, *, weight: str = "weight") -> dict[Any, float]:
    """Weighted degree: the sum of the weights of a node's edges.

    Parameters
    ----------
    G : networkx graph
    weight : str
        Edge attribute holding the weight (1 where absent).

    Returns
    -------
    dict
        Node -> strength. For a directed graph, in- plus out-strength.

    Notes
    -----
    :math:`s_i = \\sum_j w_{ij}` (Barrat et al. 2004); for directed graphs
    :math:`s_i = s_i^{in} + s_i^{out}`.

    References
    ----------
    Barrat, A., Barthélemy, M., Pastor-Satorras, R. and Vespignani, A. (2004). The
    architecture of complex weighted networks. PNAS 101(11), 3747-3752.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_weighted_edges_from([("USA", "GBR", 3), ("USA", "FRA", 3), ("GBR", "FRA", 1)])
    >>> strength(G)["USA"]
    6.0
    """
    return {node: float(value) for node, value in G.degree(weight=weight)}


def betweenness(G: nx.Graph, *, backend: str | None = None) -> dict[Any, float]:
    """Normalised betweenness of every node on unweighted shortest paths.

    Parameters
    ----------
    G : networkx graph
        Directed or not; parallel edges count as one tie, self-loops as none.
    backend : str, optional
        "rustworkx" (the default: ``rustworkx.betweenness_centrality``), "networkx", or
        the name of a networkx backend (networkx's dispatch, e.g. "parallel").

    Returns
    -------
    dict
        Node -> betweenness in [0, 1].

    Notes
    -----
    :math:`c_B(v) = \\frac{1}{(n-1)(n-2)} \\sum_{s \\ne v \\ne t} \\sigma_{st}(v) / \\sigma_{st}`
    over ordered pairs (Freeman 1977), computed with Brandes' algorithm (2001): the share
    of shortest paths between other nodes that pass through :math:`v`. A tie's weight
    measures its strength, not a distance, so it is not used as a length. rustworkx and
    networkx give the same values (``networkx.betweenness_centrality(G, weight=None,
    normalized=True)``).

    References
    ----------
    Freeman, L. C. (1977). A set of measures of centrality based on betweenness.
    Sociometry 40(1), 35-41. Brandes, U. (2001). A faster algorithm for betweenness
    centrality. Journal of Mathematical Sociology 25(2), 163-177.

    Examples
    --------
    >>> G = nx.path_graph(["GBR", "USA", "JPN"])
    >>> betweenness(G)["USA"], betweenness(G, backend="networkx")["USA"]
    (1.0, 1.0)
    """
    if _compiled(backend):
        return kernels.betweenness(G)
    return nx.betweenness_centrality(G, weight=None, normalized=True, **_dispatch(backend))


def closeness(G: nx.Graph, *, backend: str | None = None) -> dict[Any, float]:
    """Closeness of every node: how near the nodes that reach it are, unweighted.

    Parameters
    ----------
    G : networkx graph
        Directed or not (distances run to the node); parallel edges count as one tie.
    backend : str, optional
        "rustworkx" (the default: ``rustworkx.closeness_centrality``), "networkx", or the
        name of a networkx backend.

    Returns
    -------
    dict
        Node -> closeness in [0, 1]; 0 for a node nothing reaches.

    Notes
    -----
    :math:`C(u) = \\frac{n-1}{N-1} \\frac{n-1}{\\sum_v d(v, u)}` over the :math:`n` nodes
    that reach :math:`u` (:math:`u` included) in a graph of :math:`N` nodes: Wasserman and
    Faust's (1994) form for disconnected graphs, as ``networkx.closeness_centrality``
    computes it (and rustworkx with ``wf_improved=True``).

    References
    ----------
    Wasserman, S. and Faust, K. (1994). Social Network Analysis: Methods and Applications.
    Cambridge University Press.

    Examples
    --------
    >>> G = nx.path_graph(["GBR", "USA", "JPN"])
    >>> closeness(G)["USA"], closeness(G, backend="networkx")["GBR"]
    (1.0, 0.6666666666666666)
    """
    if _compiled(backend):
        return kernels.closeness(G)
    return nx.closeness_centrality(G, **_dispatch(backend))


def _compiled(backend: str | None) -> bool:
    """Whether ``backend`` names rustworkx's kernels (None: the default)."""
    return (backend or DEFAULT_BACKEND) == kernels.RUSTWORKX


def _dispatch(backend: str | None) -> dict[str, str]:
    """networkx's dispatch keyword for ``backend``: none for the default or rustworkx
    (networkx itself computes what rustworkx does not)."""
    return {} if _compiled(backend) else {"backend": backend}


def eigenvector(G: nx.Graph, *, weight: str = "weight") -> dict[Any, float]:
    """Eigenvector centrality on the undirected view of ``G``, defined on any graph.

    Parameters
    ----------
    G : networkx graph
    weight : str
        Edge attribute holding the weight.

    Returns
    -------
    dict
        Node -> centrality, non-negative, Euclidean norm 1 over the graph (all zero for a
        graph without edges).

    Notes
    -----
    :math:`x_i = \\frac{1}{\\lambda} \\sum_j A_{ij} x_j`, the eigenvector of the largest
    eigenvalue :math:`\\lambda` of the weighted adjacency matrix (Bonacich 1972). Aid
    graphs are mostly acyclic (donors rarely receive), where the directed definition gives
    zero to everyone, so a directed graph is taken as undirected: a tie in either
    direction counts. Yearly layers are often disconnected; there the leading eigenvector
    lies in the component with the largest :math:`\\lambda` and every other node scores 0,
    which is the definition itself (networkx's power iteration instead returns values
    that depend on its start vector, and its numpy variant refuses). Components that tie
    for the largest :math:`\\lambda` share the unit norm. On a connected graph the result
    equals ``networkx.eigenvector_centrality``.

    References
    ----------
    Bonacich, P. (1972). Factoring and weighting approaches to status scores and clique
    identification. Journal of Mathematical Sociology 2(1), 113-120.

    Examples
    --------
    >>> G = nx.path_graph(["A", "B", "C"])
    >>> round(eigenvector(G)["B"], 4)
    0.7071
    >>> G.add_edge("D", "E")  # a smaller component: leading eigenvalue 1 < sqrt(2)
    >>> eigenvector(G)["D"]
    0.0
    """
    H = G.to_undirected(as_view=True) if G.is_directed() else G
    scores = {node: 0.0 for node in H}
    leading: list[tuple[float, list, np.ndarray]] = []
    for component in nx.connected_components(H):
        if len(component) < 2:
            continue
        nodes = sorted(component, key=str)
        A = nx.to_numpy_array(H, nodelist=nodes, weight=weight)
        with kernels.one_thread():
            values, vectors = np.linalg.eigh(A)
        leading.append((float(values[-1]), nodes, np.abs(vectors[:, -1])))
    if not leading:
        return scores
    top = max(value for value, _, _ in leading)
    if top <= 0:
        return scores
    chosen = [(nodes, vector) for value, nodes, vector in leading if value >= top * (1 - 1e-9)]
    norm = math.sqrt(sum(float(v @ v) for _, v in chosen))
    for nodes, vector in chosen:
        for node, value in zip(nodes, vector, strict=False):
            scores[node] = float(value) / norm
    return scores


def katz(G: nx.Graph, *, weight: str = "weight", attenuation: float = 0.5) -> dict[Any, float]:
    """Katz centrality on the undirected view of ``G``, with a safe attenuation factor.

    Notes
    -----
    :math:`x = (I - \\alpha A)^{-1} \\mathbf{1}` normalised to unit Euclidean norm (Katz
    1953), with :math:`\\alpha = 0.5 / \\lambda_{max}` so the series converges on every
    year's layer (``attenuation`` times the largest admissible factor); unweighted, since a
    tie's weight (a commitment level or millions of dollars) is no count of walks.

    References
    ----------
    Katz, L. (1953). A new status index derived from sociometric analysis.
    Psychometrika 18(1), 39-43.

    Examples
    --------
    The hub of a three-leaf star outranks its leaves, which tie (compared to four
    places: the leaves' last bits may differ with the LAPACK solver's order of work):

    >>> G = nx.star_graph(3)
    >>> [round(score, 4) for score in katz(G).values()]
    [0.6414, 0.4429, 0.4429, 0.4429]
    """
    H = G.to_undirected(as_view=True) if G.is_directed() else G
    if H.number_of_edges() == 0:
        n = H.number_of_nodes()
        return {node: 1.0 / math.sqrt(n) for node in H} if n else {}
    nodes = list(H)
    A = nx.to_numpy_array(H, nodelist=nodes, weight=None)
    with kernels.one_thread():
        top = float(np.max(np.abs(np.linalg.eigvalsh(A))))
        alpha = attenuation / top
        x = np.linalg.solve(np.eye(len(nodes)) - alpha * A, np.ones(len(nodes)))
    x = x / np.linalg.norm(x)
    return {node: float(value) for node, value in zip(nodes, x, strict=True)}


def hits(G: nx.DiGraph, *, weight: str = "weight") -> tuple[dict[Any, float], dict[Any, float]]:
    """HITS hub and authority scores of a directed layer (donors are hubs, recipients
    authorities).

    Notes
    -----
    Hubs :math:`h = A a` and authorities :math:`a = A^T h`, the leading singular vectors
    of the weighted adjacency matrix, each summing to 1 (Kleinberg 1999).

    References
    ----------
    Kleinberg, J. M. (1999). Authoritative sources in a hyperlinked environment. Journal
    of the ACM 46(5), 604-632.
    """
    if G.number_of_edges() == 0 or all(d.get(weight, 1) == 0 for *_, d in G.edges(data=True)):
        zero = {node: 0.0 for node in G}
        return zero, dict(zero)
    nodes = list(G)
    A = nx.to_numpy_array(G, nodelist=nodes, weight=weight)
    with kernels.one_thread():
        u, _, vt = np.linalg.svd(A)
    hub, authority = np.abs(u[:, 0]), np.abs(vt[0])
    hub, authority = hub / hub.sum(), authority / authority.sum()
    return (
        {n: float(v) for n, v in zip(nodes, hub, strict=True)},
        {n: float(v) for n, v in zip(nodes, authority, strict=True)},
    )


def centrality_table(
    G: nx.Graph, *, weight: str = "weight", backend: str | None = None
) -> dict[Any, dict[str, float]]:
    """Degree, strength, betweenness, closeness, eigenvector, Katz and PageRank of every
    node (and in/out degree and strength, HITS hubs and authorities on directed layers).

    Parameters
    ----------
    G : networkx graph (directed or not)
    weight : str
        Edge attribute holding the weight (alliance commitment, or aid in millions).
    backend : str, optional
        Who computes betweenness and closeness: "rustworkx" (the default, see
        ``betweenness`` and ``closeness``), "networkx", or the name of a networkx backend
        (networkx's dispatch, e.g. "parallel" with nx-parallel installed), which then
        computes PageRank too.

    Returns
    -------
    dict
        Node -> {"degree", "strength", "betweenness", "closeness", "eigenvector", "katz",
        "pagerank"}; for a directed graph also "in_degree", "out_degree", "in_strength",
        "out_strength", "hub", "authority".

    Notes
    -----
    - degree: number of neighbours, :math:`k_i` (in plus out for directed graphs).
    - strength: :math:`s_i = \\sum_j w_{ij}` (see ``strength``).
    - betweenness: :math:`c_B(v) = \\sum_{s \\ne v \\ne t} \\sigma_{st}(v) / \\sigma_{st}`,
      normalised, on unweighted shortest paths (Freeman 1977; Brandes 2001): a weight
      here measures closeness of a tie, not a distance, so it is not used as a length.
      Computed by ``rustworkx.betweenness_centrality`` by default (see ``betweenness``).
    - closeness: :math:`C(u) = \\frac{n-1}{N-1} \\frac{n-1}{\\sum_v d(v, u)}` over the
      :math:`n` nodes that reach :math:`u` (Wasserman and Faust 1994's form for
      disconnected graphs, as networkx computes it), unweighted. Computed by
      ``rustworkx.closeness_centrality`` by default (see ``closeness``).
    - eigenvector: see ``eigenvector`` (weighted). Katz: see ``katz``.
    - hub and authority: see ``hits`` (directed layers).
    - PageRank: :math:`PR_i = \\frac{1-\\alpha}{N} + \\alpha \\sum_j \\frac{w_{ji}}{s_j^{out}} PR_j`
      with :math:`\\alpha = 0.85` (Brin and Page 1998), weighted; in an aid graph rank
      flows from donors to recipients. Always ``networkx.pagerank`` (or the networkx
      backend named): rustworkx's stops one power iteration earlier, about 1e-6 away.

    References
    ----------
    Freeman, L. C. (1977). A set of measures of centrality based on betweenness.
    Sociometry 40(1), 35-41. Brandes, U. (2001). A faster algorithm for betweenness
    centrality. Journal of Mathematical Sociology 25(2), 163-177. Brin, S. and Page, L.
    (1998). The anatomy of a large-scale hypertextual Web search engine. Computer
    Networks and ISDN Systems 30, 107-117.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_weighted_edges_from([("USA", "GBR", 3), ("USA", "JPN", 3), ("USA", "KOR", 3)])
    >>> table = centrality_table(G)
    >>> table["USA"]["degree"], table["USA"]["strength"], table["USA"]["betweenness"]
    (3, 9.0, 1.0)
    """
    if G.number_of_nodes() == 0:
        return {}
    table: dict[Any, dict[str, float]] = {node: {} for node in G}
    strengths = strength(G, weight=weight)
    between = betweenness(G, backend=backend)
    close = closeness(G, backend=backend)
    eig = eigenvector(G, weight=weight)
    katz_scores = katz(G, weight=weight)
    has_weight = any(d.get(weight, 1) > 0 for _, _, d in G.edges(data=True))
    pagerank = nx.pagerank(G, weight=weight if has_weight else None, **_dispatch(backend))
    hubs, authorities = hits(G, weight=weight) if G.is_directed() else ({}, {})
    for node in G:
        row = table[node]
        row["degree"] = G.degree(node)
        row["strength"] = strengths[node]
        if G.is_directed():
            row["in_degree"] = G.in_degree(node)
            row["out_degree"] = G.out_degree(node)
            row["in_strength"] = float(G.in_degree(node, weight=weight))
            row["out_strength"] = float(G.out_degree(node, weight=weight))
            row["hub"] = hubs[node]
            row["authority"] = authorities[node]
        row["betweenness"] = between[node]
        row["closeness"] = close[node]
        row["eigenvector"] = eig[node]
        row["katz"] = katz_scores[node]
        row["pagerank"] = pagerank[node]
    return table


def ranked(table: dict[Any, dict[str, float]], *, by: str = "pagerank") -> list[tuple[Any, dict]]:
    """Rows of a centrality table sorted by ``by`` (descending), ties by node id.

    >>> ranked({"A": {"pagerank": 0.2}, "B": {"pagerank": 0.8}})[0][0]
    'B'
    """
    return sorted(table.items(), key=lambda item: (-item[1].get(by, 0.0), str(item[0])))
