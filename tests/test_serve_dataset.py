"""The endpoint's dataset semantics, graph formats and clients (issue 20), on one server.

- the protocol's ``default-graph-uri`` and ``named-graph-uri`` (GET, POST form and POST
  direct) override the query's FROM; FROM and FROM NAMED work as SPARQL 1.1 defines them;
  the dataset is part of the result cache's key;
- relative IRIs resolve against the request's URL;
- graphs in RDF/XML (SPARQLWrapper's and rdflib's SPARQLStore's default), compacted
  JSON-LD, Turtle with readable prefixed names; the service description in each format;
- SPARQLWrapper and rdflib's ``Graph(store="SPARQLStore", identifier=IRI)`` as clients;
- the query page opens on a library example that runs, in Chromium;
- ``coopgraph serve`` starts from a folder holding a ``coopgraph/`` folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest

from coopgraph import ids, store
from coopgraph.namespace import PREFIXES
from coopgraph.serve import app as serve_app
from tests.conftest import ROOT
from tests.test_serve import Server

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
rdflib = pytest.importorskip("rdflib")

SHAPES = ids.graph("shapes")
CURATED = ids.graph("curated")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
NAMED_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
ALLIANCES = (
    "CONSTRUCT { ?s a cg:Alliance ; rdfs:label ?l } WHERE { ?s a cg:Alliance ; rdfs:label ?l }"
)
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def served(fixture_store):
    server = Server(fixture_store)
    server.counts = {c.graph: c.triples for c in store.counts(store.open_reader(fixture_store))}
    yield server
    server.stop()


def _count(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def _ask(served, how: str, query: str, dataset: dict[str, list[str]]) -> httpx.Response:
    """``query`` with the protocol dataset ``dataset``, sent as GET, POST form or POST direct."""
    params = [(name, value) for name, values in dataset.items() for value in values]
    if how == "get":
        return httpx.get(served.url + "/sparql", params=[("query", query), *params], timeout=30)
    if how == "form":
        return httpx.post(served.url + "/sparql", data={"query": query, **dataset}, timeout=30)
    return httpx.post(
        served.url + "/sparql",
        params=params,
        content=query.encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )


# --- the dataset --------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_protocol_dataset(served, how):
    counts = served.counts
    assert _count(_ask(served, how, COUNT, {"default-graph-uri": [SHAPES]})) == counts[SHAPES]
    both = {"default-graph-uri": [SHAPES, CURATED]}
    assert _count(_ask(served, how, COUNT, both)) == counts[SHAPES] + counts[CURATED]
    # only named graphs: an empty default graph, the named graphs for GRAPH
    named = {"named-graph-uri": [SHAPES]}
    assert _count(_ask(served, how, COUNT, named)) == 0
    assert _count(_ask(served, how, NAMED_COUNT, named)) == counts[SHAPES]
    # only a default graph: no named graphs
    assert _count(_ask(served, how, NAMED_COUNT, {"default-graph-uri": [SHAPES]})) == 0


def test_protocol_dataset_overrides_the_query(served):
    query = f"SELECT (COUNT(*) AS ?n) FROM <{CURATED}> WHERE {{ ?s ?p ?o }}"
    assert _count(_ask(served, "get", query, {})) == served.counts[CURATED]
    overridden = _ask(served, "get", query, {"default-graph-uri": [SHAPES]})
    assert _count(overridden) == served.counts[SHAPES]


def test_from_and_from_named(served):
    counts = served.counts
    assert _count(served.get(COUNT)) == sum(counts.values())  # the union, by default
    from_shapes = f"SELECT (COUNT(*) AS ?n) FROM <{SHAPES}> WHERE {{ ?s ?p ?o }}"
    assert _count(served.get(from_shapes)) == counts[SHAPES]
    only_named = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{SHAPES}> WHERE {{ ?s ?p ?o }}"
    assert _count(served.get(only_named)) == 0
    named = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{SHAPES}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert _count(served.get(named)) == counts[SHAPES]


def test_the_dataset_is_part_of_the_cache_key(served):
    query = COUNT + " # cache and dataset"
    union = _ask(served, "get", query, {})
    shapes = _ask(served, "get", query, {"default-graph-uri": [SHAPES]})
    again = _ask(served, "get", query, {"default-graph-uri": [SHAPES]})
    assert [r.headers["x-cache"] for r in (union, shapes, again)] == ["miss", "miss", "hit"]
    assert _count(union) != _count(shapes) == _count(again)


def test_bad_dataset_parameters(served):
    bad = _ask(served, "get", "ASK {}", {"named-graph-uri": ["not an IRI"]})
    assert bad.status_code == 400 and "not an absolute IRI" in bad.text
    using = httpx.post(
        served.url + "/sparql", params={"using-graph-uri": SHAPES}, data={"query": "ASK {}"}
    )
    assert using.status_code == 400 and "read-only" in using.text


def test_relative_iris_resolve_against_the_request_url(served):
    for path in ("/sparql", "/query"):
        response = httpx.get(
            served.url + path,
            params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"},
            headers={"Accept": "application/n-triples"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        assert response.text.startswith(f"<{served.url}/s> <{served.url}/p> ")


# --- graph formats --------------------------------------------------------------------------


def _graph(served, query: str, accept: str, rdflib_format: str):
    response = served.get(query, accept)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == accept
    return response.text, rdflib.Graph().parse(data=response.text, format=rdflib_format)


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [("application/rdf+xml", "xml"), ("application/ld+json", "json-ld"), ("text/turtle", "turtle")],
)
def test_graph_formats_hold_the_same_graph(served, accept, rdflib_format):
    from rdflib.compare import isomorphic

    _, expected = _graph(served, ALLIANCES, "application/n-triples", "nt")
    _, got = _graph(served, ALLIANCES, accept, rdflib_format)
    assert len(got) == len(expected) > 0
    assert isomorphic(got, expected)


def test_jsonld_is_compacted_with_the_ontology_prefixes(served):
    text, _ = _graph(served, ALLIANCES, "application/ld+json", "json-ld")
    document = json.loads(text)
    assert document["@context"] == PREFIXES
    nato = next(n for n in document["@graph"] if n["@id"] == "cgid:organisation/NATO")
    assert nato["@type"] == ["cg:Alliance"]
    assert nato["rdfs:label"][0]["@value"] == "North Atlantic Treaty Organization"


def test_turtle_names_are_readable(served):
    text, _ = _graph(served, ALLIANCES, "text/turtle", "turtle")
    assert "\\/" not in text
    assert "organisation:NATO " in text and "a cg:Alliance" in text


def test_rdf_xml_refuses_a_predicate_it_cannot_write(served):
    query = "CONSTRUCT { <urn:s> <http://example.org/1> 1 } WHERE {}"
    assert served.get(query).status_code == 200  # in Turtle, the default
    xml = served.get(query, "application/rdf+xml")
    assert xml.status_code == 406 and "RDF/XML cannot write" in xml.text


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_service_description_in_every_format(served, accept, rdflib_format):
    response = httpx.get(served.url + "/sparql", headers={"Accept": accept}, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == accept
    graph = rdflib.Graph().parse(data=response.text, format=rdflib_format)
    sd = rdflib.Namespace(serve_app.SD)
    assert [str(e) for e in graph.objects(None, sd.endpoint)] == [served.url + "/sparql"]
    formats = {str(f) for f in graph.objects(None, sd.resultFormat)}
    assert "http://www.w3.org/ns/formats/RDF_XML" in formats and len(formats) == 8


# --- clients ---------------------------------------------------------------------------------


def test_sparqlwrapper_with_its_defaults(served):
    sparqlwrapper = pytest.importorskip("SPARQLWrapper")
    client = sparqlwrapper.SPARQLWrapper(served.url + "/sparql")  # XML results and RDF/XML
    client.setQuery(ALLIANCES)
    graph = client.query().convert()
    assert isinstance(graph, rdflib.Graph) and len(graph) > 0
    client.setQuery("SELECT ?s WHERE { ?s a cg:Alliance }")
    assert client.query().convert().getElementsByTagName("uri")
    client.setReturnFormat(sparqlwrapper.JSON)
    client.setQuery(COUNT)
    client.addDefaultGraph(SHAPES)
    n = client.query().convert()["results"]["bindings"][0]["n"]["value"]
    assert int(n) == served.counts[SHAPES]


def test_rdflib_sparqlstore_graph_with_an_identifier(served):
    graph = rdflib.Graph(store="SPARQLStore", identifier=rdflib.URIRef(SHAPES))
    graph.open(served.url + "/sparql")
    try:
        assert len(graph) == served.counts[SHAPES]
        rows = list(graph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
        assert int(rows[0][0]) == served.counts[SHAPES]
        constructed = graph.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5").graph
        assert len(constructed) == 5
    finally:
        graph.close()


# --- the query page ---------------------------------------------------------------------------


def test_the_default_query_is_a_library_example_declaring_every_prefix(fixture_store):
    from coopgraph import queries

    found = serve_app.examples()
    text = serve_app.default_query(found)
    example = next(e for e in found if e["name"] == serve_app.DEFAULT_EXAMPLE)
    assert all(f"PREFIX {name}: <{iri}>" in text for name, iri in PREFIXES.items())
    assert text.startswith("# title: Members of an alliance on a date\n")
    run = queries.run(store.open_reader(fixture_store), queries.load(text=text))
    reference = queries.run(store.open_reader(fixture_store), queries.load(text=example["text"]))
    assert [str(r[0]) for r in run] == [str(r[0]) for r in reference] != []


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium not found at {CHROMIUM}")
def test_query_page_opens_on_the_library_example_and_runs_it(served):
    """In Chromium: the editor holds the default query, marks no undeclared prefix, runs it,
    and adds coopgraph's declaration of a prefix typed in a new query."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright not installed")
    expected = serve_app.default_query(serve_app.examples())
    editor = "document.querySelector('.CodeMirror').CodeMirror"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(served.url + "/", wait_until="networkidle")
            page.wait_for_selector(".CodeMirror", timeout=20_000)
            assert page.evaluate(f"{editor}.getValue()") == expected
            assert page.locator(".CodeMirror .parseErrorIcon").count() == 0
            page.click(".yasqe_queryButton")
            page.wait_for_selector(".yasr_results table", timeout=20_000)
            assert "POL" in page.inner_text(".yasr_results")
            page.evaluate(f"{editor}.setValue('')")
            page.click(".CodeMirror")
            page.keyboard.type("SELECT * WHERE { ?s a skos:", delay=20)
            page.wait_for_function(f"{editor}.getValue().startsWith('PREFIX skos:')")
            typed = page.evaluate(f"{editor}.getValue()")
            assert typed.startswith(f"PREFIX skos: <{PREFIXES['skos']}>")
        finally:
            browser.close()


# --- starting -----------------------------------------------------------------------------------

SITECUSTOMIZE = """\
# coopgraph as an editable install finds it: a finder after the path's own, so that a
# folder named coopgraph on the path comes first
import importlib.abc, importlib.machinery, sys

class EditableFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "coopgraph":
            return importlib.machinery.PathFinder.find_spec(name, [{root!r}])
        return None

sys.meta_path.insert(sys.meta_path.index(importlib.machinery.PathFinder) + 1, EditableFinder())
"""


def test_serve_starts_from_a_folder_holding_a_coopgraph_folder(fixture_store, tmp_path):
    """Started the way a console script of an editable install starts it, from a folder
    with a ``coopgraph/`` folder in it (the parent of a clone): the workers start."""
    site, work = tmp_path / "site", tmp_path / "work"
    (work / "coopgraph").mkdir(parents=True)
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE.format(root=str(ROOT)), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(site)}
    server = Server(fixture_store, script=site / "serve.py", cwd=work, env=env)
    try:
        assert server.get("ASK { ?s a cg:Alliance }").json()["boolean"] is True
    finally:
        server.stop()
