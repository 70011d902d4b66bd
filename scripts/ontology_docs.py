"""Write the ontology reference: docs/ontology/index.html and docs/ontology/classes.svg.

    python scripts/ontology_docs.py          # regenerate both files
    python scripts/ontology_docs.py --check  # exit 1 when they differ from a regeneration

The HTML documents every class and property of ontology/coopgraph.ttl; pyLODE (3.3.x,
offline, no external scripts or styles) writes it, and this script puts a diagram of the
main classes at the top of it. The diagram is drawn here as plain SVG from the ontology:
the boxes sit on a fixed grid (``LAYOUT``) so the file is the same on every run; the
arrows are the subclass axioms and the object properties whose domain and range are both
drawn, plus the W3C terms coopgraph reuses for those links (``REUSED``).
"""

from __future__ import annotations

import argparse
import html
import sys
from pathlib import Path

from rdflib import DCTERMS, OWL, RDF, RDFS, Graph, Namespace, URIRef

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "coopgraph.ttl"
OUT = ROOT / "docs" / "ontology"
CG = Namespace("https://w3id.org/coopgraph/ontology#")

#: The main classes and where their boxes go (column, row).
LAYOUT: dict[str, tuple[float, int]] = {
    "MembershipStatus": (0, 0),
    "Fact": (1.5, 0),
    "Source": (3, 0),
    "Membership": (0, 1),
    "AidFlow": (1, 1),
    "Participation": (2, 1),
    "Alliance": (0, 2),
    "Nation": (1, 2),
    "State": (2, 2),
    "Operation": (3, 2),
    "Commitment": (0, 3),
    "OperationKind": (3, 3),
}
#: Where along its arrow a label sits (default halfway), to keep crossing labels apart.
LABEL_AT = {"org:member": 0.25}
#: Links made with reused W3C terms (not declared in coopgraph.ttl): (domain, label, range).
REUSED = (
    ("Membership", "org:member", "State"),
    ("Membership", "org:organization", "Alliance"),
    ("Fact", "dcterms:source", "Source"),
)
BOX_W, BOX_H = 170, 44
GAP_X, GAP_Y = 130, 96
MARGIN = 30


def _box(name: str) -> tuple[float, float]:
    """The centre of a class's box."""
    column, row = LAYOUT[name]
    return (
        MARGIN + column * (BOX_W + GAP_X) + BOX_W / 2,
        MARGIN + row * (BOX_H + GAP_Y) + BOX_H / 2,
    )


def _edge_point(centre: tuple[float, float], towards: tuple[float, float]) -> tuple[float, float]:
    """Where the line from a box's centre towards another point leaves the box."""
    (x, y), (tx, ty) = centre, towards
    dx, dy = tx - x, ty - y
    if dx == 0 and dy == 0:
        return x, y
    scale = min(
        (BOX_W / 2) / abs(dx) if dx else float("inf"),
        (BOX_H / 2) / abs(dy) if dy else float("inf"),
    )
    return x + dx * scale, y + dy * scale


def _local(iri: URIRef) -> str | None:
    """The local name of a coopgraph term, or None for another vocabulary's."""
    text = str(iri)
    return text[len(str(CG)) :] if text.startswith(str(CG)) else None


def diagram_edges(graph: Graph) -> list[tuple[str, str, str, bool]]:
    """(from, label, to, is_subclass) for the arrows of the diagram, sorted; properties
    that join the same two classes share one arrow."""
    edges = set()
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        a, b = _local(sub), _local(sup)
        if a in LAYOUT and b in LAYOUT:
            edges.add((a, "subclass of", b, True))
    for prop in graph.subjects(RDF.type, OWL.ObjectProperty):
        domains = [_local(d) for d in graph.objects(prop, RDFS.domain)]
        ranges = [_local(r) for r in graph.objects(prop, RDFS.range)]
        for a in domains:
            for b in ranges:
                if a in LAYOUT and b in LAYOUT:
                    edges.add((a, f"cg:{_local(prop)}", b, False))
    edges.update((a, label, b, False) for a, label, b in REUSED)
    merged: dict[tuple[str, str, bool], list[str]] = {}
    for a, label, b, subclass in sorted(edges):
        merged.setdefault((a, b, subclass), []).append(label)
    return [(a, ", ".join(labels), b, sub) for (a, b, sub), labels in sorted(merged.items())]


def class_diagram(graph: Graph) -> str:
    """The SVG diagram of the main classes of ``graph`` (the coopgraph ontology)."""
    columns = 1 + int(max(c for c, _ in LAYOUT.values()))
    rows = 1 + int(max(r for _, r in LAYOUT.values()))
    width = 2 * MARGIN + columns * BOX_W + (columns - 1) * GAP_X
    height = 2 * MARGIN + rows * BOX_H + (rows - 1) * GAP_Y
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12" '
        'role="img" aria-labelledby="cg-diagram-title">',
        '<title id="cg-diagram-title">coopgraph ontology: main classes</title>',
        "<defs>",
        '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#555"/></marker>',
        '<marker id="subclass" viewBox="0 0 12 12" refX="12" refY="6" markerWidth="11" '
        'markerHeight="11" orient="auto-start-reverse"><path d="M0,0 L12,6 L0,12 z" '
        'fill="white" stroke="#555"/></marker>',
        "</defs>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    for a, label, b, subclass in diagram_edges(graph):
        x1, y1 = _edge_point(_box(a), _box(b))
        x2, y2 = _edge_point(_box(b), _box(a))
        style = 'stroke-dasharray="5,3"' if subclass else ""
        marker = "subclass" if subclass else "arrow"
        out.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#555" '
            f'{style} marker-end="url(#{marker})"/>'
        )
        at = LABEL_AT.get(label, 0.5)
        mx, my = x1 + (x2 - x1) * at, y1 + (y2 - y1) * at
        out.append(
            f'<text x="{mx:.1f}" y="{my - 4:.1f}" text-anchor="middle" fill="#333" '
            f'stroke="white" stroke-width="3" paint-order="stroke">{html.escape(label)}</text>'
        )
    for name in LAYOUT:
        x, y = _box(name)
        label = graph.value(CG[name], RDFS.label) or name
        out.append(
            f'<g><rect x="{x - BOX_W / 2:.1f}" y="{y - BOX_H / 2:.1f}" width="{BOX_W}" '
            f'height="{BOX_H}" rx="6" fill="#eef3fb" stroke="#4e79a7"/>'
            f'<text x="{x:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-weight="bold">'
            f"cg:{name}</text>"
            f'<text x="{x:.1f}" y="{y + 13:.1f}" text-anchor="middle" fill="#555" '
            f'font-size="10">{html.escape(str(label))}</text></g>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def reference(ontology: Path = ONTOLOGY) -> tuple[str, str]:
    """The reference page (HTML) and the class diagram (SVG) for ``ontology``."""
    try:
        from pylode import OntPub
    except ImportError:
        raise SystemExit(
            "the ontology reference needs pyLODE: pip install 'pylode>=3.3,<3.4'"
        ) from None
    graph = Graph().parse(ontology, format="turtle")
    svg = class_diagram(graph)
    page = OntPub(str(ontology)).make_html()
    section = (
        '<div class="section" id="diagram">\n<h2>Main classes</h2>\n'
        "<p>The fact classes (dashed arrows: subclass of <code>cg:Fact</code>) and what they "
        "link; every class and property is described below. The same drawing is "
        '<a href="classes.svg">classes.svg</a>.</p>\n'
        + svg.replace("<svg ", '<svg style="max-width: 100%; height: auto" ', 1)
        + "</div>\n"
    )
    anchor = '<div class="section" id="classes">'
    if anchor not in page:
        raise SystemExit("pyLODE's page has no classes section: is pyLODE 3.3.x installed?")
    return _one_title(page.replace(anchor, section + anchor, 1), graph), svg


def _one_title(page: str, graph: Graph) -> str:
    """The page's heading as the ontology's dcterms:title alone: pyLODE 3.3 runs the
    title and the rdfs:label together ("...cooperationcoopgraph ontology")."""
    ontology = graph.value(predicate=RDF.type, object=OWL.Ontology)
    title, label = graph.value(ontology, DCTERMS.title), graph.value(ontology, RDFS.label)
    if title is None or label is None:
        return page
    joined = (
        f"<h1>{html.escape(str(title), quote=False)}{html.escape(str(label), quote=False)}</h1>"
    )
    return page.replace(joined, f"<h1>{html.escape(str(title), quote=False)}</h1>", 1)


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` compare) docs/ontology/index.html and classes.svg."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--out", type=Path, default=OUT, help="output folder")
    args = parser.parse_args(argv)
    page, svg = reference()
    files = {args.out / "index.html": page, args.out / "classes.svg": svg}
    if args.check:
        stale = [p for p, text in files.items() if not p.exists() or p.read_text("utf-8") != text]
        for path in stale:
            print(f"{path}: out of date; run python scripts/ontology_docs.py", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path} ({len(text.encode('utf-8')):,} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
