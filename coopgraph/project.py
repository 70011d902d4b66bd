"""The one boundary between RDF and networkx: layers of the graph as of a year.

Every layer runs one named query from the library (``memberships-in-year``,
``aid-flows-in-year``, ``participations-in-year``) and turns its rows into a plain networkx
graph; no other module turns RDF into networkx. Nodes are nations keyed by their
coopgraph id (ISO 3166-1 alpha-3, or the former code of a dissolved state).

The year mode is DESIGN.md's "in a year": a fact counts when it holds on any day of the
year, as the COW and ATOP dyad-year files count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import networkx as nx
import pyoxigraph as ox

from coopgraph import queries
from coopgraph.namespace import CG

CG_NS = str(CG._NS)

#: Edge weight per commitment type, as Signorino and Ritter (1999) code alliance ties:
#: defence pact 3, neutrality or non-aggression 2, entente or consultation 1.
COMMITMENT_WEIGHTS: dict[str, float] = {
    "defence": 3.0,
    "neutrality": 2.0,
    "entente": 1.0,
    "collective-security": 1.0,
}

_XSD = "http://www.w3.org/2001/XMLSchema#"
#: Literal datatype -> the function that gives its Python value (others stay strings).
_FROM_LITERAL = {
    ox.NamedNode(_XSD + "integer"): int,
    ox.NamedNode(_XSD + "decimal"): Decimal,
    ox.NamedNode(_XSD + "date"): dt.date.fromisoformat,
    ox.NamedNode(_XSD + "boolean"): "true".__eq__,
}


def _python(term: Any) -> Any:
    """A pyoxigraph term as a Python value (int, Decimal, date, bool, str).

    >>> _python(ox.Literal("1999-03-12", datatype=ox.NamedNode(_XSD + "date")))
    datetime.date(1999, 3, 12)
    >>> _python(ox.Literal("true", datatype=ox.NamedNode(_XSD + "boolean"))), _python(None)
    (True, None)
    """
    kind = type(term)
    if kind is ox.Literal:
        convert = _FROM_LITERAL.get(term.datatype)
        return convert(term.value) if convert else term.value
    if kind is ox.NamedNode:
        return term.value
    if term is None:
        return None
    return str(term)


def rows(
    store: ox.Store, name: str, graphs: Sequence[str] | None = None, **params: object
) -> list[dict[str, Any]]:
    """The rows of a library SELECT query as dicts of Python values, over the union of
    ``graphs`` (named graph IRIs; all graphs when None)."""
    query = queries.library()[name]
    result = queries.run(
        store,
        query,
        {k: str(v) for k, v in params.items()},
        graphs=list(graphs) if graphs is not None else None,
    )
    variables = [v.value for v in result.variables]
    # a solution iterates over its values in the order of ``variables``
    return [dict(zip(variables, map(_python, solution), strict=True)) for solution in result]


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
            [row for row in found if _in_year(row["start"], row["end"], year)],
            year,
            weights,
            leave,
        )
        for year in range(first, last + 1)
    }


def _in_year(start: dt.date, end: dt.date | None, year: int) -> bool:
    """True when the period from ``start`` to ``end`` (None: still running) touches ``year``.

    >>> _in_year(dt.date(1999, 3, 12), None, 1999), _in_year(dt.date(1955, 5, 14),
    ...     dt.date(1991, 7, 1), 1992)
    (True, False)
    """
    return start.year <= year and (end is None or end.year >= year)


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
    if not start.year <= year <= end.year:
        return 0.0
    return 1.0 / (end.year - start.year + 1)


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
        end = row.get("end") or row["start"]
        fiscal = row.get("fiscal_year")
        years = (
            [int(str(fiscal)[:4])] if fiscal else range(row["start"].year, end.year + 1)
        )  # the years year_share gives a share to
        for year in years:
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
            if not _in_year(row["start"] or row["op_start"], row["end"] or row["op_end"], year):
                continue
            graph.add_node(row["code"], label=row["nation"], iri=row["state"], kind="nation")
            members.setdefault(row["operation_id"], set()).add(row["code"])
        _tie_co_members(graph, members, lambda _: 1.0, "operations")
        layers[year] = graph
    return layers


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


def _when(row: Mapping[str, Any], start: str = "start", end: str = "end") -> str:
    first = row.get(start)
    last = row.get(end)
    if first and last:
        return f"from {first} to {last}"
    if first:
        return f"since {first}"
    return ""


def cooperation_graph(
    store: ox.Store, year: int, *, graphs: Sequence[str] | None = None
) -> nx.MultiDiGraph:
    """Nations, alliances and operations of ``year`` with their facts as edges (for HTML).

    Node attribute ``kind`` is ``nation``, ``alliance`` or ``operation``; edge attribute
    ``relation`` is ``member of``, ``took part in`` or ``aid to``; every edge carries
    ``fact`` (a sentence stating it with its dates) and ``source`` (title and URL).
    """
    graph = nx.MultiDiGraph(year=year)
    for row in rows(store, "memberships-in-year", graphs, year=year):
        graph.add_node(row["code"], label=row["nation"], kind="nation", iri=row["state"])
        graph.add_node(
            row["alliance_id"],
            label=row["alliance_name"],
            kind="alliance",
            iri=row["alliance"],
            detail=f"{row['commitment']} commitment",
        )
        fact = f"{row['nation']} was a member of {row['alliance_name']} {_when(row)}"
        if row["statuses"]:
            fact += f" ({row['statuses']})"
        graph.add_edge(
            row["code"],
            row["alliance_id"],
            relation="member of",
            fact=fact,
            source=f"{row['source']} <{row['source_url']}>",
        )
    for row in rows(store, "participations-in-year", graphs, year=year):
        graph.add_node(row["code"], label=row["nation"], kind="nation", iri=row["state"])
        graph.add_node(
            row["operation_id"],
            label=row["operation_name"],
            kind="operation",
            iri=row["operation"],
            detail=f"{row['kind']} operation {_when(row, 'op_start', 'op_end')}",
        )
        fact = f"{row['nation']} took part in {row['operation_name']} as {row['role']}"
        when = _when(row)
        if when:
            fact += f" {when}"
        if row["peak_troops"] is not None:
            fact += f"; peak {row['peak_troops']:,} troops"
            if row["peak_troops_date"]:
                fact += f" on {row['peak_troops_date']}"
        graph.add_edge(
            row["code"],
            row["operation_id"],
            relation="took part in",
            fact=fact,
            source=f"{row['source']} <{row['source_url']}>",
        )
    for row in rows(store, "aid-flows-in-year", graphs, year=year):
        if row["fiscal_year"] and year_share(row, year) == 0.0:
            continue
        graph.add_node(row["donor_code"], label=row["donor_name"], kind="nation", iri=row["donor"])
        graph.add_node(
            row["recipient_code"], label=row["recipient_name"], kind="nation", iri=row["recipient"]
        )
        what = row["programme"] or row["type"]
        fact = f"{row['donor_name']} to {row['recipient_name']}: {row['type']} ({what})"
        if row["fiscal_year"]:
            fact += f", fiscal year {row['fiscal_year']}"
        else:
            fact += f", {_when(row)}"
        if row["amount"] is not None:
            fact += f", {float(row['amount']):,.0f} {row['unit']}"
            if row["figure"]:
                fact += f" ({row['figure']}{', estimate' if row['estimate'] else ''})"
        if row["note"]:
            fact += f". {row['note']}"
        graph.add_edge(
            row["donor_code"],
            row["recipient_code"],
            relation="aid to",
            fact=fact,
            amount=float(row["amount"]) * year_share(row, year)
            if row["amount"] is not None and row["unit"] == "USD"
            else 0.0,
            source=f"{row['source']} <{row['source_url']}>",
        )
    return graph


# ------------------------------------------------------------------ alignment inputs

#: Tie level of a shared alliance by commitment, for alliance portfolios (Signorino and
#: Ritter 1999: defence 3, neutrality or non-aggression 2, entente 1, none 0).
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
            s
            for s, (first, last) in self.spans.items()
            if (first is None or first <= year) and (last is None or last >= year)
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
                 if (first is None or first <= year) and (last is None or last >= year)}
            )  # fmt: skip
            table = ties[year]
            for x, (a, level) in enumerate(active):
                for b, _ in active[x + 1 :]:
                    if a != b and table.get((a, b), 0) < level:
                        table[a, b] = level
    return ties


def _successors(states: StateYears):
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
                if holder != code and first <= year <= end:
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


# ------------------------------------------------------------------ history (HTML views)

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip


def say_date(day: dt.date | None, precision: str | None = "day") -> str:
    """A date as a sentence says it, at its precision ("on 12 March 1999", "in March 1999",
    "in 1999"); empty when unknown.

    >>> say_date(dt.date(1999, 3, 12)), say_date(dt.date(2001, 10, 1), "month")
    ('on 12 March 1999', 'in October 2001')
    >>> say_date(dt.date(1949, 12, 31), "year")
    'in 1949'
    """
    if day is None:
        return ""
    if precision == "year":
        return f"in {day.year}"
    if precision == "month":
        return f"in {_MONTHS[day.month - 1]} {day.year}"
    return f"on {day.day} {_MONTHS[day.month - 1]} {day.year}"


def _short(name: str, code: str) -> str:
    """An organisation's name with its id where the id adds something ("... (NATO)")."""
    return name if code.upper() in name.upper() else f"{name} ({code})"


def _years(start: dt.date | None, end: dt.date | None) -> tuple[int | None, int | None]:
    return (start.year if start else None, end.year if end else None)


RELATIONS = ("member of", "took part in", "aid to")


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
    capitals = _capitals(store, last)

    def nation(code: str, label: str, iri: str) -> None:
        if code not in history:
            history.add_node(code, kind="nation", label=label, iri=iri, detail="nation")
            if code in capitals:
                name, lat, lon = capitals[code]
                history.nodes[code].update(lat=lat, lon=lon, detail=f"nation; capital {name}")

    span = {"from": first, "to": last}
    wanted = {name: name in relations for name in RELATIONS}
    for row in rows(store, "memberships-in-span", graphs, **span) if wanted["member of"] else []:
        nation(row["code"], row["nation"], row["state"])
        alliance = row["alliance_id"]
        history.add_node(
            alliance,
            kind="alliance",
            label=row["alliance_name"],
            iri=row["alliance"],
            commitment=row["commitment"],
            detail=f"alliance; {row['commitment']} commitment",
        )
        name = _short(row["alliance_name"], alliance)
        fact = f"{row['nation']} joined the {name} {say_date(row['start'], row['start_precision'])}"
        if row["end"]:
            fact += f" and left it {say_date(row['end'], row['end_precision'])}"
        fact += "."
        if row["statuses"]:
            fact += f" Partial or suspended: {row['statuses']}."
        history.add_edge(
            row["code"],
            alliance,
            relation="member of",
            fact=fact,
            source=row["source"],
            source_url=row["source_url"],
            start=row["start"].isoformat(),
            end=row["end"].isoformat() if row["end"] else None,
        )
    participations = wanted["took part in"]
    precision = {
        row["fact"]: (row["start_precision"], row["end_precision"])
        for row in (rows(store, "date-precisions", graphs) if participations else [])
    }
    for row in rows(store, "participations-in-span", graphs, **span) if participations else []:
        nation(row["code"], row["nation"], row["state"])
        operation = row["operation_id"]
        op_start_p, op_end_p = precision.get(row["operation"], ("day", "day"))
        op_when = f"from {say_date(row['op_start'], op_start_p)[3:]}"
        if row["op_end"]:
            op_when += f" to {say_date(row['op_end'], op_end_p)[3:]}"
        history.add_node(
            operation,
            kind="operation",
            label=row["operation_name"],
            iri=row["operation"],
            place=row["place"],
            detail=f"{row['kind']} operation {op_when}",
        )
        start_p, end_p = precision.get(row["participation"], ("day", "day"))
        start, end = row["start"] or row["op_start"], row["end"] or row["op_end"]
        if row["start"] is None:
            start_p = op_start_p
        if row["end"] is None:
            end_p = op_end_p
        name = _short(row["operation_name"], operation)
        fact = f"{row['nation']} took part in {name} as {row['role']}"
        if row["start"] is None and row["end"] is None:
            fact += f" (the operation ran {op_when})"
        else:
            fact += f" from {say_date(start, start_p)[3:]}"
            if end is not None:
                fact += f" to {say_date(end, end_p)[3:]}"
        if row["peak_troops"] is not None:
            fact += f"; at its peak {row['peak_troops']:,} troops"
            if row["peak_troops_date"]:
                fact += f" ({say_date(row['peak_troops_date'])[3:]})"
        fact += "."
        if row["note"]:
            fact += f" {row['note']}"
        history.add_edge(
            row["code"],
            operation,
            relation="took part in",
            fact=fact,
            source=row["source"],
            source_url=row["source_url"],
            start=start.isoformat(),
            end=end.isoformat() if end else None,
        )
    summed: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for row in rows(store, "aid-flows-in-span", graphs, **span) if wanted["aid to"] else []:
        donor, recipient = row["donor_code"], row["recipient_code"]
        nation(donor, row["donor_name"], row["donor"])
        nation(recipient, row["recipient_name"], row["recipient"])
        if row["amount"] is None:
            what = row["programme"] or row["type"]
            fact = f"{row['donor_name']} to {row['recipient_name']}: {row['type']} ({what})"
            fact += f" {_when(row)}."
            if row["note"]:
                fact += f" {row['note']}"
            history.add_edge(
                donor,
                recipient,
                relation="aid to",
                fact=fact,
                source=row["source"],
                source_url=row["source_url"],
                start=row["start"].isoformat(),
                end=row["end"].isoformat() if row["end"] else None,
            )
            continue
        key = (donor, recipient, row["unit"], row["source"])
        edge = summed.setdefault(
            key,
            {
                "relation": "aid to",
                "source": row["source"],
                "source_url": row["source_url"],
                "unit": row["unit"],
                "amounts": {},
                "types": [],
                "fact": f"{row['donor_name']} gave {row['recipient_name']} military aid",
            },
        )
        fiscal = row.get("fiscal_year")
        end = row.get("end") or row["start"]
        years = [int(str(fiscal)[:4])] if fiscal else range(row["start"].year, end.year + 1)
        for year in years:
            share = year_share(row, year)
            if share and first <= year <= last:
                edge["amounts"][year] = (
                    edge["amounts"].get(year, 0.0) + float(row["amount"]) * share
                )
        if row["type"] not in edge["types"]:
            edge["types"].append(row["type"])
    for (donor, recipient, _unit, _source), edge in sorted(summed.items()):
        if not edge["amounts"]:
            continue
        years = sorted(edge["amounts"])
        edge.update(
            start=f"{years[0]}-01-01", end=f"{years[-1]}-12-31", types=sorted(edge["types"])
        )
        history.add_edge(donor, recipient, **edge)
    for _, _, data in history.edges(data=True):
        data["first"], data["last"] = _years(
            dt.date.fromisoformat(data["start"]) if data["start"] else None,
            dt.date.fromisoformat(data["end"]) if data["end"] else None,
        )
    _place_organisations(history)
    return history


def _capitals(store: ox.Store, year: int) -> dict[str, tuple[str, float, float]]:
    """State -> (capital, lat, lon): the capital of ``year``, else the latest one."""
    found: dict[str, tuple[int, str, float, float]] = {}
    for row in rows(store, "capitals"):
        first, last = row["from"] or 0, row["to"] or 9999
        rank = 10000 if first <= year <= last else last  # the year's capital wins
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
            if not amounts.get(year):
                continue
        elif not (
            (data["first"] is None or data["first"] <= year)
            and (data["last"] is None or data["last"] >= year)
        ):
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
