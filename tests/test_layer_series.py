"""Yearly layers from one query per span are the layers of each year.

``project.alliance_layers`` and ``operations_layers`` select each year's facts in Python
from one run of a ``*-in-span`` query; the ``*-in-year`` library queries select them in
SPARQL. On the bundled data, a sample of years since 1945 must get the same facts both ways, and
``api.layer_series`` the same graphs as ``api.layer`` year by year.
"""

from __future__ import annotations

import networkx as nx
import pytest

from coopgraph import api, dates, project
from coopgraph.project import layers

YEARS = range(1945, 2025)
#: Every eighth year and years of NATO's and the Warsaw Pact's main changes (each
#: ``memberships-in-year`` query takes about half a second on the bundled data).
SAMPLED = sorted({*range(1945, 2025, 8), 1949, 1955, 1966, 1968, 1990, 1991, 1999, 2004, 2024})


def _edges(graph: nx.Graph) -> dict:
    return {frozenset((u, v)): data for u, v, data in graph.edges(data=True)}


def test_memberships_of_each_year_from_the_span(bundled_reader):
    span = project.rows(bundled_reader, "memberships-in-span", **{"from": 1945, "to": 2024})
    assert len(span) > 200
    for year in SAMPLED:
        expected = {
            r["membership"] for r in project.rows(bundled_reader, "memberships-in-year", year=year)
        }
        chosen = {r["membership"] for r in span if dates.holds_in(r["start"], r["end"], year)}
        assert chosen == expected, year


def test_participations_of_each_year_from_the_span(bundled_reader):
    span = project.rows(bundled_reader, "participations-in-span", **{"from": 1945, "to": 2024})
    assert len(span) > 300
    for year in SAMPLED:
        in_year = project.rows(bundled_reader, "participations-in-year", year=year)
        expected = {r["participation"] for r in in_year}
        chosen = {
            r["participation"]
            for r in span
            if dates.holds_in(r["start"] or r["op_start"], r["end"] or r["op_end"], year)
        }
        assert chosen == expected, year


def test_alliance_layers_match_the_layer_built_from_each_years_query(bundled_reader):
    weights = project.COMMITMENT_WEIGHTS
    series = project.alliance_layers(bundled_reader, 1945, 2024)
    assert sorted(series) == list(YEARS)
    for year in (1949, 1955, 1968, 1991, 1999, 2004, 2024):
        found = project.rows(bundled_reader, "memberships-in-year", year=year)
        expected = layers._alliance_graph(found, year, weights, ())
        assert list(series[year].nodes(data=True)) == list(expected.nodes(data=True))
        assert _edges(series[year]) == _edges(expected)
    # NATO's enlargement of 1999: Poland, Hungary and Czechia tied to the United States
    assert not series[1998].has_edge("POL", "USA") and series[1999].has_edge("POL", "USA")


@pytest.mark.parametrize(
    ("name", "store"),
    [
        ("alliances", "bundled_store"),
        ("operations", "bundled_store"),
        # aid and arms share their code; one aid query per year on the bundled data
        # takes about 6 s, so the fixture's aid stands in
        ("aid", "fixture_store"),
    ],
)
def test_layer_series_equals_layer_year_by_year(name, store, request):
    root = request.getfixturevalue(store)
    series = api.layer_series(root, name, 1998, 2002)
    assert sorted(series) == [1998, 1999, 2000, 2001, 2002]
    for year, graph in series.items():
        one = api.layer(root, name, year)
        assert sorted(graph.nodes) == sorted(one.nodes)
        assert _edges(graph) == _edges(one), (name, year)
    assert any(graph.number_of_edges() for graph in series.values())


def test_layer_series_refuses_a_backward_span(bundled_store):
    with pytest.raises(api.UsageError, match="after"):
        api.layer_series(bundled_store, "alliances", 2000, 1990)
