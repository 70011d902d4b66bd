"""rustworkx's kernels against networkx, the reference: betweenness and closeness equal to
1e-12 on every layer and year of the bundled data and on graphs built for the edge cases."""

from __future__ import annotations

import shutil
from collections.abc import Iterable

import networkx as nx
import pytest
from click.testing import CliRunner

from coopgraph import api
from coopgraph.analyses.layers import DEFAULT_SOURCES, LAYERS, MORE_LAYERS, layer_series
from coopgraph.cli import main
from coopgraph.metrics import centrality, kernels
from coopgraph.outputs import views
from coopgraph.project import active, cooperation_history
from coopgraph.scope import Scope

from .conftest import ROOT

#: The measures rustworkx computes, each as coopgraph calls it.
SERVED = {"betweenness": centrality.betweenness, "closeness": centrality.closeness}
YEARS = (1945, 2024)
UNVOTES = [
    ROOT / "tests" / "fixtures" / "import" / "unvotes" / name
    for name in ("votes.csv", "rollcalls.csv", "descriptions.csv", "issues.csv")
]


def largest_difference(G: nx.Graph) -> dict[str, float]:
    """Per served measure, the largest |rustworkx - networkx| over the nodes of ``G``
    (after checking both give a value for exactly the nodes of ``G``)."""
    found = {}
    for name, measure in SERVED.items():
        compiled, reference = measure(G, backend="rustworkx"), measure(G, backend="networkx")
        assert compiled.keys() == reference.keys() == set(G)
        found[name] = max((abs(compiled[n] - reference[n]) for n in G), default=0.0)
    return found


def check_all(graphs: Iterable[tuple[str, nx.Graph]]) -> int:
    """Check every graph to 1e-12 (a graph equal to one already checked, as most years of
    an alliance layer are to the year before, once); the number of graphs with edges."""
    with_edges, seen = 0, set()
    for where, G in graphs:
        with_edges += G.number_of_edges() > 0
        key = (type(G), tuple(G), tuple(G.edges()))
        if key in seen:
            continue
        seen.add(key)
        for name, difference in largest_difference(G).items():
            assert difference <= 1e-12, f"{name} of {where}: rustworkx is {difference} away"
    return with_edges


def test_every_layer_and_year_of_the_bundled_data(bundled_store):
    scope = Scope.open(bundled_store, DEFAULT_SOURCES)
    names = [n for n in (*LAYERS, *MORE_LAYERS) if n != "votes"]  # votes: an import, below
    graphs = [
        (f"{name} {year}", G)
        for name in names
        for year, G in layer_series(scope, name, *YEARS).items()
    ]
    assert len(graphs) == len(names) * (YEARS[1] - YEARS[0] + 1)
    assert any(G.is_directed() for _, G in graphs) and not all(G.is_directed() for _, G in graphs)
    assert check_all(graphs) > 300


def test_every_year_of_the_viz_pages(bundled_store):
    """The graphs ``coopgraph viz`` sizes its nodes by: nations with their alliances and
    operations, one per year and one of every year."""
    scope = Scope.open(bundled_store, DEFAULT_SOURCES)
    history = cooperation_history(scope.reader, *YEARS, graphs=scope.graphs)
    years = range(YEARS[0], YEARS[1] + 1)
    graphs = [(f"viz {y}", views._simple(active(history, y))) for y in years]
    assert check_all([*graphs, ("viz all", views._simple(history))]) == len(graphs) + 1


def test_the_votes_layer_and_the_multiplex_with_it(bundled_store, tmp_path):
    """UN votes are an import, not bundled: a few roll calls of 1990 and 1992 (yes 1,
    abstain 2, no 3) with the fixture's other files."""
    votes_file = tmp_path / "votes.csv"
    cast = {10: {2: 1, 200: 1, 220: 1, 365: 3, 710: 3, 740: 2}, 11: {2: 3, 200: 3, 220: 1, 365: 1}}
    rows = [f"{rcid},{ccode},{vote}" for rcid, v in cast.items() for ccode, vote in v.items()]
    votes_file.write_text("rcid,ccode,vote\n" + "\n".join(rows) + "\n")
    copy = tmp_path / "store"
    shutil.copytree(bundled_store, copy)
    api.import_source(copy, "unvotes", [votes_file, *UNVOTES[1:]])
    scope = Scope.open(copy, DEFAULT_SOURCES)
    votes = layer_series(scope, "votes", 1985, 1995)
    assert check_all((f"votes {y}", G) for y, G in votes.items()) == 2
    multiplex = layer_series(scope, "multiplex", 1989, 1992)
    assert multiplex[1990].has_edge("USA", "GBR") and multiplex[1992].has_edge("FRA", "RUS")
    assert check_all((f"multiplex {y}", G) for y, G in multiplex.items()) == 4


def _graph(kind: type[nx.Graph], edges=(), nodes=()) -> nx.Graph:
    G = kind()
    G.add_nodes_from(nodes)
    G.add_edges_from(edges)
    return G


EDGE_CASES = {
    "empty": nx.Graph(),
    "one node": _graph(nx.Graph, nodes=["USA"]),
    "two isolated nodes": _graph(nx.Graph, nodes=["USA", "GBR"]),
    "one tie": _graph(nx.Graph, [("USA", "GBR")]),
    "one directed tie": _graph(nx.DiGraph, [("USA", "GBR")]),
    "path and an isolated node": _graph(nx.Graph, [(1, 2), (2, 3), (3, 4)], nodes=[9]),
    "disconnected, directed": _graph(nx.DiGraph, [(1, 2), (2, 3), (3, 1), (4, 5)], nodes=[6]),
    "directed acyclic": _graph(nx.DiGraph, [(1, 2), (2, 3), (1, 3), (3, 4), (5, 3)]),
    "reciprocal ties": _graph(nx.DiGraph, [(1, 2), (2, 1), (2, 3)]),
    "self-loops": _graph(nx.Graph, [(1, 1), (1, 2), (2, 3), (3, 3)]),
    "directed self-loops": _graph(nx.DiGraph, [(1, 1), (1, 2), (2, 3), (3, 3)]),
    "multigraph": _graph(nx.MultiGraph, [(1, 2), (1, 2), (2, 3), (3, 4), (1, 4)]),
    "directed multigraph": _graph(nx.MultiDiGraph, [(1, 2), (1, 2), (2, 3), (3, 1), (3, 4)]),
    "weighted (weights unused)": nx.Graph(
        [(1, 2, {"weight": 5.0}), (2, 3, {"weight": 0.1}), (1, 3, {"weight": 1.0}), (3, 4, {})]
    ),
    "mixed node types": _graph(nx.Graph, [("b", 1), (1, ("t", 2))]),
    "two components, many paths": nx.disjoint_union(
        nx.karate_club_graph(), nx.les_miserables_graph()
    ),
    "random, directed": nx.gnp_random_graph(120, 0.03, seed=3, directed=True),
    "random": nx.gnp_random_graph(300, 0.02, seed=4),
}


@pytest.mark.parametrize("name", EDGE_CASES)
def test_edge_cases(name):
    G = EDGE_CASES[name]
    assert check_all([(name, G)]) == (G.number_of_edges() > 0)


def test_multigraph_edges_collapse_and_direction_stays():
    R, nodes = kernels.to_rustworkx(EDGE_CASES["directed multigraph"])
    assert R.num_edges() == 4 and nodes == [1, 2, 3, 4]
    assert sorted((nodes[a], nodes[b]) for a, b in R.edge_list())[:2] == [(1, 2), (2, 3)]


def test_the_default_is_rustworkx_and_the_table_agrees():
    G = EDGE_CASES["random, directed"]
    assert centrality.DEFAULT_BACKEND == "rustworkx"
    assert centrality.betweenness(G) == centrality.betweenness(G, backend="rustworkx")
    compiled = centrality.centrality_table(G)
    reference = centrality.centrality_table(G, backend="networkx")
    for node in G:
        assert compiled[node].keys() == reference[node].keys()
        for measure, value in compiled[node].items():
            assert value == pytest.approx(reference[node][measure], abs=1e-12, rel=0)


def test_backend_option_names_rustworkx_and_networkx(bundled_store):
    args = ["--store", str(bundled_store), "metrics", "--year", "1999", "--layer", "operations"]

    def run(backend: str) -> str:
        result = CliRunner().invoke(main, [*args, "--format", "csv", "--backend", backend])
        assert result.exit_code == 0, result.output
        return result.output

    assert run("rustworkx") == run("networkx")
    unknown = CliRunner().invoke(main, [*args, "--backend", "nosuch"])
    assert unknown.exit_code == 2 and "nosuch" in unknown.output
