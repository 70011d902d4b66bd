"""The endpoint's formats: content negotiation, and every answer written capped.

SELECT and ASK answers are SPARQL results in JSON (the default), XML, CSV or TSV; graphs
(CONSTRUCT and DESCRIBE answers, and the service description) are Turtle (the default),
N-Triples, JSON-LD or RDF/XML, RDF/XML being what SPARQLWrapper and rdflib's SPARQLStore
ask for by default. All are written by pyoxigraph, into a sink that counts rows and bytes
and stops past ``max_rows`` or ``max_bytes``: the worker's memory stays bounded and the
client gets an error, never a silently truncated result. Three formats get more than
pyoxigraph's plain writer:

- Turtle is written with the ontology's prefixes, ``cgid:`` being replaced by one prefix
  per kind of entity (``nation:POL``, ``organisation:NATO``): pyoxigraph escapes a ``/`` in
  a local name, and ``cgid:`` would give every coopgraph IRI one (``cgid:nation\\/POL``).
  IRIs of facts (several path segments) are written in full.
- JSON-LD is compacted against an ``@context`` of the ontology's prefixes
  (``coopgraph.namespace.PREFIXES``): one node object per subject, compact IRIs, ``@type``.
- RDF/XML needs every predicate to end with an XML name; a graph with a predicate that
  does not (``http://example.org/1``) cannot be written in it, and gets 406.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from coopgraph import ids
from coopgraph.namespace import PREFIXES
from coopgraph.serve.reply import Reply, error

#: Media types for SELECT and ASK results, the first being the default.
RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
RESULT_ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
}
#: Media types for graphs, the first being the default.
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
GRAPH_ALIASES = {"application/x-turtle": "text/turtle", "text/plain": "application/n-triples"}
#: Each media type's name in W3C's list of formats (a service description's sd:resultFormat).
W3C_FORMATS = {
    media: "http://www.w3.org/ns/formats/" + name
    for media, name in zip(
        [*RESULT_TYPES, *GRAPH_TYPES],
        ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV"]
        + ["SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML"],
        strict=True,
    )
}

#: Turtle's prefixes (see the module doc): pyoxigraph picks the longest that fits an IRI.
TURTLE_PREFIXES = {name: iri for name, iri in PREFIXES.items() if name != "cgid"} | {
    "nation": ids.nation(""),
    "organisation": ids.organisation(""),
    "operation": ids.operation(""),
    "source": ids.source(""),
}
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: An XML name at the end of an IRI: what RDF/XML needs of a predicate.
_XML_NAME_END = re.compile(r"(?:[^\W\d]|_)[\w.\-\u00b7\u0300-\u036f\u203f\u2040]*\Z")


# --- content negotiation -------------------------------------------------------------


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges of an Accept header with their q values, best first.

    >>> parse_accept("text/csv;q=0.5, application/sparql-results+json")
    [('application/sparql-results+json', 1.0), ('text/csv', 0.5)]
    """
    ranges = []
    for index, part in enumerate((header or "*/*").split(",")):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((pieces[0].lower(), q, -index))
    ranges.sort(key=lambda r: (r[1], r[2]), reverse=True)
    return [(media, q) for media, q, _ in ranges if q > 0]


def choose(accept: list[tuple[str, float]], types: dict, aliases: dict) -> str | None:
    """The best media type of ``types`` that ``accept`` allows; None when none is."""
    for media, _ in accept:
        media = aliases.get(media, media)
        if media in types:
            return media
        if media == "*/*":
            return next(iter(types))
        if media.endswith("/*"):
            for offered in types:
                if offered.startswith(media[:-1]):
                    return offered
    return None


# --- capped writing ------------------------------------------------------------------


class TooLarge(Exception):
    """The result passed ``max_rows`` or ``max_bytes``."""


class NotWritable(Exception):
    """The graph cannot be written in the chosen format."""


class _Sink:
    """A binary file that keeps what is written, counting rows and bytes as it goes.

    Rows of a solutions document are counted on the separator pyoxigraph writes between
    them: exact for XML and TSV; in JSON and CSV a literal holding the separator counts
    one row too many, which can only refuse a result early, never truncate one.
    """

    def __init__(self, max_rows: int, max_bytes: int, marker: bytes | None, offset: int = 0):
        self.parts: list[bytes] = []
        self.size = 0
        self.rows = offset
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.marker = marker
        self.tail = b""

    def write(self, data) -> int:
        data = bytes(data)
        self.size += len(data)
        if self.size > self.max_bytes:
            raise TooLarge(f"the result is larger than {self.max_bytes:,} bytes")
        if self.marker:
            window = self.tail + data
            self.rows += window.count(self.marker)
            self.tail = window[-(len(self.marker) - 1) :] if len(self.marker) > 1 else b""
            if self.rows > self.max_rows:
                raise TooLarge(f"the result has more than {self.max_rows:,} rows")
        self.parts.append(data)
        return len(data)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self.parts)


#: (marker between rows, rows counted before the first row) per solutions format.
_ROW_MARKERS = {
    ox.QueryResultsFormat.JSON: (b"},{", 1),  # separates bindings; the first has none
    ox.QueryResultsFormat.XML: (b"<result>", 0),
    ox.QueryResultsFormat.CSV: (b"\r\n", -1),  # the header line ends with one too
    ox.QueryResultsFormat.TSV: (b"\n", -1),
}


def _counted(triples: Iterable[ox.Triple], max_rows: int) -> Iterator[ox.Triple]:
    for n, triple in enumerate(triples, start=1):
        if n > max_rows:
            raise TooLarge(f"the result has more than {max_rows:,} triples")
        yield triple


def _xml_predicates(triples: Iterable[ox.Triple]) -> Iterator[ox.Triple]:
    """``triples``, NotWritable at the first whose predicate RDF/XML cannot write."""
    for triple in triples:
        if not _XML_NAME_END.search(triple.predicate.value):
            raise NotWritable(
                f"RDF/XML cannot write the predicate <{triple.predicate.value}> "
                "(it does not end with an XML name)"
            )
        yield triple


def write_graph(
    triples: Iterable[ox.Triple],
    media: str,
    max_bytes: int = 1 << 62,
    prefixes: dict[str, str] | None = None,
) -> bytes:
    """``triples`` written as ``media`` (one of GRAPH_TYPES), with ``prefixes`` beside
    coopgraph's; TooLarge past ``max_bytes`` (for JSON-LD, of its expanded form, which the
    compacted one never outgrows but for its ``@context``)."""
    fmt = GRAPH_TYPES[media]
    sink = _Sink(0, max_bytes, None)
    extra = prefixes or {}
    if fmt == ox.RdfFormat.TURTLE:
        ox.serialize(triples, sink, format=fmt, prefixes=TURTLE_PREFIXES | extra)
    elif fmt == ox.RdfFormat.RDF_XML:
        ox.serialize(_xml_predicates(triples), sink, format=fmt, prefixes=PREFIXES | extra)
    elif fmt == ox.RdfFormat.JSON_LD:
        ox.serialize(triples, sink, format=fmt)
        return compact_jsonld(sink.value(), PREFIXES | extra)
    else:
        ox.serialize(triples, sink, format=fmt)
    return sink.value()


def compact_jsonld(data: bytes, prefixes: dict[str, str]) -> bytes:
    """pyoxigraph's JSON-LD (node objects with full IRIs) compacted against an ``@context``
    of ``prefixes``: one node object per subject, compact IRIs for subjects, properties,
    objects and datatypes, ``@type`` for rdf:type. Literals keep their lexical form.

    An IRI whose scheme is one of the prefixes' names (``geo:1,2`` beside ``geo:``) would
    be read back as a compact IRI: then the document is returned as it came, expanded.

    >>> data = (b'[{"@id":"https://w3id.org/coopgraph/id/nation/POL",'
    ...     b'"http://www.w3.org/1999/02/22-rdf-syntax-ns#type":'
    ...     b'[{"@id":"https://w3id.org/coopgraph/ontology#Nation"}]}]')
    >>> context = {"cg": "https://w3id.org/coopgraph/ontology#",
    ...     "cgid": "https://w3id.org/coopgraph/id/"}
    >>> json.loads(compact_jsonld(data, context))["@graph"]
    [{'@id': 'cgid:nation/POL', '@type': ['cg:Nation']}]
    """
    namespaces = sorted(prefixes.items(), key=lambda item: len(item[1]), reverse=True)

    class Confusable(Exception):
        pass

    def compact(iri: str) -> str:
        if iri.startswith("_:"):
            return iri
        for name, namespace in namespaces:
            rest = iri[len(namespace) :]
            if iri.startswith(namespace) and rest and not rest.startswith("//"):
                return f"{name}:{rest}"
        if iri.split(":", 1)[0] in prefixes:
            raise Confusable(iri)
        return iri

    def value(term: dict) -> dict:
        if "@id" in term:
            return {"@id": compact(term["@id"])}
        if "@type" in term:
            return {**term, "@type": compact(term["@type"])}
        return term

    subjects: dict[str, dict[str, list[dict]]] = {}
    for node in json.loads(data):
        properties = subjects.setdefault(node["@id"], {})
        for key, values in node.items():
            if key != "@id":
                properties.setdefault(key, []).extend(values)
    try:
        graph = []
        for subject, properties in subjects.items():
            out: dict[str, object] = {"@id": compact(subject)}
            types = properties.get(_RDF_TYPE, [])
            classes = [t for t in types if "@id" in t and not t["@id"].startswith("_:")]
            if classes:
                out["@type"] = [compact(t["@id"]) for t in classes]
            for key, values in properties.items():
                if key == _RDF_TYPE:
                    values = [t for t in values if t not in classes]
                if values:
                    out[compact(key)] = [value(v) for v in values]
            graph.append(out)
    except Confusable:
        return data
    document = {"@context": dict(prefixes), "@graph": graph}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def serialise(result, accept: list[tuple[str, float]], max_rows: int, max_bytes: int) -> Reply:
    """A pyoxigraph query result as an HTTP reply in the best accepted format, capped."""
    if isinstance(result, ox.QueryTriples):
        media = choose(accept, GRAPH_TYPES, GRAPH_ALIASES)
        if media is None:
            return error(406, f"a graph result is served as {', '.join(GRAPH_TYPES)}")
        try:
            body = write_graph(_counted(result, max_rows), media, max_bytes)
        except NotWritable as failure:
            others = ", ".join(m for m in GRAPH_TYPES if m != media)
            return error(406, f"{failure}; ask for {others}")
    else:
        media = choose(accept, RESULT_TYPES, RESULT_ALIASES)
        if media is None:
            return error(406, f"a SELECT or ASK result is served as {', '.join(RESULT_TYPES)}")
        fmt = RESULT_TYPES[media]
        if isinstance(result, ox.QueryBoolean):
            sink = _Sink(max_rows, max_bytes, None)
        else:
            marker, offset = _ROW_MARKERS[fmt]
            sink = _Sink(max_rows, max_bytes, marker, offset)
        result.serialize(sink, format=fmt)
        body = sink.value()
    charset = "; charset=utf-8" if media.startswith("text/") else ""
    return Reply(200, media + charset, body)
