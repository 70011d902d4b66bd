"""Graph files of a layer and year (coopgraph.outputs.exporters; ``coopgraph export
--layer``): GraphML, GEXF and an edge-list CSV read back as the layer, byte for byte the
same on every run, and the command line's choices and refusals."""

from __future__ import annotations

import csv
import io

import networkx as nx
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from coopgraph import api
from coopgraph.cli import main
from coopgraph.outputs import exporters

#: (layer, year) with edges in the fixture data: shared alliances, aid (directed, with
#: amounts), co-participation in operations, and every layer summed.
CASES = [("alliances", 1999), ("aid", 1999), ("operations", 1999), ("multiplex", 1999)]


def _read(fmt: str, data: bytes, directed: bool) -> nx.Graph:
    """The graph a file holds, read by networkx (GraphML, GEXF) or as CSV rows."""
    if fmt == "graphml":
        return nx.read_graphml(io.BytesIO(data))
    if fmt == "gexf":
        return nx.read_gexf(io.BytesIO(data))
    graph = nx.DiGraph() if directed else nx.Graph()
    for row in csv.DictReader(io.StringIO(data.decode("utf-8"))):
        graph.add_node(row["source"], label=row["source_label"])
        graph.add_node(row["target"], label=row["target_label"])
        extra = {"amount": float(row["amount"])} if "amount" in row else {}
        graph.add_edge(row["source"], row["target"], weight=float(row["weight"]), **extra)
    return graph


def _isolated_dropped(graph: nx.Graph) -> nx.Graph:
    """An edge list has no row for a node without edges."""
    return graph.subgraph([n for n in graph if graph.degree(n)])


@pytest.mark.parametrize("fmt", exporters.EXPORTERS)
@pytest.mark.parametrize(("name", "year"), CASES)
def test_a_file_reads_back_as_the_layer(fixture_store, fmt, name, year):
    layer = api.layer(fixture_store, name, year)
    assert layer.number_of_edges()  # the case exercises something
    data = api.export_layer(fixture_store, name, year, fmt)
    back = _read(fmt, data, layer.is_directed())
    expected = _isolated_dropped(layer) if fmt == "edges-csv" else layer
    assert back.is_directed() == layer.is_directed()
    assert set(back.nodes) == set(expected.nodes)
    assert {n: d["label"] for n, d in back.nodes(data=True)} == {
        n: d["label"] for n, d in expected.nodes(data=True)
    }
    edges = {tuple(e) if layer.is_directed() else frozenset(e) for e in back.edges}
    assert edges == {tuple(e) if layer.is_directed() else frozenset(e) for e in layer.edges}
    for a, b, d in layer.edges(data=True):
        assert back.edges[a, b]["weight"] == pytest.approx(d["weight"], rel=1e-15)
        if "amount" in d:
            assert back.edges[a, b]["amount"] == pytest.approx(d["amount"], rel=1e-15)


@pytest.mark.parametrize("fmt", exporters.EXPORTERS)
def test_the_same_bytes_on_every_run(fixture_store, fmt):
    first = api.export_layer(fixture_store, "alliances", 1999, fmt)
    assert api.export_layer(fixture_store, "alliances", 1999, fmt) == first
    # and whatever order the graph was built in
    layer = api.layer(fixture_store, "alliances", 1999)
    shuffled = nx.Graph(**layer.graph)
    shuffled.add_nodes_from(reversed(list(layer.nodes(data=True))))
    shuffled.add_edges_from((b, a, d) for a, b, d in reversed(list(layer.edges(data=True))))
    assert exporters.export(shuffled, fmt) == first


def test_gexf_holds_no_date_and_graphml_the_layer_and_year(fixture_store):
    gexf = api.export_layer(fixture_store, "aid", 1999, "gexf").decode()
    assert "lastmodifieddate" not in gexf
    assert "<description>coopgraph: the aid layer in 1999</description>" in gexf
    graphml = nx.read_graphml(io.BytesIO(api.export_layer(fixture_store, "aid", 1999, "graphml")))
    assert {k: graphml.graph[k] for k in ("layer", "year", "unit")} == {
        "layer": "aid",
        "year": 1999,
        "unit": "USD",
    }
    assert "date" not in graphml.graph  # None in the layer: left out
    assert graphml.edges["USA", "ISR"]["types"] == "financing"


def test_edge_list_columns_and_line_ends(fixture_store):
    aid = api.export_layer(fixture_store, "aid", 1999, "edges-csv").decode()
    assert aid.splitlines()[0] == "source,target,source_label,target_label,weight,amount"
    assert "\r" not in aid and aid.endswith("\n")
    rows = aid.splitlines()[1:]
    assert rows == sorted(rows)
    assert rows[0].startswith("USA,ISR,United States,Israel,1860.0,")
    alliances = api.export_layer(fixture_store, "alliances", 1999, "edges-csv").decode()
    assert alliances.splitlines()[0] == "source,target,source_label,target_label,weight"
    # an aid layer with no flow still has its amount column
    empty = api.export_layer(fixture_store, "aid", 1950, "edges-csv").decode()
    assert empty == "source,target,source_label,target_label,weight,amount\n"


#: Ids and labels as a source may spell them: letters beyond ASCII, commas, quotes and
#: markup (XML cannot hold control characters, and folds line breaks in attributes).
TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=12
)


@st.composite
def graphs(draw) -> nx.Graph:
    """A small layer-like graph: labelled nodes, weighted (and maybe amounted) edges."""
    directed = draw(st.booleans())
    graph = nx.DiGraph(layer="aid", year=2000) if directed else nx.Graph(layer="alliances")
    nodes = draw(st.lists(TEXT, min_size=1, max_size=6, unique=True))
    for node in nodes:
        graph.add_node(node, label=draw(TEXT), kind="nation")
    weight = st.floats(min_value=0, max_value=1e12, allow_nan=False)
    for a, b in draw(st.lists(st.tuples(st.sampled_from(nodes), st.sampled_from(nodes)))):
        extra = {"amount": draw(weight), "types": ["a", "b"]} if directed else {}
        graph.add_edge(a, b, weight=draw(weight), **extra)
    return graph


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(graphs(), st.sampled_from(list(exporters.EXPORTERS)))
def test_any_graph_round_trips(graph, fmt):
    back = _read(fmt, exporters.export(graph, fmt), graph.is_directed())
    expected = _isolated_dropped(graph) if fmt == "edges-csv" else graph
    assert dict(back.nodes(data="label")) == dict(expected.nodes(data="label"))
    assert len(back.edges) == len(graph.edges)
    for a, b, d in graph.edges(data=True):
        assert back.edges[a, b]["weight"] == d["weight"]
        if "amount" in d:
            assert back.edges[a, b]["amount"] == d["amount"]


def test_plain_values():
    assert exporters.plain({"b": None, "a": {"y", "x"}, "c": (1, 2), "d": object}) == {
        "a": "x;y",
        "c": "1;2",
        "d": str(object),
    }


def test_unknown_format_or_layer_refused_before_the_store_opens(tmp_path):
    missing = tmp_path / "no-store"
    with pytest.raises(api.UsageError, match="graphml, gexf, edges-csv"):
        api.export_layer(missing, "alliances", 1999, "dot")
    with pytest.raises(api.UsageError, match="one of: alliances, aid, arms"):
        api.export_layer(missing, "trade", 1999, "graphml")
    assert not missing.exists()


def _cli(store, *args):
    return CliRunner().invoke(main, ["--store", str(store), "export", *args])


@pytest.mark.parametrize("fmt", exporters.EXPORTERS)
def test_cli_writes_the_api_bytes(fixture_store, tmp_path, fmt):
    out = tmp_path / f"layer{exporters.EXPORTERS[fmt].suffix}"
    args = ["--layer", "alliances", "--year", "1999", "--format", fmt, "-o", str(out)]
    result = _cli(fixture_store, *args)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == api.export_layer(fixture_store, "alliances", 1999, fmt)
    assert f"wrote {out}" in result.stderr


def test_cli_layer_to_stdout_defaults_to_graphml(fixture_store):
    result = _cli(fixture_store, "--layer", "aid", "--year", "1999")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == api.export_layer(fixture_store, "aid", 1999, "graphml")


def test_cli_sources_choose_the_layer_facts(fixture_store):
    result = _cli(fixture_store, "--layer", "alliances", "--year", "1999", "--sources", "curated",
                  "--format", "edges-csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == api.export_layer(fixture_store, "alliances", 1999, "edges-csv")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "graphml"], "--format graphml writes a layer: give --layer and --year"),
        (["--layer", "alliances"], "--layer and --year go together"),
        (["--year", "1999"], "--layer and --year go together"),
        (["--layer", "aid", "--year", "1999", "--format", "trig"], "not a graph format"),
        (["--layer", "aid", "--year", "1999", "--void"], "--void describes the whole store"),
    ],
)
def test_cli_refuses_a_mismatch_in_one_line(fixture_store, args, message):
    result = _cli(fixture_store, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    "args", [["--format", "dot"], ["--layer", "trade", "--year", "1999"], ["--year", "1066"]]
)
def test_cli_refuses_unknown_values(fixture_store, args):
    result = _cli(fixture_store, *args)
    assert result.exit_code == 2
    assert "Invalid value" in result.stderr
