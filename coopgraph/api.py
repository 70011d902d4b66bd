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

from coopgraph import project, queries, store
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


def query(
    store_path: Path, q: queries.Query, params: dict[str, str] | None = None, fmt: str = "table"
) -> str:
    """Run a query on the store and render its result in ``fmt``."""
    result = queries.run(store.open_reader(store_path), q, params)
    try:
        return tables.query_result(result, fmt)
    except ValueError as error:
        raise CoopgraphError(str(error)) from None
    except (OSError, RuntimeError) as error:
        raise CoopgraphError(f"query failed: {error}", path=q.origin) from None


def layer(store_path: Path, name: str, year: int):
    """The projected networkx graph of one layer in ``year``."""
    reader = store.open_reader(store_path)
    if name == "alliances":
        return project.alliance_layer(reader, year)
    if name == "aid":
        return project.aid_layer(reader, year)
    if name == "arms":
        return project.aid_layer(reader, year, unit="SIPRI-TIV")
    raise CoopgraphError(f"unknown layer '{name}' (one of: {', '.join(LAYERS)})")


def metrics(
    store_path: Path, year: int, layers: Sequence[str] = LAYERS, *, by: str = "pagerank"
) -> list[dict[str, Any]]:
    """Ranked centrality rows per layer and nation for ``year`` (see ``centrality_table``).

    Strength is the weighted degree: the sum of commitment weights in the alliance layer,
    millions of current US dollars in the aid layer.
    """
    rows: list[dict[str, Any]] = []
    for name in layers:
        graph = layer(store_path, name, year)
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


def stats(store_path: Path) -> list[dict[str, Any]]:
    """Counts per class, source and decade, unsourced facts and identifier gaps
    (``coopgraph.stats.stats``); columns ``STATS_COLUMNS``."""
    return store_stats.stats(store.open_reader(store_path))


STATS_COLUMNS = store_stats.COLUMNS


def viz(store_path: Path, year: int) -> str:
    """The HTML page of nations, alliances, operations and aid in ``year``."""
    graph = project.cooperation_graph(store.open_reader(store_path), year)
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
