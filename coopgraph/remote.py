"""An external SPARQL 1.1 endpoint in place of the embedded store.

When a group's data outgrows one machine it shares one server (Oxigraph server, Virtuoso,
Fuseki, QLever, GraphDB: DESIGN.md, "Serving and scale") and every coopgraph command talks
to it with ``--endpoint URL`` (and ``--update-endpoint URL`` for the commands that write).
``EndpointReader`` answers the few calls coopgraph makes on a pyoxigraph ``Store``
(``query``, ``named_graphs``, ``quads_for_pattern``) over the SPARQL 1.1
Protocol, so the rest of the code does not know which store it reads.

Reading. coopgraph keeps every fact in a named graph under ``ids.GRAPH``, or in a graph an
``import rdf`` recorded as a part of its own; the endpoint may hold other graphs (Virtuoso
keeps its own system graphs) and a write's staging graphs. So every query states its
dataset with the protocol's ``default-graph-uri`` and ``named-graph-uri`` parameters,
listing only coopgraph's graphs: the default graph is their union, as in the embedded
store, and nothing else is visible. A query that names its own dataset (FROM, FROM NAMED)
is sent without them, since the protocol's dataset would replace the query's
(coopgraph.queries.dataset).

Writing. A write (``RemoteStore.write`` in coopgraph.location) first uploads the new
triples into staging graphs (``urn:coopgraph:staging:...``, invisible to readers, in
chunks of ``CHUNK`` triples with ``INSERT DATA``), then makes them current in one SPARQL
Update request: removed quads and graphs are deleted and each staging graph is moved (a
build) or added (an import) into its target. Oxigraph runs one update request in one
transaction, so readers see the store as before or as after; if the write fails before
that request, its staging graphs are dropped and the endpoint is as it was. Staging
graphs left by a killed write are dropped by the next write. One writer at a time, as
with the embedded store; unlike there, the endpoint cannot enforce it. A query during the
write reads a default graph it replaces from its staging graph (what it wrote).

Every command on the embedded store imports this module too (``coopgraph.location``
tells the two apart), so the HTTP client (``urllib.request``: ssl, email, sockets) and
``json`` are imported where a request is sent or its answer read.
"""

from __future__ import annotations

import contextlib
import os
import re
import urllib.parse
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from coopgraph import ids
from coopgraph.errors import CoopgraphError, UsageError
from coopgraph.queries.dataset import names_dataset

#: Triples per INSERT DATA request while staging.
CHUNK = 1_000
STAGING = "urn:coopgraph:staging:"
_HAS_PART = "http://purl.org/dc/terms/hasPart"
TIMEOUT_S = 600
_RESULTS = "application/sparql-results+json"


@dataclass(frozen=True)
class Endpoint:
    """Where a remote store answers queries and, optionally, updates."""

    query: str
    update: str | None = None

    def __post_init__(self) -> None:
        for url in (self.query, self.update):
            if url is not None and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise UsageError(f"not an http(s) URL: {url!r}")

    def __str__(self) -> str:
        return self.query


def _post(url: str, form: list[tuple[str, str]], accept: str) -> bytes:
    """POST a SPARQL Protocol form; a one-line CoopgraphError (or SyntaxError) on failure."""
    import urllib.error
    import urllib.request

    body = urllib.parse.urlencode(form).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
            partial = response.headers.get("X-SQL-State")
            if partial:
                # Virtuoso's "anytime" queries: past its MaxQueryExecutionTime it answers
                # 200 with the rows found so far and says so only in these headers
                raise CoopgraphError(
                    "the endpoint answered with a partial result "
                    f"({partial}: {response.headers.get('X-SQL-Message', 'time limit')}); "
                    "raise its query time limit (Virtuoso: MaxQueryExecutionTime)",
                    path=url,
                )
            return response.read()
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", "replace").strip().splitlines()
        message = detail[0] if detail else error.reason
        if error.code == 400 and any(name == "query" for name, _ in form):
            raise SyntaxError(message) from None
        raise CoopgraphError(f"the endpoint answered {error.code}: {message}", path=url) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise CoopgraphError(f"cannot reach the SPARQL endpoint: {reason}", path=url) from None


def _prologue(prefixes: dict[str, str] | None) -> str:
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in (prefixes or {}).items())


def _shift_lines(message: str, by: int) -> str:
    """An endpoint's "error at LINE:COLUMN" message with LINE moved by ``by`` (the lines
    of the PREFIX prologue coopgraph put before the user's query).

    >>> _shift_lines("error at 14:25: expected one of LATERAL", -13)
    'error at 1:25: expected one of LATERAL'
    """
    return re.sub(
        r"error at (\d+):(\d+)",
        lambda m: f"error at {max(1, int(m[1]) + by)}:{m[2]}",
        message,
        count=1,
    )


_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def _parse_results(data: bytes):
    """SPARQL JSON results as pyoxigraph's, booleans in canonical form: Virtuoso stores
    xsd:boolean as an integer and answers "1" and "0" for true and false."""
    if _BOOLEAN.encode() in data:
        import json

        results = json.loads(data)
        for row in results.get("results", {}).get("bindings", []):
            for term in row.values():
                if term.get("datatype") == _BOOLEAN and term["value"] in ("0", "1"):
                    term["value"] = "true" if term["value"] == "1" else "false"
        data = json.dumps(results).encode("utf-8")
    return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)


class EndpointReader:
    """The read side of a remote store, shaped like the pyoxigraph ``Store`` calls coopgraph
    makes. The list of coopgraph's graphs is read once, when first needed."""

    def __init__(self, endpoint: Endpoint):
        self.endpoint = endpoint
        self._graphs: list[str] | None = None

    # -- the graphs -------------------------------------------------------------------

    def graph_names(self) -> list[str]:
        """coopgraph's named graphs on the endpoint, sorted: those under ``ids.GRAPH`` and
        those an import recorded as its parts in ``meta`` (``dcterms:hasPart``: the named
        graphs of an RDF file, which keep the file's names)."""
        if self._graphs is None:
            text = (
                "SELECT DISTINCT ?g WHERE { { GRAPH ?g { ?s ?p ?o } "
                f'FILTER(STRSTARTS(STR(?g), "{ids.GRAPH}")) }} UNION '
                f"{{ GRAPH <{ids.graph('meta')}> {{ ?import <{_HAS_PART}> ?g }} }} }}"
            )
            rows = self._select(text, [])
            self._graphs = sorted(row["g"].value for row in rows)
        return self._graphs

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        return iter([ox.NamedNode(g) for g in self.graph_names()])

    # -- queries -------------------------------------------------------------------------

    def _select(self, text: str, dataset: list[tuple[str, str]]):
        data = _post(self.endpoint.query, [("query", text), *dataset], _RESULTS)
        return _parse_results(data)

    def query(
        self,
        text: str,
        *,
        prefixes: dict[str, str] | None = None,
        base_iri: str | None = None,
        use_default_graph_as_union: bool = False,
        default_graph: Iterable[ox.NamedNode] | None = None,
        named_graphs: Iterable[ox.NamedNode] | None = None,
    ):
        """Run a query as ``pyoxigraph.Store.query`` would on the embedded store.

        Returns QuerySolutions or QueryBoolean (parsed from SPARQL JSON results) or, for
        CONSTRUCT and DESCRIBE, a list of ``ox.Triple``. A syntax error the endpoint reports
        raises ``SyntaxError`` as pyoxigraph does. ``base_iri`` goes before the query as
        its BASE. Given no dataset, a query with FROM or FROM NAMED runs on that dataset
        (no protocol dataset is sent: it would replace the query's); any other sees no
        default graph and coopgraph's graphs as its named graphs.
        """
        prologue = _prologue(prefixes)
        if base_iri is not None:
            prologue = f"BASE <{base_iri}>\n" + prologue
        given = use_default_graph_as_union or default_graph is not None or named_graphs is not None
        if not given and names_dataset(text):
            dataset: list[tuple[str, str]] = []
        else:
            dataset = self._dataset(use_default_graph_as_union, default_graph, named_graphs)
        accept = f"{_RESULTS}, application/n-triples;q=0.9"
        try:
            data = _post(self.endpoint.query, [("query", prologue + text), *dataset], accept)
        except SyntaxError as error:
            raise SyntaxError(_shift_lines(str(error), -prologue.count("\n"))) from None
        if data.lstrip()[:1] == b"{":
            return _parse_results(data)
        return list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))

    def _dataset(
        self,
        union: bool,
        default_graph: Iterable[ox.NamedNode] | None,
        named_graphs: Iterable[ox.NamedNode] | None,
    ) -> list[tuple[str, str]]:
        """The protocol's dataset parameters for ``Store.query``'s dataset arguments, listing
        only coopgraph's graphs."""
        graphs = self.graph_names()
        if default_graph is not None:
            default = [g.value for g in default_graph]
        elif union:
            default = graphs
        else:
            default = []
        named = [g.value for g in named_graphs] if named_graphs is not None else graphs
        # An empty list would leave the dataset to the endpoint: name a graph that is empty.
        dataset = [("default-graph-uri", g) for g in default or [STAGING + "none"]]
        dataset += [("named-graph-uri", g) for g in named or [STAGING + "none"]]
        return dataset

    def quads_for_pattern(self, subject, predicate, object_, graph_name) -> list[ox.Quad]:
        terms = {"s": subject, "p": predicate, "o": object_, "g": graph_name}
        pattern = {k: (f"?{k}" if v is None else str(v)) for k, v in terms.items()}
        text = (
            f"SELECT * WHERE {{ GRAPH {pattern['g']} "
            f"{{ {pattern['s']} {pattern['p']} {pattern['o']} }} }}"
        )
        quads = []
        for row in self.query(text):
            found = {k: (v if v is not None else row[k]) for k, v in terms.items()}
            quads.append(ox.Quad(found["s"], found["p"], found["o"], found["g"]))
        return quads

    def has_data(self) -> bool:
        return bool(self.graph_names())


# --- writing ------------------------------------------------------------------------------


class EndpointWriter(EndpointReader):
    """What ``RemoteStore.write`` hands to a change on an endpoint: the current content to
    read, and ``bulk_load``/``remove``/``remove_graph`` recorded until ``commit``."""

    def __init__(self, endpoint: Endpoint, *, from_empty: bool):
        super().__init__(endpoint)
        if endpoint.update is None:
            raise UsageError(
                "writing to a remote store needs its update endpoint: give --update-endpoint "
                "URL (env COOPGRAPH_UPDATE_ENDPOINT)"
            )
        self.update_url = endpoint.update
        self.from_empty = from_empty
        self.token = os.urandom(6).hex()  # as secrets.token_hex(6), without its imports
        self.staged: dict[str, str] = {}  # target graph -> staging graph
        self.removed: list[ox.Quad] = []
        self.dropped: set[str] = set()
        self.kept: set[str] = set()

    def _update(self, text: str) -> None:
        _post(self.update_url, [("update", text)], "*/*")

    def _dataset(
        self,
        union: bool,
        default_graph: Iterable[ox.NamedNode] | None,
        named_graphs: Iterable[ox.NamedNode] | None,
    ) -> list[tuple[str, str]]:
        """The reader's dataset, but a default graph this write replaces whole (every graph
        of a build but those it keeps, or one it dropped) is read as the write stages it,
        as a change reads a new generation of the embedded store: an import measures the
        coverage of what it loaded (``coverage.record``). A graph only added to is read
        with its staged additions; removed quads still show until the commit."""
        if default_graph is not None:
            default_graph = [ox.NamedNode(g) for node in default_graph for g in self._new(node)]
        return super()._dataset(union, default_graph, named_graphs)

    def _new(self, node: ox.NamedNode) -> list[str]:
        """Where ``node``'s content as written so far is (see ``_dataset``)."""
        graph = node.value
        staged = [self.staged[graph]] if graph in self.staged else []
        replaced = graph in self.dropped or (self.from_empty and graph not in self.kept)
        return staged if replaced else [graph, *staged]

    def drop_abandoned(self) -> None:
        """Drop staging graphs that killed writes left behind."""
        text = (
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{STAGING}")) }}'
        )
        old = [row["g"].value for row in self._select(text, [])]
        if old:
            self._update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in old))

    def _stage(self, graph: str) -> str:
        if graph not in self.staged:
            self.staged[graph] = f"{STAGING}{self.token}:{len(self.staged)}"
        return self.staged[graph]

    def _insert(self, quads: Iterable[ox.Quad]) -> None:
        """Upload quads into their staging graphs, CHUNK triples per request. Triples with
        blank nodes go in one request per graph, so their labels stay one node."""
        chunks: dict[str, list[ox.Triple]] = defaultdict(list)
        blank: dict[str, list[ox.Triple]] = defaultdict(list)

        def send(graph: str, triples: list[ox.Triple], *, blank: bool = False) -> None:
            body = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
            quads = f"GRAPH <{self._stage(graph)}> {{\n{body}}}"
            # Virtuoso refuses blank nodes in INSERT DATA; a template makes them anew
            # (one node per label within the request) on every endpoint.
            self._update(
                f"INSERT {{ {quads} }} WHERE {{}}" if blank else f"INSERT DATA {{ {quads} }}"
            )

        for quad in quads:
            if isinstance(quad.graph_name, ox.DefaultGraph):
                raise CoopgraphError("a remote write got a triple outside a named graph")
            graph = quad.graph_name.value
            triple = ox.Triple(quad.subject, quad.predicate, quad.object)
            if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
                blank[graph].append(triple)
                continue
            chunk = chunks[graph]
            chunk.append(triple)
            if len(chunk) >= CHUNK:
                send(graph, chunk)
                chunks[graph] = []
        for graph, triples in chunks.items():
            if triples:
                send(graph, triples)
        for graph, triples in blank.items():
            send(graph, triples, blank=True)

    def bulk_load(
        self,
        input: bytes | str | None = None,  # noqa: A002 - pyoxigraph's name
        *,
        format: ox.RdfFormat,  # noqa: A002
        path: str | None = None,
        to_graph: ox.NamedNode | None = None,
    ) -> None:
        if path is not None:
            parsed = ox.parse(path=path, format=format)
        else:
            parsed = ox.parse(input.encode() if isinstance(input, str) else input, format=format)
        if to_graph is not None:
            parsed = (ox.Quad(t.subject, t.predicate, t.object, to_graph) for t in parsed)
        self._insert(parsed)

    def remove(self, quad: ox.Quad) -> None:
        self.removed.append(quad)

    def remove_graph(self, graph: ox.NamedNode) -> None:
        self.dropped.add(graph.value)

    def keep(self, graph: str) -> None:
        """Keep ``graph`` as it is through a build (an imported source's graph)."""
        self.kept.add(graph)

    def commit(self) -> None:
        """Make the staged change current in one update request."""
        steps = []
        if self.from_empty:
            for graph in self.graph_names():
                if graph not in self.staged and graph not in self.kept:
                    steps.append(f"DROP SILENT GRAPH <{graph}>")
        for graph in sorted(self.dropped):
            steps.append(f"DROP SILENT GRAPH <{graph}>")
        if self.removed:
            steps.append(f"DELETE DATA {{\n{_quads_as_graphs(self.removed)}}}")
        for graph, staging in sorted(self.staged.items()):
            if self.from_empty:
                steps.append(f"MOVE SILENT <{staging}> TO <{graph}>")
            else:
                steps.append(f"ADD SILENT <{staging}> TO <{graph}>")
                steps.append(f"DROP SILENT GRAPH <{staging}>")
        if steps:
            self._update(" ;\n".join(steps))

    def abandon(self) -> None:
        with contextlib.suppress(CoopgraphError):
            if self.staged:
                self._update(" ;\n".join(f"DROP SILENT GRAPH <{s}>" for s in self.staged.values()))


def _quads_as_graphs(quads: list[ox.Quad]) -> str:
    """Quads as ``GRAPH <g> { triples }`` blocks for DELETE DATA."""
    by_graph: dict[str, list[ox.Triple]] = defaultdict(list)
    for quad in quads:
        by_graph[quad.graph_name.value].append(ox.Triple(quad.subject, quad.predicate, quad.object))
    blocks = []
    for graph, triples in sorted(by_graph.items()):
        body = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
        blocks.append(f"GRAPH <{graph}> {{\n{body}}}\n")
    return "".join(blocks)


def write(
    endpoint: Endpoint, change: Callable[[EndpointWriter], None], *, from_empty: bool
) -> None:
    """Apply ``change`` to the remote store: stage, then commit in one update request."""
    writer = EndpointWriter(endpoint, from_empty=from_empty)
    writer.drop_abandoned()
    try:
        change(writer)
        writer.commit()
    except BaseException:
        writer.abandon()
        raise
