"""``coopgraph build``: ontology and curated data into a new store generation.

Steps: check the ontology and shapes parse and translate the shapes to SPARQL
(``coopgraph.shacl``); in a new generation, load the ontology and shapes, and read data/
through the ``curated`` source (every row checked) into the nations and curated graphs,
each piece bulk-loaded while the next is read (imported sources stay); record their
provenance and the years they cover (``coverage.record``); validate the nations and
curated graphs there with the shapes' queries; switch the store to it atomically. Any
failure before the switch, a bad row or a SHACL violation included, deletes the new
generation and leaves the previous store as it was.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from coopgraph import __version__, coverage, ids, shacl, store
from coopgraph import ntriples as nt
from coopgraph import sources as source_registry
from coopgraph.errors import CoopgraphError, escape
from coopgraph.location import Location, Reader, locate
from coopgraph.namespace import CG, PREFIXES
from coopgraph.paths import data_dir, ontology_dir
from coopgraph.remote import Endpoint
from coopgraph.sources import FileRecord, SourceResult
from coopgraph.validate import Violation, check_turtle, from_results

DCT = PREFIXES["dcterms"]
PROV = PREFIXES["prov"]


@dataclass
class BuildReport:
    """What a build stored and how long it took: in all (``seconds``) and per step
    (``steps``, in seconds: prepare (check the ontology and shapes, list the imported
    graphs to keep), read (data/ while its pieces load), load (the rest of the load),
    validate, switch (flush and make current), count; bench/bench_build.py prints them)."""

    store: store.Location
    counts: list[store.GraphCount]
    seconds: float
    steps: dict[str, float] = field(default_factory=dict)


class ValidationFailed(CoopgraphError):
    """The data broke SHACL shapes; ``violations`` lists them."""

    def __init__(self, violations: list[Violation]):
        self.violations = violations
        super().__init__(f"{len(violations)} SHACL violation(s) in the data; nothing stored")


def read_curated(
    folder: Path | None = None, *, sink: Callable[[str], None] | None = None
) -> SourceResult:
    """The curated source's graph, every row checked (raises on the first bad row); with
    a ``sink``, handed to it in pieces as it is read (``CuratedSource.read``)."""
    return source_registry.get("curated").read([folder or data_dir()], sink=sink)


def provenance(results: list[SourceResult], when: dt.datetime) -> str:
    """N-Quads for the ``meta`` graph: one prov:Entity per named graph with its inputs."""
    lines = []
    for result in results:
        graphs = {result.graph: result.title, **result.other_graphs}
        for g, title in graphs.items():
            triples = result.triples.get(g, 0)
            files = [f for f in result.files if (f.graph or result.graph) == g]
            lines.append(graph_provenance(result.name, g, title, triples, files, when))
    return "".join(lines)


def graph_provenance(
    source: str,
    graph: str,
    title: str,
    triples: int,
    files: list[FileRecord],
    when: dt.datetime,
    extra: dict[str, str] | None = None,
    parts: Iterable[str] = (),
) -> str:
    """N-Quads (``meta`` graph) describing one named graph: title, time, creator, triples,
    and per input file its name, SHA-256 and rows read, imported and rejected. ``extra``
    adds literal properties (e.g. the dataset's version: ``{OWL + "versionInfo": "5.1"}``);
    ``parts`` names other graphs the same import wrote (``dcterms:hasPart``: dropped with
    it by ``remove_source``), and ``triples`` then counts theirs too.
    """
    meta = ids.graph("meta")
    g = graph
    lines = [
        nt.quad(g, nt.RDF_TYPE, nt.iri(PROV + "Entity"), meta),
        nt.quad(g, DCT + "title", nt.literal(title), meta),
        nt.quad(g, CG.sourceName, nt.literal(source), meta),
        nt.quad(
            g,
            PROV + "generatedAtTime",
            nt.literal(when.isoformat(), datatype=nt.XSD + "dateTime"),
            meta,
        ),
        nt.quad(g, DCT + "creator", nt.literal(f"coopgraph {__version__}"), meta),
        nt.quad(g, CG.triples, nt.integer(triples), meta),
    ]
    for prop, value in (extra or {}).items():
        lines.append(nt.quad(g, prop, nt.literal(value), meta))
    for part in parts:
        lines.append(nt.quad(g, DCT + "hasPart", nt.iri(part), meta))
    for record in files:
        name = escape(record.path.name)  # an undecodable byte of the name as \xNN
        f = ids.fact("input", source, name)
        lines.append(nt.quad(g, PROV + "wasDerivedFrom", nt.iri(f), meta))
        lines.append(nt.quad(f, DCT + "identifier", nt.literal(name), meta))
        lines.append(nt.quad(f, CG.sha256, nt.literal(record.sha256), meta))
        lines.append(nt.quad(f, CG.rowsRead, nt.integer(record.rows_read), meta))
        lines.append(nt.quad(f, CG.rowsImported, nt.integer(record.rows_imported), meta))
        lines.append(nt.quad(f, CG.rowsRejected, nt.integer(record.rows_rejected), meta))
        if record.rows_skipped:
            lines.append(nt.quad(f, CG.rowsSkipped, nt.integer(record.rows_skipped), meta))
    return "".join(lines)


def provenance_subjects(reader: Reader, graph: ox.NamedNode) -> list[ox.NamedNode]:
    """The nodes of ``meta`` that describe ``graph``: the graph itself, its input files
    (``prov:wasDerivedFrom``) and its coverage (``dcterms:temporal``, ``coopgraph.coverage``);
    what a rebuild keeps of an import and what ``remove_source`` drops."""
    meta = ox.NamedNode(ids.graph("meta"))
    linked = (ox.NamedNode(PROV + "wasDerivedFrom"), ox.NamedNode(DCT + "temporal"))
    return [graph] + [
        q.object for link in linked for q in reader.quads_for_pattern(graph, link, None, meta)
    ]


def remove_source(target: ox.Store, graph: str) -> None:
    """Drop ``graph``, the graphs its provenance names as its parts (``dcterms:hasPart``)
    and that provenance (``meta`` graph) from ``target``."""
    meta = ox.NamedNode(ids.graph("meta"))
    node = ox.NamedNode(graph)
    subjects = provenance_subjects(target, node)
    parts = [
        q.object for q in target.quads_for_pattern(node, ox.NamedNode(DCT + "hasPart"), None, meta)
    ]
    for subject in subjects:
        for quad in list(target.quads_for_pattern(subject, None, None, meta)):
            target.remove(quad)
    if node in set(target.named_graphs()):
        target.remove_graph(node)
    for part in parts:  # recorded as the import's: dropped whether or not listed
        target.remove_graph(part)


def _imported(where: Location) -> list[tuple[str, bytes | None, bytes]]:
    """Each imported graph of the current store as (IRI, N-Triples, its provenance as
    N-Quads), so a build, which starts from an empty generation (removing the old curated
    graph quad by quad would take longer than loading it), keeps the imports.

    Where the location keeps graphs in place (an endpoint) the graph stays where it is
    (N-Triples None): downloading and uploading it again would move the whole import over
    the network twice."""
    if not where.exists():
        return []
    reader = where.reader()
    built = {ids.graph(name) for name in ids.BUILT_GRAPHS}
    meta = ox.NamedNode(ids.graph("meta"))
    kept = []
    for node in reader.named_graphs():
        if not isinstance(node, ox.NamedNode) or node.value in built:
            continue
        subjects = provenance_subjects(reader, node)
        meta_quads = [q for s in subjects for q in reader.quads_for_pattern(s, None, None, meta)]
        kept.append(
            (
                node.value,
                None
                if where.keeps_graphs_in_place
                else reader.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=node),
                ox.serialize(meta_quads, format=ox.RdfFormat.N_QUADS) or b"",
            )
        )
    return kept


def build(
    store_path: Location | Path | Endpoint,
    *,
    data: Path | None = None,
    ontology: Path | None = None,
    validate: bool = True,
) -> BuildReport:
    """Build the store at ``store_path`` from the ontology and curated data.

    Raises ``CoopgraphError`` (bad file, row or Turtle) or ``ValidationFailed`` before
    the new generation is made current (it is deleted); the previous store stays current
    in every failure. The store's
    writer lock is taken first: while another process writes the store, the build fails
    at once, before it reads the data.
    """
    where = locate(store_path)
    with where.lock(create=True):
        return _build(where, data=data, ontology=ontology, validate=validate)


def _build(
    where: Location, *, data: Path | None, ontology: Path | None, validate: bool
) -> BuildReport:
    started = time.perf_counter()
    steps: dict[str, float] = {}
    ontology = ontology or ontology_dir()
    ontology_files = [ontology / "coopgraph.ttl", ontology / "shapes.ttl"]
    for path in ontology_files:
        check_turtle(path)
    shapes = shacl.read_shapes(ontology_files[1]) if validate else None
    vocabulary = turtle_nquads(ontology_files[0], ids.graph("ontology")) + turtle_nquads(
        ontology_files[1], ids.graph("shapes")
    )
    kept = _imported(where)
    steps["prepare"] = time.perf_counter() - started

    def load(target: ox.Store) -> None:
        begun = time.perf_counter()
        for graph, ntriples, meta_quads in kept:
            if ntriples is None:
                target.keep(graph)  # type: ignore[attr-defined] - a remote.EndpointWriter
            elif ntriples:
                target.bulk_load(
                    ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph)
                )
            target.bulk_load(meta_quads, format=ox.RdfFormat.N_QUADS)
        # An endpoint keeps no store to query: the data is validated in memory there.
        checked = ox.Store() if shapes is not None and where.keeps_graphs_in_place else target
        pieces = [vocabulary]  # the first piece carries the ontology and the shapes

        with store.PieceLoader(target) as loader:

            def sink(text: str) -> None:
                if not text and not pieces:
                    return  # a read that ended on a piece's boundary
                piece = text.encode("utf-8")
                if checked is not target:
                    checked.bulk_load(piece, format=ox.RdfFormat.N_QUADS)
                loader.load(pieces.pop() + piece if pieces else piece)

            curated = read_curated(data, sink=sink)
            steps["read"] = time.perf_counter() - begun
        when = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        store.add_nquads(target, provenance([curated], when).encode("utf-8"))
        for graph in (curated.graph, *curated.other_graphs):
            coverage.record(target, curated.name, graph)
        steps["load"] = time.perf_counter() - begun - steps["read"]
        if shapes is not None:  # the new generation, before the switch
            check(checked, shapes, [curated.graph, *curated.other_graphs])
        steps["validate"] = time.perf_counter() - begun - steps["read"] - steps["load"]

    writing = time.perf_counter()
    where.write(load, from_empty=True)
    steps["switch"] = (
        time.perf_counter() - writing - sum(steps[k] for k in ("read", "load", "validate"))
    )
    counting = time.perf_counter()
    counts = store.counts(where.reader())
    steps["count"] = time.perf_counter() - counting
    return BuildReport(where, counts, time.perf_counter() - started, steps)


def turtle_nquads(path: Path, graph: str) -> bytes:
    """The triples of a Turtle file as N-Quads in ``graph`` (to load with other data in
    one bulk load: each has a fixed cost of about 0.1 s)."""
    name = ox.NamedNode(graph)
    triples = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    quads = (ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def check(target: ox.Store, shapes: list[shacl.NodeShape], graphs: list[str]) -> None:
    """Raise ``ValidationFailed`` when the union of ``graphs`` in ``target`` (the data
    graph pySHACL was given before: the curated source's graphs merged) breaks
    ``shapes``."""
    results = shacl.check(target, shapes, graphs)
    if results:
        raise ValidationFailed(from_results(results))
