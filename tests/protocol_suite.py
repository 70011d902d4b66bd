"""The W3C SPARQL 1.1 Protocol tests, read from their manifest and run against an endpoint.

The suite (``sparql/sparql11/protocol/manifest.ttl`` of the W3C RDF tests, in
../shared/w3c_rdf_tests) describes each test as HTTP requests (``ht:Request``: method,
path, headers, body and its encoding) and the expected response (``mf:expectedStatus``,
``mf:expectedFormat``, ``mf:expectedBoolean``), but leaves some of it to prose: which media
types a format stands for (the test's name: "expect one of: XML, JSON, CSV, TSV"), and
which tests change data. ``TABLE`` states those, keyed by the test's name, and ``read``
refuses a manifest whose entries and the table's differ, so a new test fails the run
until the table says what it expects. The requests themselves are the manifest's.

A test passes when each of its responses has an expected status and, for a query, an
expected media type and a body that parses as that format (and holds the expected
boolean). A read-only endpoint refuses the update tests: an update test is "refused"
when every update request it makes gets a 4xx. The data the tests name (``ut:graphData``:
data1.nt in the graph http://kasei.us/2009/09/sparql/data/data1.rdf, ...) must be in the
endpoint's store (``graphs``).

Used by tests/test_serve_protocol.py (on ``coopgraph serve``) and
bench/bench_protocol.py (beside the Oxigraph server).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT.parent / "shared" / "w3c_rdf_tests" / "sparql" / "sparql11" / "protocol"
MANIFEST = SUITE / "manifest.ttl"
BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
HT = "http://www.w3.org/2011/http#"
CNT = "http://www.w3.org/2011/content#"
HTS = "http://www.w3.org/2011/http-statusCodes#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"

#: The media types each mf:expectedFormat stands for, as the tests' names list them.
BOOLEAN = ("application/sparql-results+xml", "application/sparql-results+json")
TABULAR = (*BOOLEAN, "text/csv", "text/tab-separated-values")
RDF = ("application/rdf+xml", "text/turtle", "application/n-triples", "application/xhtml+xml")
FORMATS = {"boolean": BOOLEAN, "tabular": TABULAR, "RDF": RDF}

#: Each test's kind, as the W3C's test document groups them: a query (answered 2xx), an
#: update (2xx, or 4xx from a read-only endpoint), a bad query or a bad update (4xx); and
#: for queries the format of the answers. Updates and bad updates go to the update endpoint.
TABLE: dict[str, tuple[str, str | None]] = {
    "query_post_form": ("query", "boolean"),
    "query_dataset_default_graphs_get": ("query", "boolean"),
    "query_dataset_default_graphs_post": ("query", "boolean"),
    "query_dataset_named_graphs_post": ("query", "boolean"),
    "query_dataset_named_graphs_get": ("query", "boolean"),
    "query_dataset_full": ("query", "boolean"),
    "query_multiple_dataset": ("query", "boolean"),
    "query_get": ("query", "boolean"),
    "query_content_type_select": ("query", "tabular"),
    "query_content_type_ask": ("query", "boolean"),
    "query_content_type_describe": ("query", "RDF"),
    "query_content_type_construct": ("query", "RDF"),
    "query_post_direct": ("query", "boolean"),
    "update_dataset_default_graph": ("update", None),
    "update_dataset_default_graphs": ("update", None),
    "update_dataset_named_graphs": ("update", None),
    "update_dataset_full": ("update", None),
    "update_post_form": ("update", None),
    "update_post_direct": ("update", None),
    "update_base_uri": ("update", None),
    "bad_query_method": ("bad query", None),
    "bad_multiple_queries": ("bad query", None),
    "bad_query_wrong_media_type": ("bad query", None),
    "bad_query_missing_form_type": ("bad query", None),
    "bad_query_missing_direct_type": ("bad query", None),
    "bad_query_non_utf8": ("bad query", None),
    "bad_query_syntax": ("bad query", None),
    "bad_update_get": ("bad update", None),
    "bad_multiple_updates": ("bad update", None),
    "bad_update_wrong_media_type": ("bad update", None),
    "bad_update_missing_form_type": ("bad update", None),
    "bad_update_non_utf8": ("bad update", None),
    "bad_update_syntax": ("bad update", None),
    "bad_update_dataset_conflict": ("bad update", None),
}


@dataclass(frozen=True)
class Request:
    """One ``ht:Request`` of the manifest and the response it expects."""

    method: str
    target: str  # the manifest's ht:absolutePath after its /sparql/ prefix: "?query=..." or ""
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    statuses: frozenset[str]  # "2xx", "3xx", "4xx"
    format: str | None = None  # "boolean", "tabular", "RDF"
    boolean: bool | None = None


@dataclass
class Case:
    """One test of the manifest: its name, kind, requests in order and the data it needs."""

    name: str
    title: str
    kind: str
    requests: list[Request]
    graphs: dict[str, Path] = field(default_factory=dict)  # graph IRI -> N-Triples file


@dataclass
class Outcome:
    """How an endpoint did on one test: "pass", "fail", or "refused" (a read-only endpoint
    refusing an update test), with what it answered."""

    verdict: str
    detail: str = ""


def read(manifest: Path = MANIFEST) -> list[Case]:
    """The tests of ``manifest`` in its order; ValueError when its entries differ from
    TABLE's (a test added or removed upstream)."""
    import rdflib

    graph = rdflib.Graph().parse(manifest, format="turtle", publicID=BASE.rstrip("#"))

    def one(subject, predicate: str):
        return graph.value(subject, rdflib.URIRef(predicate))

    def items(subject, predicate: str) -> list:
        head = one(subject, predicate)
        return list(rdflib.collection.Collection(graph, head)) if head is not None else []

    manifests = list(graph.subjects(rdflib.RDF.type, rdflib.URIRef(MF + "Manifest")))
    entries = items(manifests[0], MF + "entries")
    names = [str(entry).rsplit("#", 1)[1] for entry in entries]
    if set(names) != set(TABLE):
        raise ValueError(
            "the manifest's tests and TABLE differ: "
            f"new {sorted(set(names) - set(TABLE))}, gone {sorted(set(TABLE) - set(names))}"
        )
    cases = []
    for entry, name in zip(entries, names, strict=True):
        kind, fmt = TABLE[name]
        action = one(entry, MF + "action")
        requests = [_request(graph, node) for node in items(action, HT + "requests")]
        for request in requests:
            bad = request.statuses == {"4xx"}
            if bad != kind.startswith("bad") or (kind == "query" and request.format != fmt):
                raise ValueError(f"{name}: the manifest and TABLE expect different answers")
        data = graph.objects(entry, rdflib.URIRef(UT + "graphData"))
        needs = {
            str(one(node, RDFS + "label")): SUITE / str(one(node, UT + "graph")).rsplit("/")[-1]
            for node in data
        }
        cases.append(Case(name, str(one(entry, MF + "name")), kind, requests, needs))
    return cases


def _request(graph, node) -> Request:
    import rdflib

    def one(subject, predicate: str):
        return graph.value(subject, rdflib.URIRef(predicate))

    path = str(one(node, HT + "absolutePath"))
    if not path.startswith("/sparql/"):
        raise ValueError(f"a request path outside /sparql/: {path}")
    headers = []
    head = one(node, HT + "headers")
    if head is not None:
        for header in rdflib.collection.Collection(graph, head):
            name = str(one(header, HT + "fieldName")).lower()
            headers.append((name, str(one(header, HT + "fieldValue"))))
    body = None
    content = one(node, HT + "body")
    if content is not None:
        encoding = str(one(content, CNT + "characterEncoding") or "UTF-8")
        body = str(one(content, CNT + "chars")).encode(encoding)
    response = one(node, HT + "resp")
    statuses = {
        str(s).removeprefix(HTS + "StatusCode").lower()
        for s in graph.objects(response, rdflib.URIRef(MF + "expectedStatus"))
    }
    fmt = one(response, MF + "expectedFormat")
    boolean = one(response, MF + "expectedBoolean")
    return Request(
        method=str(one(node, HT + "methodName")),
        target=path[len("/sparql/") :],
        headers=tuple(headers),
        body=body,
        statuses=frozenset(statuses),
        format=str(fmt) if fmt is not None else None,
        boolean=boolean.toPython() if boolean is not None else None,
    )


def graphs(cases: list[Case]) -> dict[str, Path]:
    """Every graph the tests need: graph IRI -> N-Triples file."""
    return {iri: path for case in cases for iri, path in case.graphs.items()}


def run(case: Case, query_url: str, update_url: str | None = None) -> Outcome:
    """Send ``case``'s requests in order and judge the answers. The requests of update and
    bad update tests go to ``update_url`` (default: the query endpoint), but for the
    queries that check an update's effect."""
    said = ""
    for request in case.requests:
        to_update = case.kind in ("update", "bad update") and request.format is None
        url = (update_url or query_url) if to_update else query_url
        try:
            response = httpx.request(
                request.method,
                url + request.target,
                headers=list(request.headers),
                content=request.body,
                timeout=60,
            )
        except httpx.HTTPError as failure:
            return Outcome("fail", f"{type(failure).__name__}: {failure}")
        status = f"{response.status_code // 100}xx"
        media = response.headers.get("content-type", "").split(";")[0].strip()
        said = f"{response.status_code} {media}: {response.text[:100].strip()}".strip()
        if case.kind == "update" and to_update:
            if status != "4xx":
                return Outcome("fail", f"the update was not refused: {said}")
            return Outcome("refused", said)
        if status not in request.statuses:
            return Outcome("fail", said)
        if case.kind == "query":
            problem = _check(request, media, response.content)
            if problem:
                return Outcome("fail", f"{problem} ({said})")
    return Outcome("pass", said)


def _check(request: Request, media: str, body: bytes) -> str | None:
    """What is wrong with a query's answer, or None."""
    allowed = FORMATS[request.format]
    if media not in allowed:
        return f"{media or 'no media type'} is not one of {', '.join(allowed)}"
    try:
        if request.format == "RDF":
            fmt = ox.RdfFormat.from_media_type(media)
            list(ox.parse(body, format=fmt))
            return None
        fmt = ox.QueryResultsFormat.from_media_type(media)
        result = ox.parse_query_results(body, format=fmt)
    except (SyntaxError, ValueError, TypeError, json.JSONDecodeError) as failure:
        return f"the body does not parse as {media}: {failure}"
    if request.boolean is not None and bool(result) is not request.boolean:
        return f"the answer is {bool(result)}, not {request.boolean}"
    return None


def build_store(root: Path, needed: dict[str, Path]) -> Path:
    """A coopgraph store at ``root`` holding each N-Triples file of ``needed`` in its named
    graph (``coopgraph.store.write``, as ``coopgraph build`` writes one); the generation's
    directory, an Oxigraph store the Oxigraph server can open too."""
    from coopgraph import store

    def load(target: ox.Store) -> None:
        for iri, path in needed.items():
            target.bulk_load(
                path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(iri)
            )

    return store.write(root, load, from_empty=True)
