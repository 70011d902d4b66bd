"""The Python API behind the command line: one function per command.

Example (see README.md, "Python")::

    from coopgraph import api
    api.build(store_path)
    rows = api.metrics(store_path, 1999)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from coopgraph import ids, project, queries, store
from coopgraph import stats as store_stats
from coopgraph.build import (  # noqa: F401  (BuildReport, ValidationFailed re-exported)
    BuildReport,
    ValidationFailed,
    build,
    read_curated,
)
from coopgraph.errors import CoopgraphError, UsageError
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
METRIC_COLUMNS = [
    "layer", "year", "rank", "code", "nation", "degree", "strength",
    "betweenness", "eigenvector", "pagerank",
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


def layer(store_path: Path, name: str, year: int, *, sources: Sequence[str] = DEFAULT_SOURCES):
    """The projected networkx graph of one layer in ``year`` from ``sources``."""
    reader = store.open_reader(store_path)
    graphs = scope(store_path, sources)
    if name == "alliances":
        return project.alliance_layer(reader, year, graphs=graphs)
    if name == "aid":
        return project.aid_layer(reader, year, graphs=graphs)
    if name == "arms":
        return project.aid_layer(reader, year, unit="SIPRI-TIV", graphs=graphs)
    raise CoopgraphError(f"unknown layer '{name}' (one of: {', '.join(LAYERS)})")


def metrics(
    store_path: Path,
    year: int,
    layers: Sequence[str] = LAYERS,
    *,
    by: str = "pagerank",
    sources: Sequence[str] = DEFAULT_SOURCES,
) -> list[dict[str, Any]]:
    """Ranked centrality rows per layer and nation for ``year`` (see ``centrality_table``).

    Strength is the weighted degree: the sum of commitment weights in the alliance layer,
    millions of current US dollars in the aid layer.
    """
    rows: list[dict[str, Any]] = []
    for name in layers:
        graph = layer(store_path, name, year, sources=sources)
        table = centrality_table(graph)
        for rank, (node, values) in enumerate(ranked(table, by=by), start=1):
            rows.append(
                {
                    "layer": name,
                    "year": year,
                    "rank": rank,
                    "code": node,
                    "nation": graph.nodes[node].get("label", node),
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
    progress: Any = None,
):
    """Import published ``files`` as source ``name`` (see ``coopgraph.importer.run``);
    returns the ``ImportReport``."""
    from coopgraph import importer

    return importer.run(store_path, name, list(files), strict=strict, progress=progress)


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


def viz(store_path: Path, year: int, *, sources: Sequence[str] = DEFAULT_SOURCES) -> str:
    """The HTML page of nations, alliances, operations and aid in ``year``."""
    graph = project.cooperation_graph(
        store.open_reader(store_path), year, graphs=scope(store_path, sources)
    )
    if graph.number_of_nodes() == 0:
        raise CoopgraphError(f"no facts in the store for {year}: nothing to draw")
    kinds = [d["kind"] for _, d in graph.nodes(data=True)]
    subtitle = (
        f"{kinds.count('nation')} nations, {kinds.count('alliance')} alliances, "
        f"{kinds.count('operation')} operations, {graph.number_of_edges()} facts active "
        f"in {year}. Hover a node or an edge for the fact, its dates and its source."
    )
    title = f"coopgraph: military cooperation in {year}"
    return html.to_html(html.network(graph, title=title), title=title, subtitle=subtitle)


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
