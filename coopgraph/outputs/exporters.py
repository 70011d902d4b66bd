"""A layer's graph as a file other tools read: GraphML and GEXF (Gephi, Cytoscape, yEd),
an edge list in CSV (igraph, R, pandas, a spreadsheet).

Each format is an ``Exporter``, registered by name in ``EXPORTERS``. Every one writes the
same bytes for the same graph: nodes and edges are sorted (an undirected tie as
(smaller, larger) id), attributes in name order, and nothing depends on the clock or the
networkx version (the GEXF ``meta`` holds no ``lastmodifieddate``; its creator is
"coopgraph" and its description the layer and year). Attribute values GraphML and GEXF
cannot hold are made plain first (``plain``): None is dropped, a list (the alliances or
operations a tie stands for, the aid types) becomes one ";"-joined string, a date its ISO
form.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from typing import Any, BinaryIO, Protocol
from xml.etree.ElementTree import SubElement

import networkx as nx

from coopgraph.errors import UsageError


class Exporter(Protocol):
    """A graph file format: its name (``--format``), file suffix, media type and writer."""

    name: str
    suffix: str
    media_type: str

    def write(self, graph: nx.Graph, out: BinaryIO) -> None:
        """Write ``graph`` (a Graph or DiGraph) to the binary stream ``out``."""
        ...


class GraphML:
    """GraphML (networkx's ``write_graphml_xml``): the graph's, nodes' and edges'
    attributes kept as typed GraphML keys."""

    name = "graphml"
    suffix = ".graphml"
    media_type = "application/graphml+xml"

    def write(self, graph: nx.Graph, out: BinaryIO) -> None:
        # the standard-library writer always, so the bytes do not depend on lxml's presence
        nx.write_graphml_xml(ordered(graph), out, encoding="utf-8")


class Gexf:
    """GEXF 1.2 (networkx's ``GEXFWriter``), Gephi's own format: each node's ``label``
    is its GEXF label, the ``weight`` each edge's weight; the rest are attributes."""

    name = "gexf"
    suffix = ".gexf"
    media_type = "application/gexf+xml"

    def write(self, graph: nx.Graph, out: BinaryIO) -> None:
        from networkx.readwrite.gexf import GEXFWriter

        writer = GEXFWriter(encoding="utf-8", version="1.2draft")
        meta = writer.xml.find("meta")
        meta.attrib.pop("lastmodifieddate", None)  # today's date: never the same bytes
        meta.find("creator").text = "coopgraph"
        SubElement(meta, "description").text = title(graph)
        writer.add_graph(ordered(graph))
        writer.write(out)


class EdgesCsv:
    """One row per edge: source, target, their labels, weight, and the amount where the
    layer has one (aid in current US dollars, arms in SIPRI TIV); ``\\n`` line ends; a
    directed edge (aid, arms) runs from donor to recipient."""

    name = "edges-csv"
    suffix = ".csv"
    media_type = "text/csv"

    def write(self, graph: nx.Graph, out: BinaryIO) -> None:
        graph = ordered(graph)
        # the aid and arms layers name their amounts' unit: an amount column even when empty
        amounts = "unit" in graph.graph or any("amount" in d for *_, d in graph.edges(data=True))
        columns = ["source", "target", "source_label", "target_label", "weight"]
        text = io.StringIO()
        rows = csv.writer(text, lineterminator="\n")
        rows.writerow([*columns, "amount"] if amounts else columns)
        for a, b, d in graph.edges(data=True):
            row = [a, b, graph.nodes[a].get("label", a), graph.nodes[b].get("label", b)]
            row.append(d.get("weight", ""))
            rows.writerow([*row, d.get("amount", "")] if amounts else row)
        out.write(text.getvalue().encode("utf-8"))


#: The graph formats by name, as ``coopgraph export --layer ... --format`` takes them.
EXPORTERS: dict[str, Exporter] = {e.name: e for e in (GraphML(), Gexf(), EdgesCsv())}
#: Their names, the first the default (``coopgraph.api.GRAPH_FORMATS``).
FORMATS = tuple(EXPORTERS)


def check_format(fmt: str) -> None:
    """Refuse an unknown graph format in one line, naming the known ones."""
    if fmt not in EXPORTERS:
        raise UsageError(f"unknown graph format '{fmt}' (one of: {', '.join(EXPORTERS)})")


def export(graph: nx.Graph, fmt: str) -> bytes:
    """``graph`` written in the format ``fmt`` (a name in ``EXPORTERS``)."""
    check_format(fmt)
    out = io.BytesIO()
    EXPORTERS[fmt].write(graph, out)
    return out.getvalue()


def title(graph: nx.Graph) -> str:
    """What the graph shows, from its ``layer`` and ``year`` attributes.

    >>> title(nx.Graph(layer="alliances", year=1999))
    'coopgraph: the alliances layer in 1999'
    """
    found = f"coopgraph: the {graph.graph.get('layer') or 'cooperation'} layer"
    year = graph.graph.get("year")
    return found if year is None else f"{found} in {year}"


def ordered(graph: nx.Graph) -> nx.Graph:
    """A copy of ``graph`` (Graph or DiGraph) with its nodes, edges and attributes in
    sorted order and every attribute value ``plain``; an undirected edge runs from the
    smaller id to the larger."""
    copy = graph.__class__()
    copy.graph.update(plain(graph.graph))
    for node in sorted(graph.nodes, key=str):
        copy.add_node(node, **plain(graph.nodes[node]))
    ends = ((a, b) if graph.is_directed() or str(a) <= str(b) else (b, a) for a, b in graph.edges)
    for a, b in sorted(ends, key=lambda e: (str(e[0]), str(e[1]))):
        copy.add_edge(a, b, **plain(graph.edges[a, b]))
    return copy


def plain(data: Mapping[str, Any]) -> dict[str, Any]:
    """Attributes in name order with values GraphML and GEXF can hold: None dropped,
    lists, tuples and sets joined with ";", dates in ISO form, other objects as text.

    >>> plain({"weight": 3.0, "alliances": ["NATO", "WEU"], "date": None})
    {'alliances': 'NATO;WEU', 'weight': 3.0}
    """
    found = {}
    for key in sorted(data, key=str):
        value = data[key]
        if value is None:
            continue
        if isinstance(value, (set, frozenset)):
            value = sorted(value, key=str)
        if isinstance(value, (list, tuple)):
            value = ";".join(str(v) for v in value)
        elif isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()
        elif not isinstance(value, (bool, int, float, str)):
            value = str(value)
        found[str(key)] = value
    return found
