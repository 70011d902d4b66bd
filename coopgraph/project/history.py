"""Cooperation histories: every fact of a span of years as a dated edge, for the HTML views.

``cooperation_history`` gathers memberships, participations and aid from ``first`` to
``last`` into one graph whose edges carry their dates and a sentence saying them (worded
by ``coopgraph.outputs.facts``); ``active`` cuts the facts of one year out of it and
``history_alliance_layer`` the alliance layer of that year.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

import networkx as nx
import pyoxigraph as ox

from coopgraph import dates
from coopgraph.outputs import facts
from coopgraph.project.layers import (
    COMMITMENT_WEIGHTS,
    _tie_co_members,
    flow_years,
    participation_dates,
    year_share,
)
from coopgraph.project.rows import rows

RELATIONS = ("member of", "took part in", "aid to")

#: Adds a nation node (code, label, IRI) to a history unless it is there.
AddNation = Callable[[str, str, str], None]


def cooperation_history(
    store: ox.Store,
    first: int,
    last: int,
    *,
    graphs: Sequence[str] | None = None,
    relations: Collection[str] = RELATIONS,
) -> nx.MultiDiGraph:
    """Every fact active at any time from ``first`` to ``last``, each an edge with its dates.

    The graph the year-by-year HTML views are drawn from (one file holds every year, the
    page shows a year by filtering on the dates). Nodes: ``kind`` (``nation``,
    ``alliance``, ``operation``), ``label``, ``iri``, ``detail``; nations with a capital
    have ``lat`` and ``lon`` (the capital of ``last``, or the latest one), alliances a
    ``commitment``, operations their ``place``. Edges: ``relation`` (``member of``,
    ``took part in``, ``aid to``), ``fact`` (a sentence with the dates: "Poland joined
    the North Atlantic Treaty Organization (NATO) on 12 March 1999"), ``source`` and
    ``source_url``, ``start`` and ``end`` (ISO dates or None) and ``first`` and
    ``last``, the years it holds in (None: open). Aid with an amount is summed per donor,
    recipient, unit and source into one edge whose ``amounts`` maps each year to its
    amount in ``unit`` (shares as ``year_share`` gives them) and ``types`` lists the aid
    types; aid without an amount stays one edge per record. ``relations`` limits the
    facts to those relations (and the queries run to theirs).
    """
    history = nx.MultiDiGraph(first=first, last=last)
    nation = functools.partial(_add_nation, history, _capitals(store, last))
    span = {"from": first, "to": last}
    if "member of" in relations:
        _add_memberships(history, nation, rows(store, "memberships-in-span", graphs, **span))
    if "took part in" in relations:
        precision = {
            row["fact"]: (row["start_precision"], row["end_precision"])
            for row in rows(store, "date-precisions", graphs)
        }
        found = rows(store, "participations-in-span", graphs, **span)
        _add_participations(history, nation, found, precision)
    if "aid to" in relations:
        found = rows(store, "aid-flows-in-span", graphs, **span)
        _add_aid(history, nation, found, first, last)
    for _, _, data in history.edges(data=True):
        data["first"], data["last"] = _year(data["start"]), _year(data["end"])
    _place_organisations(history)
    return history


def _year(iso: str | None) -> int | None:
    return dt.date.fromisoformat(iso).year if iso else None


def _add_nation(
    history: nx.MultiDiGraph,
    capitals: Mapping[str, tuple[str, float, float]],
    code: str,
    label: str,
    iri: str,
) -> None:
    """Add a nation node the first time it is met, at its capital where it has one."""
    if code in history:
        return
    capital = capitals.get(code)
    detail = facts.nation_detail(capital[0] if capital else None)
    history.add_node(code, kind="nation", label=label, iri=iri, detail=detail)
    if capital:
        history.nodes[code].update(lat=capital[1], lon=capital[2])


def _fact_edge(
    relation: str, fact: str, row: Mapping[str, Any], start: dt.date, end: dt.date | None
) -> dict[str, Any]:
    """The attributes of one fact's edge: relation, sentence, source and ISO dates."""
    return {
        "relation": relation,
        "fact": fact,
        "source": row["source"],
        "source_url": row["source_url"],
        "start": start.isoformat(),
        "end": end.isoformat() if end else None,
    }


def _add_memberships(
    history: nx.MultiDiGraph, nation: AddNation, found: Iterable[Mapping[str, Any]]
) -> None:
    """A ``member of`` edge per membership (``memberships-in-span`` rows), nation to
    alliance."""
    for row in found:
        nation(row["code"], row["nation"], row["state"])
        alliance = row["alliance_id"]
        history.add_node(
            alliance,
            kind="alliance",
            label=row["alliance_name"],
            iri=row["alliance"],
            commitment=row["commitment"],
            detail=facts.alliance_detail(row["commitment"]),
        )
        fact = facts.membership_fact(row)
        edge = _fact_edge("member of", fact, row, row["start"], row["end"])
        history.add_edge(row["code"], alliance, **edge)


def _add_participations(
    history: nx.MultiDiGraph,
    nation: AddNation,
    found: Iterable[Mapping[str, Any]],
    precision: Mapping[str, tuple[str, str]],
) -> None:
    """A ``took part in`` edge per participation (``participations-in-span`` rows), nation
    to operation; ``precision`` gives each fact's (start, end) precision (``day`` when it
    has none). A participation without dates of its own takes its operation's."""
    for row in found:
        nation(row["code"], row["nation"], row["state"])
        operation = row["operation_id"]
        op_start_p, op_end_p = precision.get(row["operation"], ("day", "day"))
        ran = facts.span_words(row["op_start"], op_start_p, row["op_end"], op_end_p)
        history.add_node(
            operation,
            kind="operation",
            label=row["operation_name"],
            iri=row["operation"],
            place=row["place"],
            detail=facts.operation_detail(row["kind"], ran),
        )
        start_p, end_p = precision.get(row["participation"], ("day", "day"))
        if row["start"] is None:
            start_p = op_start_p
        if row["end"] is None:
            end_p = op_end_p
        start, end = participation_dates(row)
        fact = facts.participation_fact(row, ran, start, start_p, end, end_p)
        history.add_edge(
            row["code"], operation, **_fact_edge("took part in", fact, row, start, end)
        )


def _add_aid(
    history: nx.MultiDiGraph,
    nation: AddNation,
    found: Iterable[Mapping[str, Any]],
    first: int,
    last: int,
) -> None:
    """``aid to`` edges, donor to recipient (``aid-flows-in-span`` rows): one per record
    without an amount; records with amounts summed per donor, recipient, unit and source
    into one edge with the amount of each year of ``first``..``last``."""
    summed: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for row in found:
        donor, recipient = row["donor_code"], row["recipient_code"]
        nation(donor, row["donor_name"], row["donor"])
        nation(recipient, row["recipient_name"], row["recipient"])
        if row["amount"] is None:
            fact = facts.aid_record_fact(row)
            history.add_edge(
                donor, recipient, **_fact_edge("aid to", fact, row, row["start"], row["end"])
            )
        else:
            _sum_aid(summed, row, first, last)
    for (donor, recipient, _unit, _source), edge in sorted(summed.items()):
        if not edge["amounts"]:
            continue
        years = sorted(edge["amounts"])
        edge.update(
            start=f"{years[0]}-01-01", end=f"{years[-1]}-12-31", types=sorted(edge["types"])
        )
        history.add_edge(donor, recipient, **edge)


def _sum_aid(
    summed: dict[tuple[str, str, str, str], dict[str, Any]],
    row: Mapping[str, Any],
    first: int,
    last: int,
) -> None:
    """Add one aid record with an amount to its (donor, recipient, unit, source) sum: its
    shares of the years ``first``..``last`` (``year_share``) and its aid type."""
    key = (row["donor_code"], row["recipient_code"], row["unit"], row["source"])
    edge = summed.setdefault(
        key,
        {
            "relation": "aid to",
            "source": row["source"],
            "source_url": row["source_url"],
            "unit": row["unit"],
            "amounts": {},
            "types": [],
            "fact": facts.aid_sum_fact(row),
        },
    )
    for year in flow_years(row):
        share = year_share(row, year)
        if share and first <= year <= last:
            edge["amounts"][year] = edge["amounts"].get(year, 0.0) + float(row["amount"]) * share
    if row["type"] not in edge["types"]:
        edge["types"].append(row["type"])


def _capitals(store: ox.Store, year: int) -> dict[str, tuple[str, float, float]]:
    """State -> (capital, lat, lon): the capital of ``year``, else the latest one."""
    found: dict[str, tuple[int, str, float, float]] = {}
    for row in rows(store, "capitals"):
        # the year's capital wins, else the latest (an open end counts as 9999)
        rank = 10000 if dates.holds_in(row["from"], row["to"], year) else (row["to"] or 9999)
        if rank >= found.get(row["code"], (-1,))[0]:
            found[row["code"]] = (rank, row["capital"], float(row["lat"]), float(row["lon"]))
    return {code: (name, lat, lon) for code, (_, name, lat, lon) in found.items()}


def _place_organisations(history: nx.MultiDiGraph) -> None:
    """Coordinates for alliances and operations, for map layouts: an operation at its
    place's capital where known, else (and an alliance always) at the mean position of
    the nations tied to it."""
    for node, data in history.nodes(data=True):
        if data["kind"] == "nation":
            continue
        place = history.nodes.get(data.get("place") or "", {})
        if "lat" in place:
            data["lat"], data["lon"] = place["lat"], place["lon"]
            continue
        points = [
            (history.nodes[n]["lat"], history.nodes[n]["lon"])
            for n in history.predecessors(node)
            if "lat" in history.nodes[n]
        ]
        if points:
            data["lat"] = sum(p[0] for p in points) / len(points)
            data["lon"] = sum(p[1] for p in points) / len(points)


def active(history: nx.MultiDiGraph, year: int) -> nx.MultiDiGraph:
    """The facts of ``history`` that hold at any time in ``year`` (in-year mode), with the
    nodes they tie; an aid edge counts in the years its ``amounts`` name."""
    graph = nx.MultiDiGraph(year=year)
    for u, v, key, data in history.edges(keys=True, data=True):
        amounts = data.get("amounts")
        if amounts is not None:
            holds = bool(amounts.get(year))
        else:
            holds = dates.holds_in(data["first"], data["last"], year)
        if not holds:
            continue
        graph.add_node(u, **history.nodes[u])
        graph.add_node(v, **history.nodes[v])
        graph.add_edge(u, v, key, **data)
    return graph


def history_alliance_layer(
    history: nx.MultiDiGraph, year: int, *, weights: Mapping[str, float] = COMMITMENT_WEIGHTS
) -> nx.Graph:
    """The alliance layer of ``year`` (as ``alliance_layer``) from a history's membership
    edges: nations tied by the alliances they shared in the year, weighted by commitment."""
    graph = nx.Graph(layer="alliances", year=year)
    members: dict[str, set[str]] = {}
    for u, v, data in active(history, year).edges(data=True):
        if data["relation"] == "member of":
            graph.add_node(u, label=history.nodes[u]["label"], kind="nation")
            members.setdefault(v, set()).add(u)
    commitment = {a: history.nodes[a].get("commitment", "") for a in members}
    _tie_co_members(graph, members, lambda a: float(weights.get(commitment[a], 1.0)), None)
    return graph
