"""Foreign-policy similarity of dyads of states per year: the table of ``coopgraph align``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from coopgraph import project
from coopgraph.analyses.layers import DEFAULT_SOURCES
from coopgraph.errors import UsageError
from coopgraph.metrics import alignment
from coopgraph.scope import Scope

ALIGN_BASES = ("alliances", "votes")


def check_basis(basis: str) -> None:
    """Refuse an unknown basis of alignment in one line."""
    if basis not in ALIGN_BASES:
        raise UsageError(f"unknown basis '{basis}' (one of: {', '.join(ALIGN_BASES)})")


def tie_sources(basis: str, sources: Sequence[str] | None) -> Sequence[str]:
    """The sources the ties of ``basis`` come from: ``sources``, by default the curated
    alliances or the unvotes import."""
    if sources is not None:
        return sources
    return DEFAULT_SOURCES if basis == "alliances" else ("unvotes",)


def align(
    scope: Scope,
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
    peacesciencer's directed dyad-years). ``dyads`` limits the rows to those pairs, each
    state an id, name or alias (``Scope.resolve``).
    """
    check_basis(basis)
    reader = scope.reader
    if dyads:
        dyads = [tuple(scope.resolve(s, "nation", what="--dyad") for s in pair) for pair in dyads]
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
    graphs = scope.select(tie_sources(basis, sources)).graphs
    states = scope.states
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
            names, X = _vote_matrix(votes.get(year, {}))
            levels, columns = 3, None
            if not names:
                continue
        weights = None
        if weighted and columns is not None:
            year_cinc = cinc.get(year, {})
            weights = np.array([year_cinc.get(c, 0.0) for c in columns])
            if weights.sum() == 0:
                weights = None
        result = alignment.similarity(X, levels=levels, weights=weights, measures=measures)
        observed = alignment.contingency(X, levels).sum(axis=(0, 1))
        for i, j in _pairs(names, directed, wanted):
            a, b = names[i], names[j]
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


def _vote_matrix(cast: dict[tuple[str, Any], int]) -> tuple[list[str], np.ndarray]:
    """The states that voted and their vote per roll call (-1: absent) from one year's
    ``(state, roll call) -> vote``."""
    names = sorted({s for s, _ in cast})
    rollcalls = sorted({r for _, r in cast})
    index = {r: k for k, r in enumerate(rollcalls)}
    X = np.full((len(names), len(rollcalls)), -1, dtype=np.int64)
    for i, state in enumerate(names):
        for r in rollcalls:
            vote = cast.get((state, r))
            if vote is not None:
                X[i, index[r]] = vote
    return names, X


def _pairs(names: Sequence[str], directed: bool, wanted: set | None) -> Iterator[tuple[int, int]]:
    """Index pairs of the dyads to report: i < j unless ``directed`` (both orders), only
    those in ``wanted`` (sorted pairs of names) when given."""
    for i, a in enumerate(names):
        for j in range(len(names)) if directed else range(i + 1, len(names)):
            if i != j and (wanted is None or tuple(sorted((a, names[j]))) in wanted):
                yield i, j


def align_columns(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The columns of ``align``'s rows, measures in their canonical order."""
    present = set(rows[0]) if rows else set()
    measures = [m for m in alignment.MEASURES if m in present]
    return ["year", "state1", "state2", "ccode1", "ccode2", "n", *measures, "iri1", "iri2"]
