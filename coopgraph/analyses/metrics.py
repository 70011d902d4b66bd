"""Centrality per layer, year and nation: the table of ``coopgraph metrics``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from coopgraph import project
from coopgraph.analyses.layers import LAYERS, layer_series
from coopgraph.errors import UsageError
from coopgraph.metrics.centrality import DIRECTED, MEASURES, centrality_table, ranked
from coopgraph.scope import Scope

#: Columns of a metrics row that identify it.
KEYS = ("layer", "year", "rank", "code", "nation", "ccode")
#: Every column of a metrics row: the keys, then the measures (``centrality``'s registry).
METRIC_COLUMNS = [*KEYS, *MEASURES, *DIRECTED]


def commitment_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """The alliance tie weights with ``weights`` replacing some; an unknown commitment is a
    usage error naming the known ones."""
    unknown = sorted(set(weights or {}) - set(project.COMMITMENT_WEIGHTS))
    if unknown:
        raise UsageError(
            f"unknown commitment '{unknown[0]}' (one of: {', '.join(project.COMMITMENT_WEIGHTS)})"
        )
    return {**project.COMMITMENT_WEIGHTS, **(weights or {})}


def span(year: int, last: int | None, date: dt.date | None, window: int) -> tuple[int, int]:
    """The years of a metrics table: ``year``..``last``, or ``date``'s year alone; a span
    that ends before it starts or a window under a year is a usage error."""
    if date is not None:
        year, last = date.year, date.year
    if window < 1:
        raise UsageError("--window must be at least 1 year")
    if last is not None and last < year:
        raise UsageError(f"--from {year} is after --to {last}")
    return year, last if last is not None else year


def metrics(
    scope: Scope,
    year: int,
    layers: Sequence[str] = LAYERS,
    *,
    by: str = "pagerank",
    last: int | None = None,
    backend: str | None = None,
    date: dt.date | None = None,
    window: int = 1,
    weights: Mapping[str, float] | None = None,
) -> list[dict[str, Any]]:
    """Ranked centrality rows per layer, year and nation for ``year`` (to ``last``, a
    yearly series): see ``coopgraph.metrics.centrality.centrality_table`` for each
    measure, its formula and paper.

    Strength is the weighted degree: the sum of commitment weights in the alliance layer,
    millions of current US dollars in the aid layer, millions of SIPRI TIV in the arms
    layer. ``ccode`` is the state's COW code that year. ``backend`` names who computes
    betweenness and closeness: "rustworkx" (the default), "networkx", or a networkx
    backend (e.g. "parallel" with nx-parallel installed). ``date`` takes the
    alliance layer as of that day (the other layers for its year); ``window`` sums the aid
    and arms layers over that many years ending with each year. ``weights`` sets the
    alliance layer's weight per commitment type (defence, neutrality, entente,
    collective-security; default 3, 2, 1, 1).
    """
    weights = commitment_weights(weights)
    year, last = span(year, last, date, window)
    series = _series(scope, layers, year, last, date=date, window=window, weights=weights)
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
                        "ccode": scope.states.ccode(node, y),
                        **values,
                    }
                )
    return rows


def _series(
    scope: Scope,
    layers: Sequence[str],
    year: int,
    last: int,
    *,
    date: dt.date | None,
    window: int,
    weights: Mapping[str, float],
) -> dict[str, dict[int, Any]]:
    """Every year's graph of each layer, from one query per layer (aid and arms share
    theirs): aid and arms summed over ``window`` years, the alliances as of ``date``."""
    reader, graphs = scope.reader, scope.graphs
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
            series[name] = layer_series(scope, name, year, last, weights=weights)
    return series
