"""The networkx layers of a year or a span of years, from a scope's sources.

Layers: alliances (shared alliances, weighted by commitment), aid (donor -> recipient,
millions of current USD) and arms (supplier -> recipient, SIPRI TIV in millions); on
request operations (co-participation), votes (UN voting agreement) and the multiplex of
every layer (weights scaled per layer and summed). ``coopgraph.project`` builds each from
the store; this module picks the builder and the graphs. It imports ``project`` (and so
networkx) only to build a layer: the layer names are what the command line offers, and
it starts without networkx, nor the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from coopgraph.errors import UsageError

if TYPE_CHECKING:
    from coopgraph.scope import Scope

#: The layers metrics computes by default.
LAYERS = ("alliances", "aid", "arms")
#: Further layers on request: operation co-participation, UN voting agreement, and the
#: multiplex of every layer (weights scaled per layer and summed).
MORE_LAYERS = ("operations", "votes", "multiplex")
#: What metrics and graphs use when no sources are chosen: the curated facts only, so
#: an imported dataset that repeats them (ATOP's NATO beside the curated NATO) never
#: doubles a tie unless asked for.
DEFAULT_SOURCES = ("curated",)


def check_layer(name: str) -> None:
    """Refuse an unknown layer name in one line, naming the known ones."""
    if name not in (*LAYERS, *MORE_LAYERS):
        raise UsageError(f"unknown layer '{name}' (one of: {', '.join((*LAYERS, *MORE_LAYERS))})")


def layer(scope: Scope, name: str, year: int, *, weights: Mapping[str, float] | None = None) -> Any:
    """The projected networkx graph of layer ``name`` in ``year`` from the scope's
    sources; ``weights`` replaces the alliance layer's weight per commitment (default
    Signorino-Ritter's). The votes layer reads the unvotes import when the scope holds the
    default sources (UN votes are never curated)."""
    from coopgraph import project

    check_layer(name)
    reader, graphs = scope.reader, scope.graphs
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
        votes = scope.select(votes_sources(scope))
        return project.votes_layer(reader, year, graphs=votes.graphs)
    # the one left: the multiplex of every layer
    parts = {n: layer(scope, n, year) for n in multiplex_parts(scope)}
    return project.flatten(project.multiplex(parts))


def votes_sources(scope: Scope) -> tuple[str, ...] | None:
    """The sources the votes layer reads: the unvotes import in place of the default
    sources (UN votes are never curated), else the scope's (None: every graph)."""
    return ("unvotes",) if scope.sources == DEFAULT_SOURCES else scope.sources


def multiplex_parts(scope: Scope) -> tuple[str, ...]:
    """The layers the multiplex sums, in its order: every layer, with the votes where the
    store holds UN votes (each with the default alliance weights)."""
    return (*LAYERS, "operations", *(("votes",) if "unvotes" in scope.loaded else ()))


def sources_read(scope: Scope, names: Iterable[str]) -> tuple[str, ...] | None:
    """The sources the layers ``names`` read from the scope (None: every graph), for the
    warning about years they do not cover (``Scope.warn_uncovered``)."""
    read: list[str] = []
    for name in names:
        for part in multiplex_parts(scope) if name == "multiplex" else (name,):
            chosen = votes_sources(scope) if part == "votes" else scope.sources
            if chosen is None:
                return None
            read += chosen
    return tuple(dict.fromkeys(read))


def layer_series(
    scope: Scope,
    name: str,
    first: int,
    last: int,
    *,
    weights: Mapping[str, float] | None = None,
) -> dict[int, Any]:
    """The graph of layer ``name`` in every year ``first``..``last``, as ``layer`` gives
    each: the alliance, aid, arms and operations layers from one query for the whole span
    (a time series of decades in seconds), the multiplex from their series, the votes
    year by year."""
    if first > last:
        raise UsageError(f"--from {first} is after --to {last}")
    from coopgraph import project

    reader, graphs = scope.reader, scope.graphs
    if name == "alliances":
        weights = weights or project.COMMITMENT_WEIGHTS
        return project.alliance_layers(reader, first, last, graphs=graphs, weights=weights)
    if name in ("aid", "arms"):
        unit = "USD" if name == "aid" else "SIPRI-TIV"
        return project.aid_layers(reader, first, last, unit=unit, graphs=graphs)
    if name == "operations":
        return project.operations_layers(reader, first, last, graphs=graphs)
    if name == "multiplex":
        parts = {n: layer_series(scope, n, first, last) for n in multiplex_parts(scope)}
        return {
            year: project.flatten(project.multiplex({n: s[year] for n, s in parts.items()}))
            for year in range(first, last + 1)
        }
    return {year: layer(scope, name, year, weights=weights) for year in range(first, last + 1)}
