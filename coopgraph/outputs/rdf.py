"""The store as RDF files: every graph (or the chosen sources') in TriG, N-Quads, Turtle,
N-Triples or JSON-LD, and its VoID description."""

from __future__ import annotations

import pyoxigraph as ox

from coopgraph import store
from coopgraph.errors import UsageError
from coopgraph.namespace import PREFIXES
from coopgraph.ntriples import literal
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


def void(scope: Scope) -> str:
    """A VoID description (Turtle) of the store: the dataset with its triples, and one
    subset per named graph with its triples, distinct subjects, classes and properties,
    its title and source, and the licence of coopgraph's own facts."""
    reader = scope.reader
    loaded = {str(info["graph"]): info for info in scope.loaded.values()}
    base = "https://w3id.org/coopgraph/"
    lines = [
        "@prefix void: <http://rdfs.org/ns/void#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "",
    ]
    counts = store.counts(reader)
    total = sum(c.triples for c in counts)
    lines += [
        f"<{base}void#dataset> a void:Dataset ;",
        '    dcterms:title "coopgraph: a knowledge graph of international military cooperation" ;',
        f"    void:triples {total} ;",
        f"    void:uriSpace {literal(base + 'id/')} ;",
        "    void:vocabulary <https://w3id.org/coopgraph/ontology#> ;",
        "    dcterms:license <https://opensource.org/licenses/MIT> ;",
        "    dcterms:description "
        + literal(
            "coopgraph's code and curated facts (graphs ontology, shapes, nations, curated, "
            "meta); each imported dataset keeps its publisher's terms (see its subset)."
        )
        + " .",
        "",
    ]
    for count in counts:
        if count.graph is None:
            continue
        node = ox.NamedNode(count.graph)
        subjects = len({q.subject for q in reader.quads_for_pattern(None, None, None, node)})
        classes = len(
            {
                q.object
                for q in reader.quads_for_pattern(
                    None,
                    ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                    None,
                    node,
                )
            }
        )
        properties = len({q.predicate for q in reader.quads_for_pattern(None, None, None, node)})
        info = loaded.get(count.graph, {})
        title = info.get("title") or count.graph.rsplit("/", 1)[-1]
        lines += [
            f"<{base}void#dataset> void:subset <{count.graph}> .",
            f"<{count.graph}> a void:Dataset ;",
            f"    dcterms:title {literal(str(title))} ;",
            f"    void:triples {count.triples} ;",
            f"    void:distinctSubjects {subjects} ;",
            f"    void:classes {classes} ;",
            f"    void:properties {properties} .",
            "",
        ]
    return "\n".join(lines)
