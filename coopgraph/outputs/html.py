"""Self-contained HTML graphs: every year of a history in one page, offline.

``page`` turns a history of facts (``project.cooperation_history``: every fact an edge
with its dates) into a ``View``: one HTML file with vis-network's script and style
inlined from pyvis's package (pyvis 0.3.2 ships vis-network 9.1.2), the facts as JSON, and
the page's own script (``graph.html``), which shows the network of the year chosen on a
slider by filtering the facts on their dates, without regenerating anything. The page
has a legend, a search for a nation, filters by relation and by source, node size by a
centrality (computed here per year, selectable in the page), a force layout (computed
here, so the page draws at once, with no physics to settle) and a map layout (nations
at their capitals).

Every value reaches the page as JSON text (``<``, ``>`` and ``&`` escaped, so it cannot
close its ``<script>``), is drawn on the canvas or put in the page with ``textContent``:
a label such as ``<img src=x onerror=alert(1)>`` is shown, never run. pyvis's own
template is not used: it loads Bootstrap and vis-network from CDNs even with
``cdn_resources="in_line"``.
"""

from __future__ import annotations

import html as html_escape
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

import networkx as nx

from coopgraph.errors import CoopgraphError
from coopgraph.metrics import centrality as centrality_metrics

NODE_STYLE = {
    "nation": {"color": "#4e79a7", "shape": "dot", "label": "nation"},
    "alliance": {"color": "#e15759", "shape": "diamond", "label": "alliance"},
    "operation": {"color": "#59a14f", "shape": "square", "label": "operation"},
}
EDGE_STYLE = {
    "member of": {"color": "#e8a0a1", "label": "member of an alliance"},
    "took part in": {"color": "#8cc97e", "label": "took part in an operation"},
    "aid to": {
        "color": "#f28e2b",
        "label": "military aid: arrow donor \u2192 recipient, width by amount",
    },
}
#: Colours of blocs 1, 2, ... (a bloc of one nation is grey); Tableau 10 without the
#: colours of the node kinds.
BLOC_COLOURS = ["#4e79a7", "#f28e2b", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
                "#9c755f", "#59a14f", "#e15759", "#86bcb6", "#d37295", "#8cd17d"]  # fmt: skip
SINGLE_BLOC = "#c8c8c8"
MEASURES = {
    "degree": "degree (number of ties)",
    "betweenness": "betweenness",
    "eigenvector": "eigenvector",
    "pagerank": "PageRank",
}
#: The page's coordinates: the force layout spans about this many units, and the map
#: puts one degree of longitude at ``MAP_SCALE`` units.
LAYOUT_SIZE = 1600.0
MAP_SCALE = 4.0


@dataclass
class View:
    """An HTML graph: the page's text, its title and a few figures about it.

    Write ``view.html`` to a file, or display the view in Jupyter (``_repr_html_``
    embeds the page in an iframe).
    """

    html: str = field(repr=False)  # a notebook's text/plain output stays one line
    title: str
    figures: dict[str, Any] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        """Write the page to ``path`` (UTF-8)."""
        Path(path).write_text(self.html, encoding="utf-8")

    def _repr_html_(self) -> str:
        """The page in a sandboxed iframe (scripts only, no access to the notebook)."""
        return (
            f'<iframe srcdoc="{html_escape.escape(self.html, quote=True)}" '
            f'title="{html_escape.escape(self.title, quote=True)}" sandbox="allow-scripts" '
            'style="width: 100%; height: 720px; border: 1px solid #ddd"></iframe>'
        )

    def __str__(self) -> str:
        return self.html


def _vis_asset(name: str) -> str:
    """A vis-network file from pyvis's package (pyvis 0.3.2 ships vis-network 9.1.2)."""
    lib = resources.files("pyvis") / "lib" / "vis-9.1.2" / name
    return lib.read_text(encoding="utf-8")


def _json_for_script(value: object) -> str:
    """JSON that cannot close its <script> element or open a comment.

    A number that is not finite (an infinite amount read from a hostile file) is refused
    with a CoopgraphError: JSON has no Infinity or NaN, and the page would not load."""
    try:
        text = json.dumps(
            value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
        )
    except ValueError:
        raise CoopgraphError(
            f"the page's data hold a number that is not finite ({_non_finite(value)}): "
            "check the amounts of the sources shown"
        ) from None
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _non_finite(value: object, where: str = "data") -> str:
    """Where the first infinite or NaN number sits in ``value``, e.g. ``data.facts[3].amount``."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{where} = {value}"
    items: Iterable = ()
    if isinstance(value, Mapping):
        items = ((f"{where}.{key}", item) for key, item in value.items())
    elif isinstance(value, (list, tuple)):
        items = ((f"{where}[{i}]", item) for i, item in enumerate(value))
    for path, item in items:
        found = _non_finite(item, path)
        if found:
            return found
    return ""


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _round(value: float) -> float:
    """Three significant digits: enough to size a node, and a smaller page."""
    return float(f"{value:.3g}") if value else 0.0


def force_layout(history: nx.MultiDiGraph, *, seed: int = 1945) -> dict[Any, tuple[float, float]]:
    """Positions of every node in a force-directed layout of all the years at once
    (Fruchterman-Reingold, networkx's ``spring_layout``), so a node keeps its place when
    the year changes and the page needs no physics to settle."""
    simple = nx.Graph()
    simple.add_nodes_from(history)
    simple.add_edges_from((u, v) for u, v in history.edges() if u != v)
    if simple.number_of_nodes() == 0:
        return {}
    k = 2.5 / math.sqrt(simple.number_of_nodes())
    pos = nx.spring_layout(simple, k=k, iterations=80, seed=seed)
    half = LAYOUT_SIZE / 2
    return {n: (round(float(x) * half, 1), round(float(y) * half, 1)) for n, (x, y) in pos.items()}


def page(
    history: nx.MultiDiGraph,
    *,
    title: str,
    subtitle: str = "",
    year: int,
    window: bool = False,
    focus: str | None = None,
    centrality: Mapping[str, Mapping[str, Mapping[Any, float] | str]] | None = None,
    blocs: Mapping[str, Mapping[Any, int]] | None = None,
    measure: str = "degree",
    positions: Mapping[Any, tuple[float, float]] | None = None,
    name_labels: bool = False,
    layout: str = "force",
) -> View:
    """The page of a history of facts (see ``project.cooperation_history``).

    Parameters
    ----------
    history : networkx.MultiDiGraph
        Nodes with ``kind``, ``label``, ``detail`` and, for the map, ``lat``/``lon``;
        edges with ``relation``, ``fact``, ``source``, ``source_url``, ``first`` and
        ``last`` years (None: open), and for summed aid ``amounts`` by year and ``unit``.
        The graph attributes ``first`` and ``last`` are the years of the slider.
    title, subtitle : str
        Shown at the top of the page (as text).
    year : int
        The year shown first.
    window : bool
        Start with "all years" on: every fact of the span at once (aid summed).
    focus : str, optional
        A node always shown and selected first (the operation, the ego).
    centrality : mapping, optional
        Measure -> year (a string, or "all" for the span) -> node -> value, for node size
        (or the key of a year with the same values; see ``centrality_by_year``).
    blocs : mapping, optional
        Year (a string) -> nation -> bloc number (1 the largest): nations coloured by bloc.
    measure : str
        The centrality the page sizes nodes by at first ("none" for a fixed size).
    positions : mapping, optional
        Node -> (x, y) of the force layout (default: ``force_layout``).
    name_labels : bool
        Label nodes with their names (small views) instead of their ids.
    layout : str
        The layout shown first: ``force`` or ``map`` (nations at their capitals).

    Returns
    -------
    View
    """
    first, last = int(history.graph["first"]), int(history.graph["last"])
    positions = positions if positions is not None else force_layout(history)
    nodes = []
    for node, attrs in sorted(history.nodes(data=True), key=lambda item: str(item[0])):
        x, y = positions.get(node, (0.0, 0.0))
        item = {
            "id": str(node),
            "label": str(attrs.get("label", node)),
            "kind": attrs.get("kind", "nation"),
            "detail": str(attrs.get("detail", "")),
            "x": x,
            "y": y,
        }
        if "lat" in attrs:
            item["lat"] = round(float(attrs["lat"]), 2)
            item["lon"] = round(float(attrs["lon"]), 2)
        nodes.append(item)
    sources: dict[tuple[str, str], int] = {}
    edges = []
    for number, (u, v, attrs) in enumerate(history.edges(data=True)):
        key = (str(attrs.get("source", "")), str(attrs.get("source_url", "")))
        source = sources.setdefault(key, len(sources))
        item = {
            "id": f"e{number}",
            "from": str(u),
            "to": str(v),
            "relation": attrs["relation"],
            "fact": str(attrs.get("fact", "")),
            "source": source,
            "first": attrs.get("first"),
            "last": attrs.get("last"),
        }
        if attrs.get("amounts"):
            item["amounts"] = {str(y): _round(a) for y, a in sorted(attrs["amounts"].items())}
            item["unit"] = str(attrs.get("unit", ""))
            item["types"] = [str(t) for t in attrs.get("types", [])]
        edges.append(item)
    kinds = {n["kind"] for n in nodes}
    relations = {e["relation"] for e in edges}
    data = {
        "title": title,
        "subtitle": subtitle,
        "first": first,
        "last": last,
        "year": min(max(year, first), last),
        "window": window,
        "focus": str(focus) if focus is not None else None,
        "nodes": nodes,
        "edges": edges,
        "sources": [{"title": t, "url": u} for (t, u), _ in sorted(sources.items(), key=_by_index)],
        "kinds": [
            {"key": k, "label": s["label"], "color": s["color"], "shape": s["shape"]}
            for k, s in NODE_STYLE.items()
            if k in kinds
        ],
        "relations": [
            {"key": r, "label": s["label"], "color": s["color"]}
            for r, s in EDGE_STYLE.items()
            if r in relations
        ],
        "measures": [{"key": k, "label": label} for k, label in MEASURES.items()],
        "measure": measure if centrality and measure in centrality else "none",
        "centrality": {
            m: {y: _values(values) for y, values in years.items()}
            for m, years in (centrality or {}).items()
        },
        "blocs": {y: {str(n): b for n, b in sorted(part.items())} for y, part in blocs.items()}
        if blocs is not None
        else None,
        "blocColours": BLOC_COLOURS,
        "singleBloc": SINGLE_BLOC,
        "mapScale": MAP_SCALE,
        "nameLabels": name_labels,
        "layout": layout,
    }
    template = Template(
        (resources.files("coopgraph.outputs") / "graph.html").read_text(encoding="utf-8")
    )
    text = template.substitute(
        title=_escape_text(title),
        vis_css=_vis_asset("vis-network.css"),
        vis_js=_vis_asset("vis-network.min.js").replace("</script", "<\\/script"),
        data=_json_for_script(data),
    )
    figures = {
        "bytes": len(text.encode("utf-8")),
        "nodes": len(nodes),
        "facts": len(edges),
        "first": first,
        "last": last,
    }
    return View(html=text, title=title, figures=figures)


def _values(values: Mapping[Any, float] | str) -> dict[str, float] | str:
    """A year's centrality values for the page (non-zero, rounded), or a year's key."""
    if isinstance(values, str):
        return values
    return {str(n): _round(v) for n, v in sorted(values.items(), key=_by_str) if v}


def _by_str(item: tuple[Any, Any]) -> str:
    return str(item[0])


def _by_index(item: tuple[Any, int]) -> int:
    return item[1]


def centrality_by_year(
    graphs: Mapping[str, nx.Graph], measures: Sequence[str] = tuple(MEASURES)
) -> dict[str, dict[str, dict[Any, float] | str]]:
    """Measure -> year -> node -> value, for the graph of each year (keyed by year).

    A year whose graph has the same ties as an earlier one (alliances change seldom) is
    not computed again: its entry is that year's key, which the page follows.
    """
    result: dict[str, dict[str, dict[Any, float] | str]] = {m: {} for m in measures}
    seen: dict[frozenset, str] = {}
    for year, graph in graphs.items():
        if graph.number_of_edges() == 0:
            continue
        ties = frozenset(frozenset(edge) for edge in graph.edges())
        if ties in seen:
            for measure in measures:
                result[measure][year] = seen[ties]
            continue
        seen[ties] = year
        for measure in measures:
            if measure == "degree":
                values = {n: float(d) for n, d in graph.degree()}
            elif measure == "betweenness":
                values = centrality_metrics.betweenness(graph)
            elif measure == "eigenvector":
                values = centrality_metrics.eigenvector(graph)
            elif measure == "pagerank":
                values = nx.pagerank(graph, weight=None)
            else:
                raise ValueError(f"unknown measure '{measure}'")
            result[measure][year] = values
    return result
