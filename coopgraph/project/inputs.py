"""The inputs of the analyses: the state system by year, alliance ties, votes and
capabilities, as plain Python tables (the alignment measures' portfolios are built from
these; no networkx)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from coopgraph import dates, queries
from coopgraph.namespace import CG
from coopgraph.project.rows import rows

CG_NS = str(CG._NS)

#: Tie level of a shared alliance by commitment type, as Signorino and Ritter (1999) code
#: alliance ties: defence pact 3, neutrality or non-aggression 2, entente or consultation
#: 1 (none 0). The alliance portfolios use the levels; the alliance layer's default edge
#: weights (``COMMITMENT_WEIGHTS``) are these levels as floats.
TIE_LEVELS: dict[str, int] = {
    "defence": 3,
    "neutrality": 2,
    "entente": 1,
    "collective-security": 1,
}
#: Ordinal vote categories (yes < abstain < no), as Voeten codes them 1, 2, 3.
VOTE_LEVELS = {
    CG_NS + "votedYes": 0,
    CG_NS + "abstained": 1,
    CG_NS + "votedNo": 2,
}


@dataclass
class StateYears:
    """Every state with its years and COW codes (``states.rq``)."""

    spans: dict[str, tuple[int | None, int | None]]
    iris: dict[str, str]
    labels: dict[str, str]
    codes: dict[str, list[tuple[int, int, int]]]  # state -> [(from, to, COW code)]

    def in_year(self, year: int) -> list[str]:
        """States that existed at any time in ``year``, sorted."""
        return sorted(
            s for s, (first, last) in self.spans.items() if dates.holds_in(first, last, year)
        )

    def ccode(self, state: str, year: int) -> int | None:
        """The state's COW code in ``year`` (the nearest spell's when between spells)."""
        spans = self.codes.get(state)
        if not spans:
            return None
        return min(spans, key=lambda s: max(s[0] - year, year - s[1], 0))[2]


def state_years(store: ox.Store) -> StateYears:
    """Every state with its years, IRI and COW codes (from the ``nations`` graph)."""
    spans: dict[str, tuple[int | None, int | None]] = {}
    iris: dict[str, str] = {}
    labels: dict[str, str] = {}
    codes: dict[str, list[tuple[int, int, int]]] = {}
    for row in rows(store, "states"):
        spans[row["code"]] = (row["from"], row["to"])
        iris[row["code"]] = row["iri"]
        labels[row["code"]] = row["label"]
        if row["ccode"] is not None:
            span = (row["ccode_from"] or 1816, row["ccode_to"] or 9999, row["ccode"])
            codes.setdefault(row["code"], []).append(span)
    return StateYears(spans, iris, labels, codes)


def alliance_ties(
    store: ox.Store,
    years: Sequence[int],
    *,
    graphs: Sequence[str] | None = None,
    levels: Mapping[str, int] = TIE_LEVELS,
) -> dict[int, dict[tuple[str, str], int]]:
    """Per year, the tie level of every pair of states sharing an alliance in that year
    (in-year mode; the highest level when they share several). One query for all years.

    A membership an imported dataset carries on under one COW code past a succession
    (ATOP's Soviet treaties coded 365 from the 1970s on) counts, in the years after the
    member state ended, for the state that holds that COW code then (Russia from 1992).
    """
    successor = _successors(state_years(store))
    members: dict[str, list[tuple[str, int | None, int | None, int]]] = {}
    for row in rows(store, "memberships", graphs):
        level = levels.get(row["commitment"], 0)
        members.setdefault(row["alliance_id"], []).append(
            (row["code"], row["from"], row["to"], level)
        )
    ties: dict[int, dict[tuple[str, str], int]] = {year: {} for year in years}
    for spans in members.values():
        for year in years:
            active = sorted(
                {(successor(code, year), level) for code, first, last, level in spans
                 if dates.holds_in(first, last, year)}
            )  # fmt: skip
            table = ties[year]
            for x, (a, level) in enumerate(active):
                for b, _ in active[x + 1 :]:
                    if a != b and table.get((a, b), 0) < level:
                        table[a, b] = level
    return ties


def _successors(states: StateYears) -> Callable[[str, int], str]:
    """A function (state, year) -> the state, or, in a year after it ended, the state that
    holds its COW code that year (the USSR's 365 is Russia's from 1992)."""
    holders: dict[int, list[tuple[int, int, str]]] = {}
    for code, spans in states.codes.items():
        for first, last, ccode in spans:
            holders.setdefault(ccode, []).append((first, last, code))

    def successor(code: str, year: int) -> str:
        last = states.spans.get(code, (None, None))[1]
        if last is None or year <= last:
            return code
        for _, _, ccode in states.codes.get(code, []):
            for first, end, holder in holders.get(ccode, []):
                if holder != code and dates.holds_in(first, end, year):
                    return holder
        return code

    return successor


def votes(
    store: ox.Store, first: int, last: int, *, graphs: Sequence[str] | None = None
) -> dict[int, dict[tuple[str, int], int]]:
    """Per year, each state's recorded vote on each roll call: {(state, rcid): category}
    with 0 yes, 1 abstain, 2 no (absences and non-members are missing).

    The ``votes`` query groups the voters of each roll call and vote into one row (about
    15,000 rows for the million votes of the Voeten file), several times faster than a
    row per vote."""
    codes = {iri: code for code, iri in state_years(store).iris.items()}
    by_year: dict[int, dict[tuple[str, int], int]] = {}
    query = queries.library()["votes"]
    result = queries.run(
        store,
        query,
        {"from": str(first), "to": str(last)},
        graphs=list(graphs) if graphs is not None else None,
    )
    for solution in result:
        year, rcid = int(solution["year"].value), int(solution["rcid"].value)
        category = VOTE_LEVELS[solution["how"].value]
        table = by_year.setdefault(year, {})
        for iri in solution["states"].value.split():
            state = codes.get(iri)
            if state is not None:
                table[state, rcid] = category
    return by_year


def capabilities(
    store: ox.Store, first: int, last: int, *, graphs: Sequence[str] | None = None
) -> dict[int, dict[str, float]]:
    """Per year, each state's CINC (from an imported COW NMC)."""
    result: dict[int, dict[str, float]] = {}
    for row in rows(store, "capabilities", graphs, **{"from": first, "to": last}):
        result.setdefault(row["year"], {})[row["code"]] = float(row["cinc"])
    return result
