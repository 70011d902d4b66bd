"""The W3C SPARQL 1.1 query-evaluation tests, run through coopgraph and through raw pyoxigraph.

Used by ``tests/test_w3c_query.py`` (coopgraph's outcome per test) and
``bench/w3c_query.py`` (both engines' counts per manifest). The suite is read from
``../shared/w3c_rdf_tests/sparql/sparql11`` (``SUITE``); every ``*/manifest.ttl`` entry that
is an ``mf:QueryEvaluationTest`` or ``mf:CSVResultFormatTest`` and needs nothing but a query,
default graph data (``qt:data``) and named graph data (``qt:graphData``) qualifies; the
rest are counted in ``skipped`` with the reason (entailment regimes, SERVICE calls).

Two ways to run a test:

- ``run_raw``: a pyoxigraph ``Store()`` in memory, ``qt:data`` loaded into its default
  graph and each ``qt:graphData`` file into a named graph of the file's IRI, then
  ``store.query(text, base_iri=<the query file's IRI>)``: what the W3C suite expects of an
  engine, and what Oxigraph's own test runner does.
- ``run_coopgraph``: a store in a temporary directory written only by ``coopgraph import
  rdf`` (``importer.run``: ``qt:data`` into the ``rdf`` source's graph, each
  ``qt:graphData`` file with ``graph=`` its IRI; ``base=`` the file's IRI, as ``--base``),
  queried by ``api.query`` with the test's dataset, as ``coopgraph query --file Q
  --default-graph <the rdf graph> --named-graph <each qt:graphData IRI> --base <Q's IRI>
  --format json`` (the protocol's dataset: the ``rdf`` graph as the default graph, empty
  with no ``qt:data``, and the test's named graphs; relative IRIs resolve against the
  query file, as the suite expects); a query that names its own dataset (FROM, FROM NAMED)
  is given none, since a request's dataset would replace the query's, where the suite
  expects the query's (SPARQL 1.1 Query, 13.2). ``mode="sources"`` queries with ``--sources rdf``
  instead: the default graph and the named graphs are then the ``rdf`` graph with the
  ontology and states graphs, so the test's named graphs (sources of their own) are not
  there. ``mode="union"`` queries with neither, as plain ``coopgraph query`` does: the
  default graph is then the union of every graph, provenance (``meta``) included.

Results are compared as SPARQL results: a graph of solutions (``rs:`` vocabulary) checked
for isomorphism by rdflib, so blank nodes match by structure, unordered unless the query
says ORDER BY (then each solution carries its index); CONSTRUCT results as graphs; CSV
results cell by cell with ``_:`` labels as blank nodes.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT.parent / "shared" / "w3c_rdf_tests" / "sparql" / "sparql11"
#: The IRI the suite's files are published under; a file's IRI is this plus its path.
BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
QT = "http://www.w3.org/2001/sw/DataAccess/tests/test-query#"
RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDF_TYPE = ox.NamedNode(RDF + "type")
_NIL = ox.NamedNode(RDF + "nil")
KINDS = (MF + "QueryEvaluationTest", MF + "CSVResultFormatTest")
#: What a qualifying test's action may hold.
ACTION = {QT + "query", QT + "data", QT + "graphData"}
RESULT_FORMATS = {
    ".srx": ox.QueryResultsFormat.XML,
    ".srj": ox.QueryResultsFormat.JSON,
    ".tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".rdf": ox.RdfFormat.RDF_XML,
}


@dataclass(frozen=True)
class Case:
    """One qualifying test of a manifest."""

    iri: str
    manifest: str  # the folder: aggregates, bind, ...
    name: str
    query: Path
    data: tuple[Path, ...]
    graph_data: tuple[Path, ...]
    result: Path
    csv: bool  # an mf:CSVResultFormatTest: the result is compared as CSV text

    @property
    def id(self) -> str:
        """``manifest/local name``: how tests and docs name it."""
        return f"{self.manifest}/{self.iri.rsplit('#', 1)[-1]}"


def iri(path: Path) -> str:
    """The published IRI of a file of the suite."""
    return BASE + path.relative_to(SUITE).as_posix()


def _path(term: ox.NamedNode) -> Path:
    return SUITE / term.value.removeprefix(BASE)


def cases() -> tuple[list[Case], dict[str, str]]:
    """Every qualifying test in manifest order, and the others' ids with why they do not
    qualify."""
    found: list[Case] = []
    skipped: dict[str, str] = {}
    for manifest in sorted(SUITE.glob("*/manifest.ttl")):
        graph = ox.Store()
        graph.load(path=str(manifest), format=ox.RdfFormat.TURTLE, base_iri=iri(manifest))
        for test in _entries(graph):
            case = _case(graph, test, manifest.parent.name)
            if isinstance(case, Case):
                found.append(case)
            elif case:
                skipped[f"{manifest.parent.name}/{test.value.rsplit('#', 1)[-1]}"] = case
    return found, skipped


def _one(graph: ox.Store, subject, predicate: str):
    """The object of ``subject predicate`` in a manifest, or None."""
    for quad in graph.quads_for_pattern(subject, ox.NamedNode(predicate), None):
        return quad.object
    return None


def _entries(graph: ox.Store) -> list:
    """The manifest's ``mf:entries``, in the list's order."""
    entries, node = [], _one(graph, None, MF + "entries")
    while node is not None and node != _NIL:
        entries.append(_one(graph, node, RDF + "first"))
        node = _one(graph, node, RDF + "rest")
    return entries


def _case(graph: ox.Store, test, folder: str) -> Case | str:
    """The Case of ``test``; else why it does not qualify ('' when it is no query
    evaluation test at all)."""
    kinds = {q.object.value for q in graph.quads_for_pattern(test, _RDF_TYPE, None)}
    if not kinds & set(KINDS):
        return ""
    action = _one(graph, test, MF + "action")
    said = {q.predicate.value for q in graph.quads_for_pattern(action, None, None)}
    if said - ACTION:
        return "needs " + ", ".join(sorted(p.rsplit("#", 1)[-1] for p in said - ACTION))
    query = _path(_one(graph, action, QT + "query"))
    if "SERVICE" in query.read_text(encoding="utf-8").upper():
        return "calls SERVICE"

    def files(predicate: str) -> tuple[Path, ...]:
        objects = graph.quads_for_pattern(action, ox.NamedNode(QT + predicate), None)
        return tuple(sorted(_path(q.object) for q in objects))

    return Case(
        iri=test.value,
        manifest=folder,
        name=_one(graph, test, MF + "name").value,
        query=query,
        data=files("data"),
        graph_data=files("graphData"),
        result=_path(_one(graph, test, MF + "result")),
        csv=MF + "CSVResultFormatTest" in kinds,
    )


# ------------------------------------------------------------------------------ running


@dataclass
class Outcome:
    """How one engine did on one test: passed, or why not."""

    passed: bool
    detail: str = ""


def _format(path: Path) -> ox.RdfFormat:
    return ox.RdfFormat.from_extension(path.suffix.lstrip("."))


def run_raw(case: Case) -> Outcome:
    """The test on a raw pyoxigraph store (see the module doc)."""
    store = ox.Store()
    try:
        for path in case.data:
            store.load(path=str(path), format=_format(path), base_iri=iri(path))
        for path in case.graph_data:
            store.load(
                path=str(path),
                format=_format(path),
                base_iri=iri(path),
                to_graph=ox.NamedNode(iri(path)),
            )
        text = case.query.read_text(encoding="utf-8")
        result = store.query(text, base_iri=iri(case.query))
        if case.csv:
            got = _csv(result.serialize(format=ox.QueryResultsFormat.CSV).decode())
        else:
            got = _result(result, _ordered(text))
    except (SyntaxError, OSError, ValueError) as error:
        return Outcome(False, f"error: {_first_line(error)}")
    return _compare(case, got)


def run_coopgraph(case: Case, work: Path, mode: str = "dataset") -> Outcome:
    """The test through ``coopgraph import rdf`` and ``coopgraph query`` in a store under
    ``work`` (see the module doc); ``mode`` is ``dataset``, ``sources`` or ``union``."""
    from coopgraph.errors import CoopgraphError

    root = work / "store"
    try:
        build_store(case, root)
    except CoopgraphError as error:
        return Outcome(False, f"import error: {_first_line(error)}")
    return query_coopgraph(case, root, mode)


def _imported(paths: tuple[Path, ...]) -> list[Path]:
    """The files ``coopgraph import rdf`` is given: not those of 0 bytes, which it refuses
    as a failed download (``empty file``); the graph they stand for is empty either way."""
    return [path for path in paths if path.stat().st_size]


def build_store(case: Case, root: Path) -> None:
    """The test's data imported into the store at ``root`` by ``coopgraph import rdf``."""
    from coopgraph import importer
    from coopgraph.location import locate

    data = _imported(case.data)
    if data:
        importer.run(root, "rdf", data, base=iri(data[0]))
    for path in _imported(case.graph_data):
        importer.run(root, "rdf", [path], graph=iri(path), base=iri(path))
    if not locate(root).exists():  # nothing to import: no command makes an empty store
        locate(root).write(lambda store: None, from_empty=True)


def query_coopgraph(case: Case, root: Path, mode: str = "dataset") -> Outcome:
    """The test's query on the store at ``root`` through ``api.query`` (``mode``: the
    test's dataset, ``--sources rdf``, or ``union`` with neither)."""
    from coopgraph import api, ids, queries
    from coopgraph.errors import CoopgraphError

    query = queries.load(file=case.query)
    options: dict = {}
    if mode == "dataset" and not queries.dataset.names_dataset(query.text):
        options["default_graphs"] = [ids.graph("rdf")] if _imported(case.data) else []
        options["named_graphs"] = [iri(path) for path in case.graph_data]
    elif mode == "sources":
        options["sources"] = ["rdf"] if _imported(case.data) else []
    graph = query.form in ("CONSTRUCT", "DESCRIBE")
    fmt = "csv" if case.csv else "ntriples" if graph else "json"
    try:
        text = api.query(root, query, fmt=fmt, base=iri(case.query), **options)
    except CoopgraphError as error:
        return Outcome(False, f"error: {_first_line(error)}")
    if case.csv:
        got = _csv(text)
    elif graph:
        got = _result(ox.parse(text.encode(), format=ox.RdfFormat.N_TRIPLES), False)
    else:
        parsed = ox.parse_query_results(text.encode(), format=ox.QueryResultsFormat.JSON)
        got = _result(parsed, _ordered(query.text))
    return _compare(case, got)


def _first_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:300]


# ---------------------------------------------------------------------------- comparing
XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGERS = {
    XSD + name
    for name in (
        "integer",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "positiveInteger",
    )
}


@dataclass(frozen=True)
class Result:
    """A query result in a form to compare: a boolean, or rows of N-Triples terms (a
    solution: sorted (variable, term) pairs; a graph: one (s, p, o) row per triple)."""

    boolean: bool | None = None
    variables: frozenset[str] = frozenset()
    rows: tuple[tuple, ...] = ()
    ordered: bool = False
    graph: bool = False

    def same(self, other: Result) -> bool:
        """Equal as SPARQL results: blank nodes matched by structure (rdflib decides
        when either side has one), the order of rows kept only when both are ordered."""
        if (self.boolean, self.variables, self.graph) != (
            other.boolean,
            other.variables,
            other.graph,
        ):
            return False
        mine, theirs = self._distinct(self.rows), self._distinct(other.rows)
        if len(mine) != len(theirs):
            return False
        if not any("_:" in str(row) for row in (*mine, *theirs)):
            if self.ordered and other.ordered:
                return list(mine) == list(theirs)
            return Counter(mine) == Counter(theirs)
        from rdflib.compare import isomorphic

        return isomorphic(self._rdflib(), other._rdflib())

    def _distinct(self, rows: tuple[tuple, ...]) -> tuple[tuple, ...]:
        return tuple(sorted(set(rows))) if self.graph else rows  # a graph is a set

    def _rdflib(self):
        """The result as an rdflib graph (``rs:`` vocabulary for solutions)."""
        import rdflib

        if self.graph:
            lines = [f"{s} {p} {o} .\n" for s, p, o in self.rows]
        else:
            lines = [f'_:set <{RS}resultVariable> "{v}" .\n' for v in sorted(self.variables)]
            for n, row in enumerate(self.rows):
                lines.append(f"_:set <{RS}solution> _:s{n} .\n")
                if self.ordered:
                    lines.append(f'_:s{n} <{RS}index> "{n}" .\n')
                for k, (name, value) in enumerate(row):
                    lines.append(f"_:s{n} <{RS}binding> _:s{n}b{k} .\n")
                    lines.append(f'_:s{n}b{k} <{RS}variable> "{name}" .\n')
                    lines.append(f"_:s{n}b{k} <{RS}value> {value} .\n")
        return rdflib.Graph().parse(data="".join(lines), format="nt")


def _ordered(text: str) -> bool:
    """Whether the query orders its solutions (ORDER BY outside comments)."""
    return re.search(r"\bORDER\s+BY\b", re.sub(r"#[^\n]*", "", text), re.IGNORECASE) is not None


def _compare(case: Case, got: Result) -> Outcome:
    """``got`` against the test's expected result."""
    try:
        expected = _expected(case)
    except (SyntaxError, OSError, ValueError) as error:  # pragma: no cover - suite's files
        return Outcome(False, f"cannot read the expected result: {_first_line(error)}")
    return Outcome(True) if got.same(expected) else Outcome(False, "results differ")


def _expected(case: Case) -> Result:
    path = case.result
    if case.csv:
        return _csv(path.read_text(encoding="utf-8"))
    ordered = _ordered(case.query.read_text(encoding="utf-8"))
    if path.suffix in RESULT_FORMATS:
        parsed = ox.parse_query_results(path=str(path), format=RESULT_FORMATS[path.suffix])
        return _result(parsed, ordered)
    graph = ox.Store()
    graph.load(path=str(path), format=GRAPH_FORMATS[path.suffix], base_iri=iri(path))
    if any(True for _ in graph.quads_for_pattern(None, _RDF_TYPE, ox.NamedNode(RS + "ResultSet"))):
        return _result_set(graph, ordered)
    return _result(graph.quads_for_pattern(None, None, None), False)


def _objects(graph: ox.Store, subject, name: str) -> list:
    return [q.object for q in graph.quads_for_pattern(subject, ox.NamedNode(RS + name), None)]


def _result_set(graph: ox.Store, ordered: bool) -> Result:
    """An ``rs:ResultSet`` graph (results written in RDF) as a Result."""
    for value in _objects(graph, None, "boolean"):
        return Result(boolean=value.value == "true")
    rows = []
    for solution in _objects(graph, None, "solution"):
        index = [int(i.value) for i in _objects(graph, solution, "index")]
        row = {}
        for binding in _objects(graph, solution, "binding"):
            row[_objects(graph, binding, "variable")[0].value] = _objects(graph, binding, "value")[
                0
            ]
        rows.append((index[0] if index else 0, row))
    rows.sort(key=lambda item: item[0])
    variables = [v.value for v in _objects(graph, None, "resultVariable")]
    return _solutions(variables, [row for _, row in rows], ordered)


def _result(result, ordered: bool) -> Result:
    """A pyoxigraph result (solutions, boolean, or triples/quads) as a Result."""
    if isinstance(result, ox.QueryBoolean):
        return Result(boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = [{v: s[v] for v in variables if s[v] is not None} for s in result]
        return _solutions(variables, rows, ordered)
    triples = tuple((_term(t.subject), _term(t.predicate), _term(t.object)) for t in result)
    return Result(rows=triples, graph=True)


def _solutions(variables: list[str], rows: list[dict], ordered: bool) -> Result:
    return Result(
        variables=frozenset(variables),
        rows=tuple(tuple(sorted((k, _term(v)) for k, v in row.items())) for row in rows),
        ordered=ordered,
    )


def _csv(text: str) -> Result:
    """CSV results, cell by cell (a ``_:x`` cell as a blank node, the rest as text)."""
    rows = list(csv.reader(io.StringIO(text)))
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    table = [
        {
            h: ox.BlankNode(c[2:]) if c.startswith("_:") else ox.Literal(c)
            for h, c in zip(header, r, strict=False)
        }
        for r in body
    ]
    return _solutions(header, table, False)


def _term(term) -> str:
    """A term in N-Triples, its blank node labels kept apart from the structure's and a
    number or boolean in one lexical form per value ("1.0" and "1" are the same
    xsd:decimal, "1" and "true" the same xsd:boolean), as the suite compares them."""
    if isinstance(term, ox.BlankNode):
        return f"_:v{term.value}"
    if isinstance(term, ox.Literal):
        kind = term.datatype.value
        try:
            if kind in INTEGERS:
                return str(ox.Literal(str(int(term.value)), datatype=term.datatype))
            if kind == XSD + "decimal":
                value = Decimal(term.value)
                text = f"{value.normalize():f}" if value else "0"
                return str(ox.Literal(text, datatype=term.datatype))
            if kind == XSD + "boolean" and term.value in ("0", "1"):
                value = "true" if term.value == "1" else "false"
                return str(ox.Literal(value, datatype=term.datatype))
            if kind in (XSD + "double", XSD + "float"):
                return str(ox.Literal(repr(float(term.value)), datatype=term.datatype))
        except (ValueError, ArithmeticError):
            pass  # not a valid lexical form: compared as it is
    return str(term)
