"""The Python API behind the command line: one function per command.

Example (see README.md, "Python")::

    from coopgraph import api
    api.build(store_path)
    rows = api.metrics(store_path, 1999)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pyoxigraph as ox

from coopgraph import ids, project, queries, store
from coopgraph import stats as store_stats
from coopgraph.build import (  # noqa: F401  (BuildReport, ValidationFailed re-exported)
    BuildReport,
    ValidationFailed,
    build,
    read_curated,
)
from coopgraph.errors import CoopgraphError, UsageError
from coopgraph.metrics import alignment
from coopgraph.metrics import blocs as bloc_metrics
from coopgraph.metrics import dependence as dependence_metrics
from coopgraph.metrics.centrality import centrality_table, ranked
from coopgraph.outputs import html, tables
from coopgraph.paths import data_dir, shown
from coopgraph.validate import (
    Violation,
    graph_from_nquads,
    load_turtle,
    validate_graph,
)

#: Layers: alliances (shared alliances, weighted by commitment), aid (donor -> recipient,
#: millions of current USD) and arms (supplier -> recipient, SIPRI TIV in millions).
LAYERS = ("alliances", "aid", "arms")
#: Columns of a metrics row that identify it.
KEYS = ("layer", "year", "rank", "code", "nation", "ccode")
#: Further layers on request: operation co-participation, UN voting agreement, and the
#: multiplex of every layer (weights scaled per layer and summed).
MORE_LAYERS = ("operations", "votes", "multiplex")
METRIC_COLUMNS = [
    "layer", "year", "rank", "code", "nation", "ccode", "degree", "strength", "betweenness",
    "closeness", "eigenvector", "katz", "pagerank", "in_degree", "out_degree", "in_strength",
    "out_strength", "hub", "authority",
]  # fmt: skip


#: Graphs every source selection sees: the vocabulary and the states every fact points at.
ALWAYS = ("ontology", "nations")
#: What metrics and graphs use when no sources are chosen: the curated facts only, so
#: an imported dataset that repeats them (ATOP's NATO beside the curated NATO) never
#: doubles a tie unless asked for.
DEFAULT_SOURCES = ("curated",)


def scope(store_path: Path, sources: Sequence[str] | None) -> list[str] | None:
    """Named graph IRIs for a source selection (None: every graph).

    Each name must be a loaded source (``coopgraph sources``); an unknown one is a usage
    error naming the loaded ones.
    """
    if sources is None:
        return None
    from coopgraph.importer import loaded_sources

    loaded = loaded_sources(store.open_reader(store_path))
    graphs = {name: str(info["graph"]) for name, info in loaded.items()}
    chosen = []
    for name in sources:
        if name not in graphs:
            known = ", ".join(n for n in graphs if n not in ("meta", "shapes", "ontology"))
            raise UsageError(f"source '{name}' is not loaded (loaded: {known})")
        chosen.append(graphs[name])
    return [ids.graph(name) for name in ALWAYS] + [g for g in chosen if g not in ALWAYS]


def query(
    store_path: Path,
    q: queries.Query,
    params: dict[str, str] | None = None,
    fmt: str = "table",
    *,
    sources: Sequence[str] | None = None,
) -> str:
    """Run a query on the store and render its result in ``fmt``; ``sources`` limits the
    default graph to those sources' graphs (and the ontology and states)."""
    graphs = scope(store_path, sources)
    result = queries.run(store.open_reader(store_path), q, params, graphs=graphs)
    try:
        return tables.query_result(result, fmt)
    except ValueError as error:
        raise CoopgraphError(str(error)) from None
    except (OSError, RuntimeError) as error:
        raise CoopgraphError(f"query failed: {error}", path=q.origin) from None


def layer(
    store_path: Path,
    name: str,
    year: int,
    *,
    sources: Sequence[str] = DEFAULT_SOURCES,
    weights: dict[str, float] | None = None,
):
    """The projected networkx graph of one layer in ``year`` from ``sources``; ``weights``
    replaces the alliance layer's weight per commitment (default Signorino-Ritter's)."""
    reader = store.open_reader(store_path)
    graphs = scope(store_path, sources)
    if name == "alliances":
        return project.alliance_layer(
            reader, year, graphs=graphs, weights=weights or project.COMMITMENT_WEIGHTS
        )
    if name == "aid":
        return project.aid_layer(reader, year, graphs=graphs)
    if name == "arms":
        return project.aid_layer(reader, year, unit="SIPRI-TIV", graphs=graphs)
    if name == "operations":
        return project.operations_layer(reader, year, graphs=graphs)
    if name == "votes":
        default = tuple(sources) == DEFAULT_SOURCES
        vote_graphs = scope(store_path, ["unvotes"]) if default else graphs
        return project.votes_layer(reader, year, graphs=vote_graphs)
    if name == "multiplex":
        parts = {n: layer(store_path, n, year, sources=sources) for n in (*LAYERS, "operations")}
        if "unvotes" in loaded_names(store_path):
            parts["votes"] = layer(store_path, "votes", year, sources=sources)
        return project.flatten(project.multiplex(parts))
    raise CoopgraphError(f"unknown layer '{name}' (one of: {', '.join((*LAYERS, *MORE_LAYERS))})")


def layer_series(
    store_path: Path,
    name: str,
    first: int,
    last: int,
    *,
    sources: Sequence[str] = DEFAULT_SOURCES,
    weights: dict[str, float] | None = None,
) -> dict[int, Any]:
    """The graph of layer ``name`` in every year ``first``..``last``, as ``layer`` gives
    each: the alliance, aid, arms and operations layers from one query for the whole span
    (a time series of decades in seconds), the others year by year."""
    if first > last:
        raise UsageError(f"--from {first} is after --to {last}")
    reader = store.open_reader(store_path)
    graphs = scope(store_path, sources)
    if name == "alliances":
        weights = weights or project.COMMITMENT_WEIGHTS
        return project.alliance_layers(reader, first, last, graphs=graphs, weights=weights)
    if name in ("aid", "arms"):
        unit = "USD" if name == "aid" else "SIPRI-TIV"
        return project.aid_layers(reader, first, last, unit=unit, graphs=graphs)
    if name == "operations":
        return project.operations_layers(reader, first, last, graphs=graphs)
    return {
        year: layer(store_path, name, year, sources=sources, weights=weights)
        for year in range(first, last + 1)
    }


def loaded_names(store_path: Path) -> set[str]:
    """Names of the sources the store holds."""
    from coopgraph.importer import loaded_sources

    return set(loaded_sources(store.open_reader(store_path)))


def metrics(
    store_path: Path,
    year: int,
    layers: Sequence[str] = LAYERS,
    *,
    by: str = "pagerank",
    sources: Sequence[str] = DEFAULT_SOURCES,
    last: int | None = None,
    backend: str | None = None,
    date: dt.date | None = None,
    window: int = 1,
    weights: dict[str, float] | None = None,
) -> list[dict[str, Any]]:
    """Ranked centrality rows per layer, year and nation for ``year`` (to ``last``, a
    yearly series): see ``coopgraph.metrics.centrality.centrality_table`` for each
    measure, its formula and paper.

    Strength is the weighted degree: the sum of commitment weights in the alliance layer,
    millions of current US dollars in the aid layer, millions of SIPRI TIV in the arms
    layer. ``ccode`` is the state's COW code that year. ``backend`` is passed to
    networkx's dispatch (e.g. "parallel" with nx-parallel installed). ``date`` takes the
    alliance layer as of that day (the other layers for its year); ``window`` sums the aid
    and arms layers over that many years ending with each year. ``weights`` sets the
    alliance layer's weight per commitment type (defence, neutrality, entente,
    collective-security; default 3, 2, 1, 1).
    """
    unknown = sorted(set(weights or {}) - set(project.COMMITMENT_WEIGHTS))
    if unknown:
        raise UsageError(
            f"unknown commitment '{unknown[0]}' (one of: {', '.join(project.COMMITMENT_WEIGHTS)})"
        )
    weights = {**project.COMMITMENT_WEIGHTS, **(weights or {})}
    if date is not None:
        year, last = date.year, date.year
    if window < 1:
        raise UsageError("--window must be at least 1 year")
    if last is not None and last < year:
        raise UsageError(f"--from {year} is after --to {last}")
    reader = store.open_reader(store_path)
    states = project.state_years(reader)
    last = last if last is not None else year
    graphs = scope(store_path, sources)
    # every year's layers from one query per layer (aid and arms share theirs)
    series: dict[str, dict[int, Any]] = {}
    flows = None
    if "aid" in layers or "arms" in layers:
        flows = project.aid_flows(reader, year - window + 1, last, graphs=graphs)
    for name in layers:
        if name in ("aid", "arms"):
            unit = "USD" if name == "aid" else "SIPRI-TIV"
            yearly = project.aid_layers(
                reader, year - window + 1, last, unit=unit, graphs=graphs, flows=flows
            )
            series[name] = {
                y: project.window_sum([yearly[w] for w in range(y - window + 1, y + 1)])
                for y in range(year, last + 1)
            }
        elif name == "alliances" and date is not None:
            series[name] = {
                year: project.alliance_layer(
                    reader, year, graphs=graphs, date=date, weights=weights
                )
            }
        else:
            series[name] = layer_series(
                store_path, name, year, last, sources=sources, weights=weights
            )
    rows: list[dict[str, Any]] = []
    for y in range(year, last + 1):
        for name in layers:
            graph = series[name][y]
            try:
                table = centrality_table(graph, backend=backend)
            except ImportError as error:
                raise UsageError(f"networkx backend: {error}") from None
            for rank, (node, values) in enumerate(ranked(table, by=by), start=1):
                rows.append(
                    {
                        "layer": name,
                        "year": y,
                        "rank": rank,
                        "code": node,
                        "nation": graph.nodes[node].get("label", node),
                        "ccode": states.ccode(node, y),
                        **values,
                    }
                )
    return rows


def import_source(
    store_path: Path,
    name: str,
    files: Sequence[Path],
    *,
    strict: bool = False,
    replace_anyway: bool = False,
    progress: Any = None,
):
    """Import published ``files`` as source ``name`` (see ``coopgraph.importer.run``);
    returns the ``ImportReport``. ``replace_anyway`` imports a file that ends mid-record
    or would drop more than half of the source's loaded triples (refused otherwise)."""
    from coopgraph import importer

    return importer.run(
        store_path,
        name,
        list(files),
        strict=strict,
        replace_anyway=replace_anyway,
        progress=progress,
    )


SOURCES_COLUMNS = [
    "source", "title", "version", "imported", "triples", "rows_read", "rows_imported",
    "rows_rejected", "files", "graph",
]  # fmt: skip


def sources(store_path: Path) -> list[dict[str, Any]]:
    """What the store holds per source: title, version, time, triples and rows, one row
    per named graph (``SOURCES_COLUMNS``)."""
    from coopgraph.importer import loaded_sources

    return list(loaded_sources(store.open_reader(store_path)).values())


def remove(store_path: Path, name: str) -> int:
    """Drop an imported source's graph in a new store generation; triples removed."""
    from coopgraph import importer

    return importer.remove(store_path, name)


def stats(store_path: Path) -> list[dict[str, Any]]:
    """Counts per class, source and decade, unsourced facts and identifier gaps
    (``coopgraph.stats.stats``); columns ``STATS_COLUMNS``."""
    return store_stats.stats(store.open_reader(store_path))


STATS_COLUMNS = store_stats.COLUMNS


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


def viz(
    store_path: Path,
    view: str = "history",
    name: str | None = None,
    *,
    year: int | None = None,
    first: int | None = None,
    last: int | None = None,
    sources: Sequence[str] = DEFAULT_SOURCES,
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
    reader = store.open_reader(store_path)
    history = project.cooperation_history(
        reader, first, last, graphs=scope(store_path, sources), relations=_VIEW_RELATIONS[view]
    )
    focus = None
    if view == "operation":
        focus = _find(history, name or "", "operation")
        history = _around(history, focus)
        history.graph["first"] = max(first, min(d["first"] for *_, d in history.edges(data=True)))
        ends = [d["last"] for *_, d in history.edges(data=True)]
        history.graph["last"] = last if None in ends else min(last, max(ends))
    elif view == "ego":
        focus = _find(history, name or "", "nation", reader=reader)
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


def _find(history: nx.MultiDiGraph, name: str, kind: str, *, reader: ox.Store | None = None) -> str:
    """The node of ``kind`` whose id or name is ``name`` (case-insensitive), or a
    one-line error naming the problem."""
    wanted = name.strip().casefold()
    candidates = {n: d for n, d in history.nodes(data=True) if d["kind"] == kind}
    for node, data in candidates.items():
        if wanted in (str(node).casefold(), str(data["label"]).casefold()):
            return node
    if kind == "nation" and reader is not None:
        states = project.state_years(reader)
        for code, label in states.labels.items():
            if wanted in (code.casefold(), label.casefold()):
                raise CoopgraphError(
                    f"{label} ({code}) has no facts in {history.graph['first']}-"
                    f"{history.graph['last']} in the chosen sources: nothing to draw"
                )
        raise UsageError(f"unknown nation '{name}' (give an ISO code such as POL, or a name)")
    known = ", ".join(sorted(map(str, candidates))) or "none in these years"
    raise UsageError(f"unknown operation '{name}' (known: {known})")


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


def validate(files: Sequence[Path] = (), *, data: Path | None = None) -> list[Violation]:
    """SHACL violations of Turtle ``files``, or of the curated data when none are given."""
    if files:
        graph = load_turtle(list(files))
    else:
        graph = graph_from_nquads(read_curated(data or data_dir()).nquads)
    return validate_graph(graph)


def write_text(text: str, path: Path) -> None:
    """Write an output file, an unwritable path reported in one line."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write output: {error.strerror}", path=shown(path)) from None


ALIGN_BASES = ("alliances", "votes")


def align(
    store_path: Path,
    first: int,
    last: int,
    *,
    basis: str = "alliances",
    measures: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
    dyads: Sequence[tuple[str, str]] | None = None,
    directed: bool = False,
) -> list[dict[str, Any]]:
    """Foreign-policy similarity of every dyad of states in each year ``first``..``last``.

    ``basis`` ``alliances``: alliance portfolios over the states of the year (from
    ``sources``, default curated; ATOP or COW once imported); ``votes``: UN General
    Assembly votes of the year (default source: unvotes). Measures: see
    ``coopgraph.metrics.alignment``; by default all of them, the capability-weighted
    ``s_w``/``s2_w`` only when a COW NMC import is loaded (they need it). One row
    per dyad and year: year, state1, state2, ccode1, ccode2, iri1, iri2, n (positions both
    hold), then the measures; state1 < state2 unless ``directed`` (both orders, as
    peacesciencer's directed dyad-years). ``dyads`` limits the rows to those pairs.
    """
    if basis not in ALIGN_BASES:
        raise UsageError(f"unknown basis '{basis}' (one of: {', '.join(ALIGN_BASES)})")
    reader = store.open_reader(store_path)
    if measures is None:
        has_cinc = bool(project.capabilities(reader, first, last))
        measures = [m for m in alignment.MEASURES if has_cinc or not m.endswith("_w")]
    unknown = [m for m in measures if m not in alignment.MEASURES]
    if unknown:
        raise UsageError(
            f"unknown measure '{unknown[0]}' (one of: {', '.join(alignment.MEASURES)})"
        )
    if first > last:
        raise UsageError(f"--from {first} is after --to {last}")
    if sources is None:
        sources = DEFAULT_SOURCES if basis == "alliances" else ("unvotes",)
    graphs = scope(store_path, sources)
    states = project.state_years(reader)
    weighted = {"s_w", "s2_w"} & set(measures)
    cinc = project.capabilities(reader, first, last) if weighted else {}
    if weighted and not cinc:
        raise UsageError("s_w and s2_w need capabilities: import cow-nmc first")
    years = range(first, last + 1)
    if basis == "alliances":
        ties = project.alliance_ties(reader, years, graphs=graphs)
    else:
        votes = project.votes(reader, first, last, graphs=graphs)
    wanted = {tuple(sorted(d)) for d in dyads} if dyads else None
    rows: list[dict[str, Any]] = []
    for year in years:
        if basis == "alliances":
            names = states.in_year(year)
            X = alignment.alliance_portfolios(names, ties[year])
            levels, columns = 4, names
        else:
            cast = votes.get(year, {})
            names = sorted({s for s, _ in cast})
            rollcalls = sorted({r for _, r in cast})
            if not names:
                continue
            index = {r: k for k, r in enumerate(rollcalls)}
            X = np.full((len(names), len(rollcalls)), -1, dtype=np.int64)
            for i, state in enumerate(names):
                for r in rollcalls:
                    vote = cast.get((state, r))
                    if vote is not None:
                        X[i, index[r]] = vote
            levels, columns = 3, None
        weights = None
        if weighted and columns is not None:
            year_cinc = cinc.get(year, {})
            weights = np.array([year_cinc.get(c, 0.0) for c in columns])
            if weights.sum() == 0:
                weights = None
        result = alignment.similarity(X, levels=levels, weights=weights, measures=measures)
        observed = alignment.contingency(X, levels).sum(axis=(0, 1))
        for i, a in enumerate(names):
            for j in range(len(names)) if directed else range(i + 1, len(names)):
                b = names[j]
                if i == j or (wanted is not None and tuple(sorted((a, b))) not in wanted):
                    continue
                row = {
                    "year": year,
                    "state1": a,
                    "state2": b,
                    "ccode1": states.ccode(a, year),
                    "ccode2": states.ccode(b, year),
                    "iri1": states.iris.get(a, ""),
                    "iri2": states.iris.get(b, ""),
                    "n": int(observed[i, j]),
                }
                for m in measures:
                    value = result.get(m)
                    row[m] = None if value is None or np.isnan(value[i, j]) else float(value[i, j])
                rows.append(row)
    return rows


def align_columns(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The columns of ``align``'s rows, measures in their canonical order."""
    present = set(rows[0]) if rows else set()
    measures = [m for m in alignment.MEASURES if m in present]
    return ["year", "state1", "state2", "ccode1", "ccode2", "n", *measures, "iri1", "iri2"]


def write_parquet(rows: Sequence[dict[str, Any]], columns: Sequence[str], path: Path) -> None:
    """Write a tidy table as Parquet (needs pyarrow: ``pip install 'coopgraph[parquet]'``)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError("Parquet output needs pyarrow: pip install 'coopgraph[parquet]'") from None
    table = pa.Table.from_pylist([{c: row.get(c) for c in columns} for row in rows])
    try:
        pq.write_table(table, path)
    except OSError as error:
        raise UsageError(f"cannot write output: {error}", path=shown(path)) from None


BLOC_COLUMNS = ["layer", "year", "bloc", "size", "code", "nation", "ccode", "modularity"]


def blocs(
    store_path: Path,
    first: int,
    last: int | None = None,
    *,
    name: str = "alliances",
    method: str = "louvain",
    sources: Sequence[str] = DEFAULT_SOURCES,
) -> list[dict[str, Any]]:
    """Bloc membership per year: one row per state and year with its bloc number, the
    bloc's size and the partition's modularity (``coopgraph.metrics.blocs``)."""
    if method not in bloc_metrics.METHODS:
        raise UsageError(f"unknown method '{method}' (one of: {', '.join(bloc_metrics.METHODS)})")
    states = project.state_years(store.open_reader(store_path))
    rows: list[dict[str, Any]] = []
    last = last if last is not None else first
    for year, graph in layer_series(store_path, name, first, last, sources=sources).items():
        graph = _with_all_states(graph, states, year)
        partition = bloc_metrics.blocs(graph, method=method)
        q = bloc_metrics.modularity(graph, partition)
        for number, part in enumerate(partition, start=1):
            for node in sorted(part):
                rows.append(
                    {
                        "layer": name,
                        "year": year,
                        "bloc": number,
                        "size": len(part),
                        "code": node,
                        "nation": graph.nodes[node].get("label", node),
                        "ccode": states.ccode(node, year),
                        "modularity": q,
                    }
                )
    return rows


def _with_all_states(graph, states: project.StateYears, year: int):
    """The layer with every state of the year as a node: a state without ties is a bloc
    of its own, and leaving every alliance is a change of bloc."""
    for code in states.in_year(year):
        if code not in graph:
            graph.add_node(code, label=states.labels.get(code, code), kind="nation")
    return graph


CHANGE_COLUMNS = ["code", "nation", "year1", "bloc1", "year2", "bloc2"]


def bloc_changes(
    store_path: Path,
    year1: int,
    year2: int,
    *,
    name: str = "alliances",
    method: str = "louvain",
    sources: Sequence[str] = DEFAULT_SOURCES,
) -> list[dict[str, Any]]:
    """States that changed bloc between ``year1`` and ``year2`` (see
    ``coopgraph.metrics.blocs.changes``)."""
    states = project.state_years(store.open_reader(store_path))
    before_graph = _with_all_states(layer(store_path, name, year1, sources=sources), states, year1)
    after_graph = _with_all_states(layer(store_path, name, year2, sources=sources), states, year2)
    before = bloc_metrics.blocs(before_graph, method=method)
    after = bloc_metrics.blocs(after_graph, method=method)
    return [
        {
            "code": node,
            "nation": after_graph.nodes[node].get("label", node),
            "year1": year1,
            "bloc1": old,
            "year2": year2,
            "bloc2": new,
        }
        for node, old, new in bloc_metrics.changes(before, after)
    ]


DEPENDENCE_COLUMNS = [
    "recipient", "recipient_name", "donor", "donor_name", "from", "to", "unit", "amount",
    "share", "hhi", "donors",
]  # fmt: skip


def dependence(
    store_path: Path,
    first: int,
    last: int | None = None,
    *,
    name: str = "aid",
    sources: Sequence[str] = DEFAULT_SOURCES,
) -> list[dict[str, Any]]:
    """Each recipient's donors over the window ``first``..``last``: amount, the donor's
    share and the recipient's Herfindahl-Hirschman index of donor concentration
    (``coopgraph.metrics.dependence``). ``name`` is the aid (USD) or arms (TIV) layer."""
    if name not in ("aid", "arms"):
        raise UsageError("dependence is measured on the aid or the arms layer")
    last = last if last is not None else first
    amounts: dict[tuple[str, str], float] = {}
    labels: dict[str, str] = {}
    for graph in layer_series(store_path, name, first, last, sources=sources).values():
        labels.update({n: d.get("label", n) for n, d in graph.nodes(data=True)})
        for donor, recipient, d in graph.edges(data=True):
            if d["amount"] > 0:
                amounts[donor, recipient] = amounts.get((donor, recipient), 0.0) + d["amount"]
    share = dependence_metrics.shares(amounts)
    index = dependence_metrics.hhi(amounts)
    donors: dict[str, int] = {}
    for _, recipient in amounts:
        donors[recipient] = donors.get(recipient, 0) + 1
    unit = "USD" if name == "aid" else "SIPRI-TIV (millions)"
    rows = [
        {
            "recipient": recipient,
            "recipient_name": labels.get(recipient, recipient),
            "donor": donor,
            "donor_name": labels.get(donor, donor),
            "from": first,
            "to": last,
            "unit": unit,
            "amount": amount,
            "share": share[donor, recipient],
            "hhi": index[recipient],
            "donors": donors[recipient],
        }
        for (donor, recipient), amount in amounts.items()
    ]
    return sorted(rows, key=lambda r: (r["recipient"], -r["amount"], r["donor"]))


WHATIF_COLUMNS = [
    "code", "nation", "measure", "before", "after", "change", "bloc_before", "bloc_after",
]  # fmt: skip
WHATIF_MEASURES = ("strength", "betweenness", "eigenvector", "pagerank")


def whatif(
    store_path: Path,
    year: int,
    *,
    leave: str | None = None,
    alliance: str | None = None,
    stop_aid: str | None = None,
    sources: Sequence[str] = DEFAULT_SOURCES,
) -> list[dict[str, Any]]:
    """Every state's centrality and bloc in ``year`` before and after a change: ``leave``
    leaves ``alliance`` (alliance layer), or donor ``stop_aid`` gives no aid (aid layer).
    One row per state and measure (strength, betweenness, eigenvector, PageRank), sorted
    by the size of the change."""
    reader = store.open_reader(store_path)
    graphs = scope(store_path, sources)
    if leave and alliance:
        before = project.alliance_layer(reader, year, graphs=graphs)
        if leave not in before:
            raise UsageError(f"'{leave}' is in no alliance in {year}")
        members = {
            row["code"]
            for row in project.rows(reader, "memberships-in-year", graphs, year=year)
            if row["alliance_id"] == alliance
        }
        if leave not in members:
            raise UsageError(f"'{leave}' is no member of '{alliance}' in {year}")
        after = project.alliance_layer(reader, year, graphs=graphs, leave={(alliance, leave)})
    elif stop_aid:
        before = project.aid_layer(reader, year, graphs=graphs)
        if stop_aid not in before:
            raise UsageError(f"'{stop_aid}' gives or gets no aid in {year}")
        after = before.copy()
        after.remove_edges_from(list(after.out_edges(stop_aid)))
    else:
        raise UsageError("say what changes: --leave STATE --from ALLIANCE, or --stop-aid DONOR")
    table_before, table_after = centrality_table(before), centrality_table(after)
    bloc_before = bloc_metrics.membership(bloc_metrics.blocs(before))
    bloc_after = bloc_metrics.membership(bloc_metrics.blocs(after))
    rows = []
    for node in before:
        for measure in WHATIF_MEASURES:
            old = table_before[node][measure]
            new = table_after.get(node, {}).get(measure, 0.0)
            rows.append(
                {
                    "code": node,
                    "nation": before.nodes[node].get("label", node),
                    "measure": measure,
                    "before": old,
                    "after": new,
                    "change": new - old,
                    "bloc_before": bloc_before.get(node),
                    "bloc_after": bloc_after.get(node),
                }
            )
    return sorted(rows, key=lambda r: (-abs(r["change"]), r["code"], r["measure"]))


EXPORT_FORMATS = {
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def export(store_path: Path, fmt: str = "trig", *, sources: Sequence[str] | None = None) -> bytes:
    """The store (or the graphs of ``sources``) serialised in ``fmt`` (EXPORT_FORMATS).

    TriG and N-Quads keep each triple's named graph; Turtle, N-Triples and JSON-LD merge
    the graphs into one (a triple in two graphs is written once)."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown format '{fmt}' (one of: {', '.join(EXPORT_FORMATS)})")
    reader = store.open_reader(store_path)
    graphs = scope(store_path, sources)
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
    from coopgraph.namespace import PREFIXES

    return PREFIXES if target in (ox.RdfFormat.TRIG, ox.RdfFormat.TURTLE) else None


def void(store_path: Path) -> str:
    """A VoID description (Turtle) of the store: the dataset with its triples, and one
    subset per named graph with its triples, distinct subjects, classes and properties,
    its title and source, and the licence of coopgraph's own facts."""
    reader = store.open_reader(store_path)
    from coopgraph.importer import loaded_sources
    from coopgraph.ntriples import literal

    loaded = {str(info["graph"]): info for info in loaded_sources(reader).values()}
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


AIDALIGN_COLUMNS = [
    "donor", "recipient", "recipient_name", "year", "ccode1", "ccode2", "aid", "unit",
    "aid_constant_2020",
    "donor_share", "votes", "s", "kappa", "pi", "event", "kappa_before", "kappa_after",
    "kappa_change",
]  # fmt: skip
#: Years before and after an aid event over which alignment is averaged.
EVENT_YEARS = 3


def aidalign(
    store_path: Path,
    donor: str,
    first: int,
    last: int,
    *,
    sources: Sequence[str] = DEFAULT_SOURCES,
    vote_sources: Sequence[str] = ("unvotes",),
) -> list[dict[str, Any]]:
    """Does military aid align a recipient's UN votes with its donor's?

    One row per recipient and year ``first``..``last`` in which the recipient received aid
    from ``donor`` or voted: the aid (current USD, from the aid layer of ``sources``, and
    in constant 2020 USD where the source gives it: the Greenbook import), the
    donor's share of the recipient's aid in that year among the donors the graph holds, and
    the recipient's UN voting alignment with the donor that year (S, Cohen's kappa and
    Scott's pi, see ``coopgraph.metrics.alignment``; ``votes`` = roll calls both voted on).
    ``event`` marks the years aid starts (none the year before), stops (none this year
    after some the year before) or rises (at least doubles); for those years
    ``kappa_before`` and ``kappa_after`` are the mean kappa over the ``EVENT_YEARS`` years
    before and after, and ``kappa_change`` their difference: the change in alignment after
    aid starts, rises or stops. ccode1 (donor), ccode2 (recipient) and year join the table
    with peacesciencer-style dyad-years.
    """
    if first > last:
        raise UsageError(f"--from {first} is after --to {last}")
    reader = store.open_reader(store_path)
    states = project.state_years(reader)
    if donor not in states.iris:
        raise UsageError(f"unknown state '{donor}' (a coopgraph id such as USA)")
    graphs = scope(store_path, sources)
    span = range(first - EVENT_YEARS, last + EVENT_YEARS + 1)
    layers = project.aid_layers(reader, span[0], span[-1], graphs=graphs)
    aid: dict[tuple[str, int], float] = {}
    constant: dict[tuple[str, int], float] = {}
    share: dict[tuple[str, int], float] = {}
    for year, graph in layers.items():
        amounts = {(d, r): data["amount"] for d, r, data in graph.edges(data=True)}
        shares = dependence_metrics.shares(amounts)
        for (d, r), amount in amounts.items():
            if d == donor and amount > 0:
                aid[r, year] = amount
                constant[r, year] = graph[d][r].get("amount_constant", 0.0)
                share[r, year] = shares.get((d, r), 0.0)
    kappa: dict[tuple[str, int], dict[str, Any]] = {}
    try:
        voting = align(
            store_path,
            max(span[0], 1946),
            min(span[-1], 2100),
            basis="votes",
            measures=["s", "kappa", "pi"],
            sources=vote_sources,
            dyads=[(donor, other) for other in states.iris if other != donor],
        )
    except UsageError:
        voting = []  # no UN votes imported: the table holds the aid alone
    for row in voting:
        if donor in (row["state1"], row["state2"]):
            other = row["state2"] if row["state1"] == donor else row["state1"]
            kappa[other, row["year"]] = row

    def mean_kappa(recipient: str, years: range) -> float | None:
        values = [kappa[recipient, y]["kappa"] for y in years if (recipient, y) in kappa]
        values = [v for v in values if v is not None]
        return sum(values) / len(values) if values else None

    recipients = sorted({r for r, _ in aid} | {r for r, _ in kappa})
    rows = []
    for recipient in recipients:
        for year in range(first, last + 1):
            now, before = aid.get((recipient, year), 0.0), aid.get((recipient, year - 1), 0.0)
            vote = kappa.get((recipient, year))
            if not now and vote is None:
                continue
            event = ""
            if now and not before:
                event = "start"
            elif before and not now:
                event = "stop"
            elif before and now >= 2 * before:
                event = "rise"
            row = {
                "donor": donor,
                "recipient": recipient,
                "recipient_name": states.labels.get(recipient, recipient),
                "year": year,
                "ccode1": states.ccode(donor, year),
                "ccode2": states.ccode(recipient, year),
                "aid": now,
                "unit": "USD",
                "aid_constant_2020": constant.get((recipient, year)) or None,
                "donor_share": share.get((recipient, year)),
                "votes": vote["n"] if vote else None,
                "s": vote["s"] if vote else None,
                "kappa": vote["kappa"] if vote else None,
                "pi": vote["pi"] if vote else None,
                "event": event,
                "kappa_before": None,
                "kappa_after": None,
                "kappa_change": None,
            }
            if event:
                earlier = mean_kappa(recipient, range(year - EVENT_YEARS, year))
                later = mean_kappa(recipient, range(year + 1, year + EVENT_YEARS + 1))
                row["kappa_before"], row["kappa_after"] = earlier, later
                if earlier is not None and later is not None:
                    row["kappa_change"] = later - earlier
            rows.append(row)
    return rows


def aidalign_plot(
    rows: Sequence[dict[str, Any]], path: Path, *, donor: str, first: int, last: int
) -> int:
    """Draw ``aidalign`` rows as aid against mean kappa per recipient into ``path``
    (.html: a self-contained SVG page; .png: matplotlib); returns the points drawn."""
    from coopgraph.outputs import charts

    points = charts.aid_alignment_points(rows)
    title = f"Military aid from {donor} and UN voting alignment with {donor}, {first}-{last}"
    suffix = path.suffix.lower()
    if suffix == ".png":
        try:
            charts.png_scatter(points, title, path)
        except ImportError:
            raise UsageError("PNG charts need matplotlib: pip install 'coopgraph[plot]'") from None
        except OSError as error:
            raise UsageError(f"cannot write output: {error.strerror}", path=shown(path)) from None
    elif suffix in (".html", ".htm"):
        note = (
            "One dot per recipient that received aid and voted in the UN General Assembly: "
            "the aid summed over the period, and the mean of the yearly Cohen's kappa of its "
            "votes with the donor's (Häge 2011). Hover a dot for its figures."
        )
        write_text(charts.html_page(charts.svg_scatter(points, title), title, note), path)
    else:
        raise UsageError("--plot takes a .html or a .png file", path=shown(path))
    return len(points)
