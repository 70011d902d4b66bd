"""The interactive HTML views of ``coopgraph viz``: which facts each view draws, its
title and subtitle, the year it opens on, and the per-year centrality and blocs the page
sizes and colours nodes by (``coopgraph.outputs.html`` writes the page)."""

from __future__ import annotations

import networkx as nx

from coopgraph import project
from coopgraph.errors import CoopgraphError, UsageError
from coopgraph.metrics import blocs as bloc_metrics
from coopgraph.outputs import html
from coopgraph.scope import Scope

VIEWS = ("history", "alliances", "aid", "operation", "ego", "blocs")
#: What the nodes of a view can be sized by.
SIZE_MEASURES = ("none", *html.MEASURES)
#: The years a view covers unless told otherwise: the post-war state system to today.
HISTORY = (1945, 2024)
_VIEW_RELATIONS = {
    "history": project.RELATIONS,
    "ego": project.RELATIONS,
    "alliances": ("member of",),
    "blocs": ("member of",),
    "aid": ("aid to",),
    "operation": ("took part in",),
}


def check(
    view: str,
    name: str | None,
    year: int | None,
    first: int | None,
    last: int | None,
    measure: str,
    method: str,
) -> tuple[int, int]:
    """Refuse a bad choice of view, name, years, measure or method in one line (a usage
    error) before anything is read; the span drawn, ``HISTORY`` unless given."""
    if view not in VIEWS:
        raise UsageError(f"unknown view '{view}' (one of: {', '.join(VIEWS)})")
    if view in ("operation", "ego") and not name:
        what = "an operation id or name" if view == "operation" else "a nation code or name"
        raise UsageError(f"the {view} view needs {what}, e.g. coopgraph viz {view} "
                         f"{'ISAF' if view == 'operation' else 'POL'}")  # fmt: skip
    if view not in ("operation", "ego") and name:
        raise UsageError(f"the {view} view takes no name (got '{name}')")
    if measure != "none" and measure not in html.MEASURES:
        known = ", ".join(["none", *html.MEASURES])
        raise UsageError(f"unknown measure '{measure}' (one of: {known})")
    if method not in bloc_metrics.METHODS:
        raise UsageError(f"unknown method '{method}' (one of: {', '.join(bloc_metrics.METHODS)})")
    first = HISTORY[0] if first is None else first
    last = HISTORY[1] if last is None else last
    if year is not None and not first <= year <= last:
        raise UsageError(f"year {year} is outside the years drawn, {first}-{last}")
    if first > last:
        raise UsageError(f"--from {first} is after --to {last}")
    return first, last


def view(
    scope: Scope,
    view: str = "history",
    name: str | None = None,
    *,
    year: int | None = None,
    first: int | None = None,
    last: int | None = None,
    measure: str = "degree",
    method: str = "louvain",
) -> html.View:
    """An interactive HTML graph (one self-contained page) of one of the ``VIEWS``.

    ``history``: nations, alliances, operations and aid over ``first``..``last``
    (default 1945-2024); ``alliances``: nations and the alliances they belong to;
    ``aid``: aid flows, arrows from donor to recipient with width by amount, shown summed
    over the window at first; ``operation``: one operation (``name``: its id or name)
    with its participants; ``ego``: one nation (``name``: its code or name) with its
    alliances, operations and aid partners; ``blocs``: alliances with nations coloured by
    the bloc detected in each year (``coopgraph.metrics.blocs``, ``method``). Every view
    holds every year of its span: the page's slider shows any year (``year`` first;
    default the last year, or the operation's busiest). Node size by ``measure``
    (``degree``, ``betweenness``, ``eigenvector``, ``pagerank`` or ``none``), computed
    per year on the facts shown.
    """
    first, last = check(view, name, year, first, last, measure, method)
    history = project.cooperation_history(
        scope.reader, first, last, graphs=scope.graphs, relations=_VIEW_RELATIONS[view]
    )
    focus = None
    if view == "operation":
        focus = _find(scope, history, name or "", "operation")
        history = _around(history, focus)
        history.graph["first"] = max(first, min(d["first"] for *_, d in history.edges(data=True)))
        ends = [d["last"] for *_, d in history.edges(data=True)]
        history.graph["last"] = last if None in ends else min(last, max(ends))
    elif view == "ego":
        focus = _find(scope, history, name or "", "nation")
        history = _around(history, focus)
    if history.number_of_edges() == 0:
        raise CoopgraphError(f"no facts in the store for {first}-{last}: nothing to draw")
    first, last = history.graph["first"], history.graph["last"]
    years = range(first, last + 1)
    if year is None:
        year = last
        if view == "operation":
            year = max(years, key=lambda y: project.active(history, y).number_of_edges())
        if view == "aid":
            year = first
    layers = {str(y): _simple(project.active(history, y)) for y in years}
    layers["all"] = _simple(history)
    centrality = html.centrality_by_year(layers)
    partitions = None
    if view == "blocs":
        partitions = {
            str(y): bloc_metrics.membership(
                bloc_metrics.blocs(project.history_alliance_layer(history, y), method=method)
            )
            for y in years
        }
    kinds = [d["kind"] for _, d in history.nodes(data=True)]
    label = history.nodes[focus]["label"] if focus else ""
    titles = {
        "history": "military cooperation",
        "alliances": "alliances and their members",
        "aid": "military aid flows",
        "operation": f"{label} and its participants",
        "ego": f"{label}: its alliances, operations and aid partners",
        "blocs": "alliance blocs",
    }
    title = f"coopgraph: {titles[view]}, {first}-{last}"
    subtitle = (
        f"{kinds.count('nation')} nations, {kinds.count('alliance')} alliances, "
        f"{kinds.count('operation')} operations, {history.number_of_edges()} facts from "
        f"{first} to {last}. Move the year; hover a node or a line for its fact, dates and "
        "source; click for details."
    )
    return html.page(
        history,
        title=title,
        subtitle=subtitle,
        year=year,
        window=view == "aid" and year == first and first != last,
        focus=focus,
        centrality=centrality,
        blocs=partitions,
        measure=measure,
        name_labels=view in ("operation", "ego"),
        layout="map" if view == "aid" else "force",
    )


def _simple(graph: nx.MultiDiGraph) -> nx.Graph:
    """A fact graph as a simple undirected graph (one tie per pair), for centrality."""
    simple = nx.Graph()
    simple.add_nodes_from(graph)
    simple.add_edges_from((u, v) for u, v in graph.edges() if u != v)
    return simple


def _find(scope: Scope, history: nx.MultiDiGraph, name: str, kind: str) -> str:
    """The node of ``kind`` that ``name`` (an id, name or alias: ``Scope.resolve``)
    stands for, or a one-line error: unknown, or with no facts in the years drawn."""
    view = "operation" if kind == "operation" else "ego"
    found = scope.resolve(name, kind, what=f"viz {view} NAME")
    if found in history and history.nodes[found]["kind"] == kind:
        return found
    raise CoopgraphError(
        f"{scope.names.describe(kind, found)} has no facts in {history.graph['first']}-"
        f"{history.graph['last']} in the chosen sources: nothing to draw"
    )


def _around(history: nx.MultiDiGraph, focus: str) -> nx.MultiDiGraph:
    """The facts of ``history`` that involve ``focus``, with the nodes they tie."""
    kept = nx.MultiDiGraph(**history.graph)
    kept.add_node(focus, **history.nodes[focus])
    for u, v, key, data in history.edges(keys=True, data=True):
        if focus in (u, v):
            kept.add_node(u, **history.nodes[u])
            kept.add_node(v, **history.nodes[v])
            kept.add_edge(u, v, key, **data)
    return kept
