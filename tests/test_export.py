"""coopgraph export (TriG, N-Quads, Turtle, N-Triples, JSON-LD; VoID) and query --list."""

from __future__ import annotations

import pyoxigraph as ox
import rdflib
from click.testing import CliRunner

from coopgraph import api, queries, store
from coopgraph.cli import main


def test_trig_export_round_trips_every_quad(fixture_store, tmp_path):
    out = tmp_path / "all.trig"
    result = CliRunner().invoke(
        main, ["--store", str(fixture_store), "export", "--format", "trig", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    copy = ox.Store()
    copy.load(path=str(out), format=ox.RdfFormat.TRIG)
    original = list(store.open_reader(fixture_store).quads_for_pattern(None, None, None, None))

    def named(quads):  # blank nodes (the SHACL shapes') are relabelled on reading
        return {q for q in quads if not isinstance(q.subject, ox.BlankNode)
                and not isinstance(q.object, ox.BlankNode)}  # fmt: skip

    assert len(copy) == len(original)
    assert named(copy) == named(original)


def test_selected_sources_and_merged_formats(fixture_store):
    curated = api.export(fixture_store, "nquads", sources=["curated"])
    graphs = {line.rsplit(" ", 2)[-2] for line in curated.decode().splitlines() if line}
    # a selection always carries the ontology and the states with it
    assert graphs == {
        "<https://w3id.org/coopgraph/graph/curated>",
        "<https://w3id.org/coopgraph/graph/ontology>",
        "<https://w3id.org/coopgraph/graph/nations>",
    }
    turtle = rdflib.Graph().parse(data=api.export(fixture_store, "turtle"), format="turtle")
    ntriples = api.export(fixture_store, "ntriples").decode().splitlines()
    assert len(turtle) == len([t for t in ntriples if t])
    rdflib.Graph().parse(data=api.export(fixture_store, "jsonld"), format="json-ld")


def test_void_describes_every_graph(fixture_store):
    text = api.void(fixture_store)
    graph = rdflib.Graph().parse(data=text, format="turtle")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    dataset = rdflib.URIRef("https://w3id.org/coopgraph/void#dataset")
    counts = store.counts(store.open_reader(fixture_store))
    assert int(graph.value(dataset, void.triples)) == sum(c.triples for c in counts)
    subsets = set(graph.objects(dataset, void.subset))
    assert {str(s) for s in subsets} == {c.graph for c in counts if c.graph}


def test_query_list_prints_one_query_per_line():
    result = CliRunner().invoke(main, ["query", "--list"])
    lines = result.output.splitlines()
    assert len(lines) == len(queries.library()) >= 25
    assert all(len(line.split("\t")) == 2 for line in lines)
