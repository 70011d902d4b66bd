"""Centrality against networkx on small hand-built graphs, and invariants."""

from __future__ import annotations

import math

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopgraph.metrics.centrality import centrality_table, eigenvector, ranked, strength


@pytest.fixture
def alliance_graph() -> nx.Graph:
    """Five states: a defence pact triangle (weight 3) and a tail of ententes (weight 1)."""
    G = nx.Graph()
    G.add_weighted_edges_from(
        [
            ("USA", "GBR", 3),
            ("USA", "FRA", 3),
            ("GBR", "FRA", 3),
            ("FRA", "DEU", 1),
            ("DEU", "POL", 1),
        ]
    )
    return G


def test_hand_computed_values(alliance_graph):
    table = centrality_table(alliance_graph)
    assert table["FRA"]["degree"] == 3
    assert table["FRA"]["strength"] == 7.0
    assert table["POL"]["strength"] == 1.0
    # FRA lies on every shortest path from {USA, GBR} to {DEU, POL}: 4 pairs, and DEU on
    # the 3 paths from {USA, GBR, FRA} to POL; normalised by (n-1)(n-2)/2 = 6.
    assert table["FRA"]["betweenness"] == pytest.approx(4 / 6)
    assert table["DEU"]["betweenness"] == pytest.approx(3 / 6)
    assert table["USA"]["betweenness"] == 0.0


def test_matches_networkx(alliance_graph):
    table = centrality_table(alliance_graph)
    pr = nx.pagerank(alliance_graph, weight="weight")
    ev = nx.eigenvector_centrality(alliance_graph, weight="weight", max_iter=1000, tol=1e-9)
    bt = nx.betweenness_centrality(alliance_graph)
    for node in alliance_graph:
        assert table[node]["pagerank"] == pytest.approx(pr[node])
        assert table[node]["eigenvector"] == pytest.approx(ev[node], rel=1e-6)
        assert table[node]["betweenness"] == pytest.approx(bt[node])
        assert table[node]["strength"] == alliance_graph.degree(node, weight="weight")


def test_directed_aid_graph():
    G = nx.DiGraph()
    G.add_weighted_edges_from([("USA", "ISR", 3300), ("USA", "EGY", 1300), ("RUS", "SYR", 0)])
    table = centrality_table(G)
    assert table["USA"]["out_strength"] == 4600 and table["USA"]["in_strength"] == 0
    assert table["ISR"]["in_degree"] == 1 and table["ISR"]["out_degree"] == 0
    pr = nx.pagerank(G, weight="weight")
    assert all(table[n]["pagerank"] == pytest.approx(pr[n]) for n in G)
    assert table["ISR"]["pagerank"] > table["EGY"]["pagerank"] > table["USA"]["pagerank"]
    # eigenvector on the undirected view: a weighted star has lambda = sqrt(sum w^2),
    # centre 1/sqrt(2), leaf i w_i / (sqrt(2) lambda); the RUS-SYR component (lambda 0) is 0
    lam = math.hypot(3300, 1300)
    assert table["USA"]["eigenvector"] == pytest.approx(1 / math.sqrt(2))
    assert table["ISR"]["eigenvector"] == pytest.approx(3300 / (math.sqrt(2) * lam))
    assert table["RUS"]["eigenvector"] == 0.0 and table["SYR"]["eigenvector"] == 0.0


def test_empty_and_edgeless_graphs():
    assert centrality_table(nx.Graph()) == {}
    G = nx.Graph()
    G.add_nodes_from(["A", "B"])
    assert eigenvector(G) == {"A": 0.0, "B": 0.0}
    assert centrality_table(G)["A"]["pagerank"] == pytest.approx(0.5)


def test_ranked_orders_by_measure(alliance_graph):
    order = [n for n, _ in ranked(centrality_table(alliance_graph), by="strength")]
    assert order[0] == "FRA" and order[-1] == "POL"


graphs = st.lists(
    st.tuples(st.integers(0, 9), st.integers(0, 9), st.floats(0.5, 10)), min_size=1, max_size=30
).map(lambda edges: nx.Graph([(a, b, {"weight": w}) for a, b, w in edges if a != b]))


@settings(max_examples=60, deadline=None)
@given(graphs)
def test_invariants(G):
    table = centrality_table(G)
    if not table:
        return
    assert math.isclose(sum(r["pagerank"] for r in table.values()), 1.0, rel_tol=1e-6)
    for _node, row in table.items():
        assert 0.0 <= row["betweenness"] <= 1.0
        assert row["eigenvector"] >= -1e-9
        assert row["strength"] >= row["degree"] * 0.5 - 1e-9
    norm = sum(r["eigenvector"] ** 2 for r in table.values())
    assert norm == pytest.approx(1.0) or norm == 0.0
    if nx.is_connected(G) and G.number_of_nodes() > 2:
        ev = nx.eigenvector_centrality_numpy(G, weight="weight")
        assert all(table[n]["eigenvector"] == pytest.approx(abs(ev[n]), abs=1e-6) for n in G)
    assert strength(G) == {n: float(d) for n, d in G.degree(weight="weight")}


def test_katz_closeness_and_hits_match_networkx():
    from coopgraph.metrics.centrality import centrality_table, hits, katz

    G = nx.Graph()
    G.add_edges_from([("A", "B"), ("B", "C"), ("C", "A"), ("C", "D"), ("D", "E")])
    top = max(abs(nx.adjacency_spectrum(G)))
    expected = nx.katz_centrality_numpy(G, alpha=0.5 / top, normalized=True, weight=None)
    for node, value in katz(G).items():
        assert value == pytest.approx(expected[node])
    table = centrality_table(G)
    closeness = nx.closeness_centrality(G)
    assert all(table[n]["closeness"] == pytest.approx(closeness[n]) for n in G)

    D = nx.DiGraph()
    D.add_weighted_edges_from([("USA", "ISR", 3.0), ("USA", "EGY", 1.3), ("RUS", "EGY", 0.5)])
    hubs, authorities = hits(D)
    nx_hubs, nx_authorities = nx.hits(D, max_iter=1000, tol=1e-12)
    for node in D:
        assert hubs[node] == pytest.approx(nx_hubs[node], abs=1e-6)
        assert authorities[node] == pytest.approx(nx_authorities[node], abs=1e-6)
    assert hubs["USA"] > hubs["RUS"] > 0 and authorities["ISR"] > authorities["EGY"]
    table = centrality_table(D)
    assert table["USA"]["hub"] == pytest.approx(hubs["USA"])
    assert table["USA"]["out_strength"] == pytest.approx(4.3)


def test_backend_is_passed_to_networkx():
    from coopgraph.metrics.centrality import centrality_table

    G = nx.karate_club_graph()
    plain = centrality_table(G)
    explicit = centrality_table(G, backend="networkx")
    assert explicit[0]["betweenness"] == pytest.approx(plain[0]["betweenness"])
    with pytest.raises(ImportError, match="nosuch"):
        centrality_table(G, backend="nosuch")
