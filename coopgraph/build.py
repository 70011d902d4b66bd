"""``coopgraph build``: ontology and curated data into a new store generation.

Steps: check the ontology and shapes parse and translate the shapes to SPARQL
(``coopgraph.shacl``); read data/ through the ``curated`` source (every row checked); in a
new generation, load the ontology, shapes, nations and curated graphs (imported sources
stay) through Oxigraph's bulk loader; validate the nations and curated graphs there with
the shapes' queries; switch the store to it atomically. Any failure before the switch,
a SHACL violation included, leaves the previous store as it was.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from coopgraph import __version__, ids, shacl, store
from coopgraph import ntriples as nt
from coopgraph import sources as source_registry
from coopgraph.errors import CoopgraphError, escape
from coopgraph.location import Location, locate
from coopgraph.namespace import CG, PREFIXES
from coopgraph.paths import data_dir, ontology_dir
from coopgraph.remote import Endpoint
from coopgraph.sources import FileRecord, SourceResult
from coopgraph.validate import Violation, check_turtle, from_results

DCT = PREFIXES["dcterms"]
PROV = PREFIXES["prov"]


@dataclass
class BuildReport:
    """What a build stored and how long it took."""

    store: store.Location
    counts: list[store.GraphCount]
    seconds: float


class ValidationFailed(CoopgraphError):
    """The data broke SHACL shapes; ``violations`` lists them."""

    def __init__(self, violations: list[Violation]):
        self.violations = violations
        super().__init__(f"{len(violations)} SHACL violation(s) in the data; nothing stored")


def read_curated(folder: Path | None = None) -> SourceResult:
    """The curated source's graph, every row checked (raises on the first bad row)."""
    return source_registry.get("curated").read([folder or data_dir()])


def provenance(results: list[SourceResult], when: dt.datetime) -> str:
    """N-Quads for the ``meta`` graph: one prov:Entity per named graph with its inputs."""
    lines = []
    for result in results:
        graphs = {result.graph: result.title, **result.other_graphs}
        for g, title in graphs.items():
            # a line ends with its graph term; "\n" occurs nowhere else in N-Quads
            triples = result.nquads.count(f"<{g}> .\n")
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


def remove_source(target: ox.Store, graph: str) -> None:
    """Drop ``graph``, the graphs its provenance names as its parts (``dcterms:hasPart``)
    and that provenance (``meta`` graph) from ``target``."""
    meta = ox.NamedNode(ids.graph("meta"))
    node = ox.NamedNode(graph)
    subjects = [node] + [
        q.object
        for q in target.quads_for_pattern(node, ox.NamedNode(PROV + "wasDerivedFrom"), None, meta)
    ]
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
        subjects = [node] + [
            q.object
            for q in reader.quads_for_pattern(
                node, ox.NamedNode(PROV + "wasDerivedFrom"), None, meta
            )
        ]
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
    anything is written; the previous store stays current in every failure. The store's
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
    ontology = ontology or ontology_dir()
    ontology_files = [ontology / "coopgraph.ttl", ontology / "shapes.ttl"]
    for path in ontology_files:
        check_turtle(path)
    shapes = shacl.read_shapes(ontology_files[1]) if validate else None
    curated = read_curated(data)
    meta = provenance([curated], dt.datetime.now(dt.timezone.utc).replace(microsecond=0))
    validated = [curated.graph, *curated.other_graphs]  # what the curated source wrote
    if shapes is not None and where.keeps_graphs_in_place:  # an endpoint: check it here
        memory = ox.Store()
        store.load_nquads(memory, curated.nquads.encode("utf-8"))
        check(memory, shapes, validated)

    kept = _imported(where)

    def load(target: ox.Store) -> None:
        for graph, ntriples, meta_quads in kept:
            if ntriples is None:
                target.keep(graph)  # type: ignore[attr-defined] - a remote.EndpointWriter
            elif ntriples:
                target.bulk_load(
                    ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph)
                )
            target.bulk_load(meta_quads, format=ox.RdfFormat.N_QUADS)
        target.bulk_load(
            path=str(ontology_files[0]),
            format=ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode(ids.graph("ontology")),
        )
        target.bulk_load(
            path=str(ontology_files[1]),
            format=ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode(ids.graph("shapes")),
        )
        store.load_nquads(target, curated.nquads.encode("utf-8"))
        store.load_nquads(target, meta.encode("utf-8"))
        if shapes is not None and not where.keeps_graphs_in_place:
            check(target, shapes, validated)  # the new generation, before the switch

    where.write(load, from_empty=True)
    counts = store.counts(where.reader())
    return BuildReport(where, counts, time.perf_counter() - started)


def check(target: ox.Store, shapes: list[shacl.NodeShape], graphs: list[str]) -> None:
    """Raise ``ValidationFailed`` when the union of ``graphs`` in ``target`` (the data
    graph pySHACL was given before: the curated source's graphs merged) breaks
    ``shapes``."""
    results = shacl.check(target, shapes, graphs)
    if results:
        raise ValidationFailed(from_results(results))
