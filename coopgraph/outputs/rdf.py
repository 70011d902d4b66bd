"""The store as RDF files: every graph (or the chosen sources') in TriG, N-Quads, Turtle,
N-Triples or JSON-LD, and its VoID description."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID

from coopgraph import ids, store
from coopgraph.errors import UsageError
from coopgraph.namespace import PREFIXES
from coopgraph.scope import Scope

EXPORT_FORMATS = {
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def check_format(fmt: str) -> None:
    """Refuse an unknown RDF format in one line."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown format '{fmt}' (one of: {', '.join(EXPORT_FORMATS)})")


def export(scope: Scope, fmt: str = "trig") -> bytes:
    """The store (or the graphs of ``sources``) serialised in ``fmt`` (EXPORT_FORMATS).

    TriG and N-Quads keep each triple's named graph; Turtle, N-Triples and JSON-LD merge
    the graphs into one (a triple in two graphs is written once)."""
    check_format(fmt)
    reader, graphs = scope.reader, scope.graphs
    names = (
        [ox.NamedNode(g) for g in graphs]
        if graphs is not None
        else [g for g in reader.named_graphs() if isinstance(g, ox.NamedNode)]
    )
    quads = [q for g in names for q in reader.quads_for_pattern(None, None, None, g)]
    target = EXPORT_FORMATS[fmt]
    if target in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
        return ox.serialize(quads, format=target, prefixes=_export_prefixes(target)) or b""
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    return ox.serialize(sorted(triples, key=str), format=target,
                        prefixes=_export_prefixes(target)) or b""  # fmt: skip


def _export_prefixes(target: ox.RdfFormat) -> dict[str, str] | None:
    return PREFIXES if target in (ox.RdfFormat.TRIG, ox.RdfFormat.TURTLE) else None


#: The licence of coopgraph's code and of its own graphs (the imported ones keep theirs).
LICENCE = "https://opensource.org/licenses/MIT"
TITLE = "coopgraph: a knowledge graph of international military cooperation"
DESCRIPTION = (
    "coopgraph's code and curated facts (graphs ontology, shapes, nations, curated, meta); "
    "each imported dataset keeps its publisher's terms (see its subset)."
)


def void(scope: Scope) -> str:
    """A VoID description (Turtle) of the store: the dataset with its triples, and one
    subset per named graph with its triples, distinct subjects, classes and properties,
    its title, and the licence of coopgraph's own facts.

    Built as an rdflib graph with rdflib's VoID and DCTERMS terms; rdflib's Turtle writer
    sorts subjects, predicates and objects, so the same store gives the same bytes."""
    reader = scope.reader
    titles = {str(info["graph"]): info.get("title") for info in scope.loaded.values()}
    counts = store.counts(reader)
    description = Graph(bind_namespaces="none")
    description.bind("void", VOID)
    description.bind("dcterms", DCTERMS)
    dataset = URIRef(ids.DATASET)
    for p, o in [
        (RDF.type, VOID.Dataset),
        (DCTERMS.title, Literal(TITLE)),
        (VOID.triples, Literal(sum(c.triples for c in counts))),
        (VOID.uriSpace, Literal(ids.ID)),
        (VOID.vocabulary, URIRef(PREFIXES["cg"])),
        (DCTERMS.license, URIRef(LICENCE)),
        (DCTERMS.description, Literal(DESCRIPTION)),
    ]:
        description.add((dataset, p, o))
    for count in counts:
        if count.graph is None:
            continue
        subset = URIRef(count.graph)
        quads = reader.quads_for_pattern(None, None, None, ox.NamedNode(count.graph))
        subjects, properties, classes = set(), set(), set()
        for q in quads:
            subjects.add(q.subject)
            properties.add(q.predicate)
            if q.predicate.value == str(RDF.type):
                classes.add(q.object)
        title = titles.get(count.graph) or ids.local_name(count.graph)
        description.add((dataset, VOID.subset, subset))
        for p, o in [
            (RDF.type, VOID.Dataset),
            (DCTERMS.title, Literal(str(title))),
            (VOID.triples, Literal(count.triples)),
            (VOID.distinctSubjects, Literal(len(subjects))),
            (VOID.classes, Literal(len(classes))),
            (VOID.properties, Literal(len(properties))),
        ]:
            description.add((subset, p, o))
    return description.serialize(format="turtle")
