"""coopgraph export (TriG, N-Quads, Turtle, N-Triples, JSON-LD; VoID) and query --list."""

from __future__ import annotations

import pyoxigraph as ox
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

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


def _expected_void(where) -> rdflib.Graph:
    """The VoID description computed here from the store, apart from coopgraph.outputs:
    counts by SPARQL, titles from the loaded sources. These are the triples the Turtle
    written by hand before issue 19 held; the rdflib-built one must be isomorphic."""
    from coopgraph.scope import Scope

    scope = Scope.open(where)
    reader = scope.reader
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    dcterms = rdflib.Namespace("http://purl.org/dc/terms/")
    a = rdflib.RDF.type
    dataset = rdflib.URIRef("https://w3id.org/coopgraph/void#dataset")
    expected = rdflib.Graph()
    for p, o in [
        (a, void.Dataset),
        (dcterms.title, "coopgraph: a knowledge graph of international military cooperation"),
        (void.triples, rdflib.Literal(len(reader))),
        (void.uriSpace, "https://w3id.org/coopgraph/id/"),
        (void.vocabulary, rdflib.URIRef("https://w3id.org/coopgraph/ontology#")),
        (dcterms.license, rdflib.URIRef("https://opensource.org/licenses/MIT")),
        (dcterms.description, "coopgraph's code and curated facts (graphs ontology, shapes, "
         "nations, curated, meta); each imported dataset keeps its publisher's terms "
         "(see its subset)."),
    ]:  # fmt: skip
        expected.add((dataset, p, o if isinstance(o, rdflib.term.Node) else rdflib.Literal(o)))
    per_graph = reader.query(
        "SELECT ?g (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?s_) (COUNT(DISTINCT ?p) AS ?p_) "
        "WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    )
    classes = {
        row["g"].value: int(row["c"].value)
        for row in reader.query(
            "SELECT ?g (COUNT(DISTINCT ?c) AS ?c) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?g"
        )
    }
    titles = {str(info["graph"]): info.get("title") for info in scope.loaded.values()}
    for row in per_graph:
        graph = row["g"].value
        subset = rdflib.URIRef(graph)
        expected.add((dataset, void.subset, subset))
        expected.add((subset, a, void.Dataset))
        title = titles.get(graph) or graph.rsplit("/", 1)[-1]
        expected.add((subset, dcterms.title, rdflib.Literal(title)))
        for p, n in [
            (void.triples, row["t"]),
            (void.distinctSubjects, row["s_"]),
            (void.properties, row["p_"]),
        ]:
            expected.add((subset, p, rdflib.Literal(int(n.value))))
        expected.add((subset, void.classes, rdflib.Literal(classes.get(graph, 0))))
    return expected


def test_void_built_with_rdflib_holds_the_store_counts(fixture_store):
    text = api.void(fixture_store)
    built = rdflib.Graph().parse(data=text, format="turtle")
    assert isomorphic(built, _expected_void(fixture_store))
    assert api.void(fixture_store) == text  # sorted by rdflib's writer: the same bytes
    assert text.startswith("@prefix dcterms: <http://purl.org/dc/terms/> .\n")


def test_query_list_prints_one_query_per_line():
    result = CliRunner().invoke(main, ["query", "--list"])
    lines = result.output.splitlines()
    assert len(lines) == len(queries.library()) >= 25
    assert all(len(line.split("\t")) == 2 for line in lines)
