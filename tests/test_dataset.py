"""SPARQL 1.1 dataset semantics for ``coopgraph query`` and the Python API (issue 20).

The default graph is the union of the named graphs (or of the chosen sources') only when
the query names no dataset: ``FROM <g>`` makes g the default graph, and a query with only
``FROM NAMED <g>`` has an empty default graph. Relative IRIs resolve against
https://w3id.org/coopgraph/id/. The endpoint and remote stores are tested in
test_serve_dataset.py and test_remote.py.
"""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from coopgraph import api, ids, queries, store
from coopgraph.cli import main
from coopgraph.queries.dataset import names_dataset

SHAPES = ids.graph("shapes")
CURATED = ids.graph("curated")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }", True),
        ("select * from named <urn:g> { graph ?g { ?s ?p ?o } }", True),
        ("ASK FROM cgg:curated { ?s ?p ?o }", True),
        ("CONSTRUCT { ?s ?p ?o } FROM <urn:g> WHERE { ?s ?p ?o }", True),
        ("DESCRIBE <urn:x> FROM NAMED <urn:g>", True),
        ("SELECT * WHERE { ?s ?p ?o }", False),
        ('SELECT * WHERE { ?s ?p "FROM <urn:g>" }', False),
        ("SELECT * WHERE { ?s ?p <urn:FROM> } # FROM <urn:g>", False),
        ("SELECT ?from WHERE { ?from ?p ?o }", False),
        ("PREFIX from: <urn:f:> SELECT * WHERE { ?s from:FROM ?o }", False),
        ("SELECT * WHERE { ?s cg:from ?o }", False),
    ],
)
def test_whether_a_query_names_its_dataset(text, named):
    assert names_dataset(text) is named


def _count(where, text: str, sources=None) -> int:
    out = api.query(where, queries.load(text=text), {}, "csv", sources=sources)
    return int(next(csv.DictReader(io.StringIO(out)))["n"])


def _triples(where) -> dict[str, int]:
    return {c.graph: c.triples for c in store.counts(store.open_reader(where))}


def test_union_default_graph_without_a_dataset(fixture_store):
    total = sum(_triples(fixture_store).values())
    assert _count(fixture_store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == total


def test_from_makes_the_default_graph(fixture_store):
    counts = _triples(fixture_store)
    one = f"SELECT (COUNT(*) AS ?n) FROM <{SHAPES}> WHERE {{ ?s ?p ?o }}"
    assert _count(fixture_store, one) == counts[SHAPES]
    two = f"SELECT (COUNT(*) AS ?n) FROM <{SHAPES}> FROM <{CURATED}> WHERE {{ ?s ?p ?o }}"
    assert _count(fixture_store, two) == counts[SHAPES] + counts[CURATED]
    # FROM without FROM NAMED: no named graphs
    none = f"SELECT (COUNT(*) AS ?n) FROM <{SHAPES}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert _count(fixture_store, none) == 0


def test_from_named_alone_leaves_the_default_graph_empty(fixture_store):
    counts = _triples(fixture_store)
    default = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{SHAPES}> WHERE {{ ?s ?p ?o }}"
    assert _count(fixture_store, default) == 0
    named = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{SHAPES}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert _count(fixture_store, named) == counts[SHAPES]


def test_the_query_dataset_wins_over_sources(fixture_store):
    counts = _triples(fixture_store)
    text = f"SELECT (COUNT(*) AS ?n) FROM <{SHAPES}> WHERE {{ ?s ?p ?o }}"
    assert _count(fixture_store, text, sources=["curated"]) == counts[SHAPES]
    plain = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert _count(fixture_store, plain, sources=["curated"]) < sum(counts.values())


def test_relative_iris_resolve_against_the_id_base(fixture_store):
    assert queries.BASE_IRI == ids.ID
    out = api.query(fixture_store, queries.load(text="SELECT ?l { <nation/POL> rdfs:label ?l }"))
    assert "Poland" in out
    construct = queries.load(text="CONSTRUCT { <s> <p> 1 } WHERE {}")
    graph = api.query(fixture_store, construct, {}, "ntriples")
    integer = "<http://www.w3.org/2001/XMLSchema#integer>"
    assert graph == f'<{ids.ID}s> <{ids.ID}p> "1"^^{integer} .\n'


def test_cli_from_and_from_named(fixture_store):
    runner = CliRunner()
    counts = _triples(fixture_store)
    store_option = ["--store", str(fixture_store)]
    out = runner.invoke(
        main,
        [*store_option, "query", "--format", "csv", "--sources", "curated",
         f"SELECT (COUNT(*) AS ?n) FROM <{SHAPES}> WHERE {{ ?s ?p ?o }}"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert out.output.split() == ["n", str(counts[SHAPES])]
    empty = runner.invoke(
        main,
        [*store_option, "query", "--format", "csv",
         f"SELECT (COUNT(*) AS ?n) FROM NAMED <{SHAPES}> WHERE {{ ?s ?p ?o }}"],
    )  # fmt: skip
    assert empty.output.split() == ["n", "0"]


def _cli(store_path, *args: str):
    return CliRunner().invoke(main, ["--store", str(store_path), "query", "--format", "csv", *args])


def test_sources_are_the_named_graphs_too(fixture_store):
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    out = api.query(fixture_store, queries.load(text=graphs), {}, "csv", sources=["curated"])
    expected = sorted([ids.graph("curated"), ids.graph("nations"), ids.graph("ontology")])
    assert out.split()[1:] == expected  # not meta, not shapes
    everything = api.query(fixture_store, queries.load(text=graphs), {}, "csv").split()[1:]
    assert ids.graph("meta") in everything and ids.graph("shapes") in everything


def test_cli_dataset_options_as_the_protocol_parameters(fixture_store):
    counts = _triples(fixture_store)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    named = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    out = _cli(fixture_store, "--default-graph", SHAPES, count)
    assert out.exit_code == 0 and out.output.split() == ["n", str(counts[SHAPES])]
    # a default graph alone: no named graphs, and the other way round
    assert _cli(fixture_store, "--default-graph", SHAPES, named).output.split() == ["n", "0"]
    out = _cli(fixture_store, "--named-graph", SHAPES, "--named-graph", CURATED, named)
    assert out.output.split() == ["n", str(counts[SHAPES] + counts[CURATED])]
    assert _cli(fixture_store, "--named-graph", SHAPES, count).output.split() == ["n", "0"]
    # the request's dataset replaces the query's, as default-graph-uri does (Protocol 2.1.4)
    from_curated = f"SELECT (COUNT(*) AS ?n) FROM <{CURATED}> WHERE {{ ?s ?p ?o }}"
    out = _cli(fixture_store, "--default-graph", SHAPES, from_curated)
    assert out.output.split() == ["n", str(counts[SHAPES])]


def test_cli_dataset_and_base_refuse_bad_input(fixture_store):
    out = _cli(fixture_store, "--default-graph", "shapes", "ASK {}")
    assert out.exit_code == 2 and "--default-graph 'shapes' is not an absolute IRI" in out.output
    out = _cli(fixture_store, "--sources", "curated", "--named-graph", SHAPES, "ASK {}")
    assert out.exit_code == 2 and "not both" in out.output
    out = _cli(fixture_store, "--base", "doc/", "ASK {}")
    assert out.exit_code == 2 and "--base 'doc/' is not an absolute IRI" in out.output


def test_cli_base_resolves_relative_iris(fixture_store):
    out = CliRunner().invoke(
        main,
        ["--store", str(fixture_store), "query", "--format", "ntriples", "--base",
         "http://example.org/q/", "CONSTRUCT { <s> <p> <#o> } WHERE {}"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert (
        out.output
        == "<http://example.org/q/s> <http://example.org/q/p> <http://example.org/q/#o> .\n"
    )
