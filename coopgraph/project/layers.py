"""The layers of the graph as networkx graphs: alliances, aid, arms, operations and votes
per year, and the multiplex of a year's layers.

Every layer runs one named query from the library (``memberships-in-span``,
``memberships-on-date``, ``aid-flows-in-span``, ``participations-in-span``, ``votes``) and
turns its rows into a plain networkx graph. Nodes are nations keyed by their coopgraph id
(ISO 3166-1 alpha-3, or the former code of a dissolved state).

The year mode is DESIGN.md's "in a year" (``dates.holds_in``): a fact counts when it holds
on any day of the year, as the COW and ATOP dyad-year files count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import networkx as nx
import pyoxigraph as ox

from coopgraph import dates
from coopgraph.project.inputs import TIE_LEVELS, state_years, votes
from coopgraph.project.rows import rows

#: Default edge weight of the alliance layer per commitment type: the Signorino-Ritter
#: tie levels (``TIE_LEVELS``: defence 3, neutrality 2, entente 1) as floats.
COMMITMENT_WEIGHTS: dict[str, float] = {
    commitment: float(level) for commitment, level in TIE_LEVELS.items()
}


def alliance_layer(
    store: ox.Store,
    year: int,
    *,
    weights: Mapping[str, float] = COMMITMENT_WEIGHTS,
    graphs: Sequence[str] | None = None,
    leave: Collection[tuple[str, str]] = (),
    date: dt.date | None = None,
) -> nx.Graph:
    """Nations tied by shared alliances in ``year``.

    Nodes: nations (attributes ``label``, ``iri``). An edge joins two states that were
    members of the same alliance at some time in the year; ``weight`` is the sum over
    their shared alliances of the commitment weight (``weights``, by default
    Signorino-Ritter's 3/2/1), ``alliances`` lists the alliance ids. ``graphs`` limits
    the facts to those named graphs (see ``rows``). ``leave`` holds (alliance id, state)
    memberships to leave out, for what-if questions. With ``date`` the layer is the one
    in force on that day (DESIGN.md's as-of mode) instead of in the year.
    """
    if date is not None:
        found = rows(store, "memberships-on-date", graphs, date=date.isoformat())
        return _alliance_graph(found, year, weights, leave, date=date)
    return alliance_layers(store, year, year, weights=weights, graphs=graphs, leave=leave)[year]


def alliance_layers(
    store: ox.Store,
    first: int,
    last: int,
    *,
    weights: Mapping[str, float] = COMMITMENT_WEIGHTS,
    graphs: Sequence[str] | None = None,
    leave: Collection[tuple[str, str]] = (),
) -> dict[int, nx.Graph]:
    """The alliance layer (see ``alliance_layer``) of every year ``first``..``last``, from
    one run of the ``memberships-in-span`` query: a membership belongs to each year from
    its start's to its end's (to ``last`` when it has not ended)."""
    found = rows(store, "memberships-in-span", graphs, **{"from": first, "to": last})
    return {
        year: _alliance_graph(
            [row for row in found if dates.holds_in(row["start"], row["end"], year)],
            year,
            weights,
            leave,
        )
        for year in range(first, last + 1)
    }


def _alliance_graph(
    found: Sequence[Mapping[str, Any]],
    year: int,
    weights: Mapping[str, float],
    leave: Collection[tuple[str, str]],
    *,
    date: dt.date | None = None,
) -> nx.Graph:
    """The alliance layer from its membership rows (in the library queries' order)."""
    members: dict[str, set[str]] = {}
    commitment: dict[str, str] = {}
    graph = nx.Graph(layer="alliances", year=year, date=date)
    for row in found:
        graph.add_node(row["code"], label=row["nation"], iri=row["state"], kind="nation")
        if (row["alliance_id"], row["code"]) in leave:
            continue
        members.setdefault(row["alliance_id"], set()).add(row["code"])
        commitment[row["alliance_id"]] = row["commitment"]
    _tie_co_members(
        graph, members, lambda alliance: float(weights.get(commitment[alliance], 1.0)), "alliances"
    )
    return graph


def _tie_co_members(
    graph: nx.Graph,
    members: Mapping[str, Collection[str]],
    weight: Callable[[str], float],
    listed: str | None,
) -> None:
    """Join every two members of each group (alliance, operation) in ``graph``: a tie's
    ``weight`` sums ``weight(group)`` over the groups they share, and ``listed`` (when
    given) names the edge attribute that lists those groups."""
    for group, nations in sorted(members.items()):
        w = weight(group)
        ordered = sorted(nations)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if graph.has_edge(a, b):
                    graph[a][b]["weight"] += w
                    if listed:
                        graph[a][b][listed].append(group)
                else:
                    graph.add_edge(a, b, weight=w, **({listed: [group]} if listed else {}))


def year_share(row: Mapping[str, Any], year: int) -> float:
    """The share of a flow's amount that falls in ``year``.

    A record counted in a fiscal year (the Greenbook's) belongs wholly to the year it is
    named for; any other record is spread evenly over the calendar years its period
    overlaps (an arms deal delivered 2018-2021 counts a quarter in each year).

    >>> year_share({"fiscal_year": "1999", "start": dt.date(1998, 10, 1),
    ...             "end": dt.date(1999, 9, 30)}, 1999)
    1.0
    >>> year_share({"fiscal_year": None, "start": dt.date(2018, 1, 1),
    ...             "end": dt.date(2021, 12, 31)}, 2019)
    0.25
    """
    fiscal = row.get("fiscal_year")
    if fiscal:
        return 1.0 if str(fiscal) == str(year) else 0.0
    start, end = row["start"], row.get("end") or row["start"]
    if not dates.holds_in(start, end, year):
        return 0.0
    return 1.0 / (end.year - start.year + 1)


def flow_years(row: Mapping[str, Any]) -> Sequence[int]:
    """The years ``year_share`` may give a share of a flow to: its fiscal year, else every
    year from its start to its end (its start's year when it has no end).

    >>> list(flow_years({"fiscal_year": "1999", "start": dt.date(1998, 10, 1)}))
    [1999]
    >>> list(flow_years({"start": dt.date(2018, 1, 1), "end": dt.date(2020, 6, 30)}))
    [2018, 2019, 2020]
    """
    fiscal = row.get("fiscal_year")
    if fiscal:
        return [int(str(fiscal)[:4])]
    end = row.get("end") or row["start"]
    return range(row["start"].year, end.year + 1)


def aid_layer(
    store: ox.Store, year: int, *, unit: str = "USD", graphs: Sequence[str] | None = None
) -> nx.DiGraph:
    """Aid flows of ``year`` as a directed donor -> recipient graph.

    Edge attributes: ``amount`` (the year's share of every flow's amount in ``unit``,
    see ``year_share``), ``amount_constant`` (the same in constant 2020 US dollars, where
    the source gives them: the Greenbook import), ``weight`` (the amount in millions, the
    weight metrics use; SIPRI TIV is already in millions),
    ``flows`` (number of records counted in the year) and ``types`` (aid types). A record
    counts in the years ``year_share`` gives it (its fiscal year; else the years from its
    start to its end, or its start year when it has no end). A record with an amount in
    another unit belongs to that unit's layer and is left out (SIPRI TIV, a volume index,
    never adds to dollars); a pair with only unquantified records (an arms transfer
    without a published value) has an edge of weight 0.
    """
    return aid_layers(store, year, year, unit=unit, graphs=graphs)[year]


def aid_flows(
    store: ox.Store, first: int, last: int, *, graphs: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """The rows of the ``aid-flows-in-span`` query: every aid record active in the span."""
    return rows(store, "aid-flows-in-span", graphs, **{"from": first, "to": last})


def aid_layers(
    store: ox.Store,
    first: int,
    last: int,
    *,
    unit: str = "USD",
    graphs: Sequence[str] | None = None,
    flows: Sequence[Mapping[str, Any]] | None = None,
) -> dict[int, nx.DiGraph]:
    """The aid layer (see ``aid_layer``) of every year ``first``..``last``, from one run of
    the ``aid-flows-in-span`` query (or from ``flows``, that query's rows for a span
    holding this one, so that the aid and arms layers can share one run)."""
    if flows is None:
        flows = aid_flows(store, first, last, graphs=graphs)
    layers = {
        year: nx.DiGraph(layer="aid", year=year, unit=unit) for year in range(first, last + 1)
    }
    for row in flows:
        if row["amount"] is not None and row["unit"] != unit:
            continue
        for year in flow_years(row):
            if year in layers:
                share = year_share(row, year)
                if share:
                    _add_flow(layers[year], row, share, unit)
    return layers


def window_sum(layers: Sequence[nx.DiGraph]) -> nx.DiGraph:
    """Aid layers of several years as one: amounts, weights and record counts summed per
    donor and recipient (a window of years, e.g. five years of arms deliveries)."""
    total = nx.DiGraph(layer=layers[0].graph.get("layer") if layers else "aid")
    for graph in layers:
        total.add_nodes_from(graph.nodes(data=True))
        for d, r, data in graph.edges(data=True):
            if not total.has_edge(d, r):
                total.add_edge(d, r, amount=0.0, amount_constant=0.0, weight=0.0, flows=0,
                               types=[])  # fmt: skip
            edge = total[d][r]
            edge["amount"] += data["amount"]
            edge["amount_constant"] += data.get("amount_constant", 0.0)
            edge["weight"] += data["weight"]
            edge["flows"] += data["flows"]
            edge["types"] += [t for t in data["types"] if t not in edge["types"]]
    return total


def _add_flow(graph: nx.DiGraph, row: Mapping[str, Any], share: float, unit: str) -> None:
    """Add ``share`` of one aid record (a row of ``aid-flows-in-span``) to its donor ->
    recipient edge, creating the nations and the edge when new."""
    d, r = row["donor_code"], row["recipient_code"]
    graph.add_node(d, label=row["donor_name"], iri=row["donor"], kind="nation")
    graph.add_node(r, label=row["recipient_name"], iri=row["recipient"], kind="nation")
    if not graph.has_edge(d, r):
        graph.add_edge(d, r, amount=0.0, amount_constant=0.0, weight=0.0, flows=0, types=[])
    edge = graph[d][r]
    edge["flows"] += 1
    if row.get("amount_constant") is not None:
        edge["amount_constant"] += float(row["amount_constant"]) * share
    if row["type"] not in edge["types"]:
        edge["types"].append(row["type"])
    if row["amount"] is not None and row["unit"] == unit:
        edge["amount"] += float(row["amount"]) * share
        # weights in millions: currencies are stored in units, SIPRI TIV in millions
        edge["weight"] = edge["amount"] / (1.0 if unit == "SIPRI-TIV" else 1e6)


def operations_layer(
    store: ox.Store, year: int, *, graphs: Sequence[str] | None = None
) -> nx.Graph:
    """States tied by taking part in the same operations in ``year`` (co-participation).

    Nodes: nations. An edge joins two participants of an operation active in the year
    (support roles included); ``weight`` is the number of operations they shared, and
    ``operations`` lists their ids.
    """
    return operations_layers(store, year, year, graphs=graphs)[year]


def operations_layers(
    store: ox.Store, first: int, last: int, *, graphs: Sequence[str] | None = None
) -> dict[int, nx.Graph]:
    """The operations layer (see ``operations_layer``) of every year ``first``..``last``,
    from one run of the ``participations-in-span`` query: a participation belongs to each
    year of its own dates, or of its operation's where it has none."""
    found = rows(store, "participations-in-span", graphs, **{"from": first, "to": last})
    layers = {}
    for year in range(first, last + 1):
        graph = nx.Graph(layer="operations", year=year)
        members: dict[str, set[str]] = {}
        for row in found:
            if not dates.holds_in(*participation_dates(row), year):
                continue
            graph.add_node(row["code"], label=row["nation"], iri=row["state"], kind="nation")
            members.setdefault(row["operation_id"], set()).add(row["code"])
        _tie_co_members(graph, members, lambda _: 1.0, "operations")
        layers[year] = graph
    return layers


def participation_dates(row: Mapping[str, Any]) -> tuple[dt.date | None, dt.date | None]:
    """A participation's start and end (a ``participations-in-span`` row): its own, or its
    operation's where the source gives none (a state in the operation throughout)."""
    return row["start"] or row["op_start"], row["end"] or row["op_end"]


def votes_layer(store: ox.Store, year: int, *, graphs: Sequence[str] | None = None) -> nx.Graph:
    """States tied by voting alike in the UN General Assembly in ``year``.

    An edge joins two states that voted on at least one common roll call; ``weight`` is
    the share of their common roll calls on which they cast the same vote (yes, abstain
    or no; absences left out), in [0, 1]; ``n`` the number of common roll calls. Pairs
    that never agreed get no edge.
    """
    graph = nx.Graph(layer="votes", year=year)
    cast = votes(store, year, year, graphs=graphs).get(year, {})
    by_state: dict[str, dict[int, int]] = {}
    for (state, rcid), vote in cast.items():
        by_state.setdefault(state, {})[rcid] = vote
    labels = state_years(store)
    for state in sorted(by_state):
        graph.add_node(
            state,
            label=labels.labels.get(state, state),
            iri=labels.iris.get(state, ""),
            kind="nation",
        )
    states = sorted(by_state)
    for i, a in enumerate(states):
        for b in states[i + 1 :]:
            common = by_state[a].keys() & by_state[b].keys()
            if not common:
                continue
            same = sum(1 for r in common if by_state[a][r] == by_state[b][r])
            if same:
                graph.add_edge(a, b, weight=same / len(common), n=len(common))
    return graph


def multiplex(layers: Mapping[str, nx.Graph]) -> nx.MultiGraph:
    """The layers of one year as one multiplex graph: one edge per layer and pair, keyed
    by the layer's name, with the layer's weight divided by its largest weight (so
    dollars, commitment levels and vote shares become comparable, each in (0, 1])."""
    graph = nx.MultiGraph(layer="multiplex")
    for name, layer_graph in layers.items():
        graph.add_nodes_from(layer_graph.nodes(data=True))
        top = max((d.get("weight", 1.0) for *_, d in layer_graph.edges(data=True)), default=0)
        for a, b, d in layer_graph.edges(data=True):
            weight = d.get("weight", 1.0) / top if top else 0.0
            graph.add_edge(a, b, key=name, weight=weight)
    return graph


def flatten(graph: nx.MultiGraph) -> nx.Graph:
    """A multiplex as a simple graph whose weights are the sums over layers."""
    simple = nx.Graph(layer=graph.graph.get("layer"))
    simple.add_nodes_from(graph.nodes(data=True))
    for a, b, d in graph.edges(data=True):
        if simple.has_edge(a, b):
            simple[a][b]["weight"] += d["weight"]
        else:
            simple.add_edge(a, b, weight=d["weight"])
    return simple
