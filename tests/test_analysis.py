"""Blocs, aid dependence and what-if questions."""

from __future__ import annotations

import csv
import io

import networkx as nx
import pytest
from click.testing import CliRunner

from coopgraph import api
from coopgraph.cli import main
from coopgraph.errors import UsageError
from coopgraph.metrics import blocs, dependence


def two_triangles() -> nx.Graph:
    G = nx.Graph()
    G.add_weighted_edges_from(
        [("A", "B", 3), ("B", "C", 3), ("A", "C", 3), ("D", "E", 3), ("E", "F", 3),
         ("D", "F", 3), ("C", "D", 1)]
    )  # fmt: skip
    G.add_node("G")  # no ties: a bloc of its own
    return G


@pytest.mark.parametrize("method", blocs.METHODS)
def test_blocs_cover_every_node_once(method):
    G = two_triangles()
    partition = blocs.blocs(G, method=method)
    assert [sorted(p) for p in partition] == [["A", "B", "C"], ["D", "E", "F"], ["G"]]
    members = blocs.membership(partition)
    assert sorted(members) == sorted(G) and members["G"] == 3
    assert blocs.modularity(G, partition) == pytest.approx(
        nx.community.modularity(G, partition, weight="weight")
    )
    assert blocs.blocs(G, method=method) == partition  # the seed makes it reproducible


def test_bloc_changes():
    before = [{"A", "B", "C"}, {"D", "E", "F"}]
    after = [{"A", "B", "C", "D"}, {"E", "F"}]
    assert blocs.changes(before, after) == [("D", 2, 1)]
    assert blocs.changes(before, before) == []


def test_dependence_shares_and_hhi():
    amounts = {("USA", "EGY"): 1300.0, ("RUS", "EGY"): 200.0, ("CHN", "PAK"): 500.0}
    share = dependence.shares(amounts)
    assert share["USA", "EGY"] == pytest.approx(1300 / 1500)
    index = dependence.hhi(amounts)
    assert index["EGY"] == pytest.approx((13 / 15) ** 2 + (2 / 15) ** 2)
    assert index["PAK"] == 1.0


def test_dependence_on_the_fixture(fixture_store):
    rows = api.dependence(fixture_store, 1999, 1999)
    by_recipient = {r["recipient"]: r for r in rows}
    # fixture: US FMF to Israel and IMET to Poland in FY1999, no other donor
    assert by_recipient["ISR"]["amount"] == pytest.approx(1.86e9)
    assert by_recipient["ISR"]["share"] == 1.0 and by_recipient["ISR"]["hhi"] == 1.0
    assert by_recipient["POL"]["donors"] == 1
    with pytest.raises(UsageError, match="aid or the arms"):
        api.dependence(fixture_store, 1999, name="alliances")


def test_whatif_leaving_an_alliance(fixture_store):
    rows = api.whatif(fixture_store, 1999, leave="POL", alliance="NATO")
    strength = {r["code"]: r for r in rows if r["measure"] == "strength"}
    # NATO in 1999 in the fixture: FRA, GBR, POL, USA, each tied to three others (3 each)
    assert strength["POL"]["before"] == 9.0 and strength["POL"]["after"] == 0.0
    assert strength["USA"]["before"] == 9.0 and strength["USA"]["after"] == 6.0
    assert rows[0]["code"] == "POL" and rows[0]["measure"] == "strength"
    assert strength["POL"]["bloc_before"] == strength["USA"]["bloc_before"]
    assert strength["POL"]["bloc_after"] != strength["USA"]["bloc_after"]
    with pytest.raises(UsageError, match="in no alliance"):
        api.whatif(fixture_store, 1999, leave="ISR", alliance="NATO")
    # an alliance the store lacks is named as such, not blamed on the member (issue 20)
    with pytest.raises(UsageError, match="^--from: no alliance or organisation 'ANZUS'"):
        api.whatif(fixture_store, 1999, leave="GBR", alliance="ANZUS")
    with pytest.raises(UsageError, match="'NATOO'.*did you mean NATO "):
        api.whatif(fixture_store, 1999, leave="POL", alliance="NATOO")
    by_name = api.whatif(
        fixture_store, 1999, leave="poland", alliance="north atlantic treaty organization"
    )
    assert by_name == api.whatif(fixture_store, 1999, leave="POL", alliance="NATO")


def test_whatif_stopping_aid(fixture_store):
    rows = api.whatif(fixture_store, 1999, stop_aid="USA")
    pagerank = {r["code"]: r for r in rows if r["measure"] == "pagerank"}
    assert pagerank["ISR"]["after"] < pagerank["ISR"]["before"]


def test_analysis_commands(fixture_store):
    runner = CliRunner()
    store = ["--store", str(fixture_store)]
    out = runner.invoke(main, [*store, "blocs", "--year", "1999", "--format", "csv"])
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.output)))
    nato = {r["code"] for r in rows if r["bloc"] == "1"}
    assert nato == {"FRA", "GBR", "POL", "USA"}
    assert {r["code"] for r in rows} == {"FRA", "GBR", "ISR", "POL", "USA"}  # ISR alone
    changed = runner.invoke(main, [*store, "blocs", "--changes", "1998", "1999"])
    assert changed.exit_code == 0 and "POL" in changed.output  # Poland joined NATO in 1999
    dep = runner.invoke(main, [*store, "dependence", "--from", "1999", "--recipient", "ISR"])
    assert dep.exit_code == 0 and "ISR" in dep.output
    what = runner.invoke(main, [*store, "whatif", "--year", "1999", "--leave", "POL"])
    assert what.exit_code == 2 and "go together" in what.output
    nothing = runner.invoke(main, [*store, "blocs"])
    assert nothing.exit_code == 2


def test_metrics_as_of_a_date_and_over_a_window(fixture_store):
    import datetime as dt

    def codes(day):
        rows = api.metrics(fixture_store, 1999, ["alliances"], date=dt.date.fromisoformat(day))
        return {r["code"] for r in rows}

    # Poland joined NATO on 12 March 1999: not yet a member the day before
    assert codes("1999-03-11") == {"FRA", "GBR", "USA"}
    assert codes("1999-03-12") == {"FRA", "GBR", "POL", "USA"}
    # the fixture's aid is fiscal year 1999 only: 2000 alone has none, a 2-year window has it
    assert api.metrics(fixture_store, 2000, ["aid"]) == []
    windowed = api.metrics(fixture_store, 2000, ["aid"], window=2)
    assert {r["code"]: r["strength"] for r in windowed}["ISR"] == pytest.approx(1860.0)
    with pytest.raises(UsageError, match="window"):
        api.metrics(fixture_store, 2000, ["aid"], window=0)


def test_alliance_weights_are_configurable(fixture_store):
    def strength(**kw):
        rows = api.metrics(fixture_store, 1999, ["alliances"], **kw)
        return {r["code"]: r["strength"] for r in rows}["USA"]

    assert strength() == 9.0  # three NATO allies, defence 3 each
    assert strength(weights={"defence": 1.0}) == 3.0
    with pytest.raises(UsageError, match="unknown commitment 'offence'"):
        strength(weights={"offence": 2.0})


def test_aidalign_without_votes_gives_the_aid(fixture_store):
    rows = api.aidalign(fixture_store, "USA", 1998, 2000)
    by_key = {(r["recipient"], r["year"]): r for r in rows}
    # fiscal year 1999: FMF to Israel, IMET to Poland; no UN votes imported in the fixture
    assert by_key["ISR", 1999]["aid"] == pytest.approx(1.86e9)
    assert by_key["ISR", 1999]["event"] == "start" and by_key["ISR", 1999]["kappa"] is None
    assert by_key["ISR", 1999]["donor_share"] == 1.0
    assert ("ISR", 1998) not in by_key  # no aid and no votes: no row
    with pytest.raises(UsageError, match="--donor: no state 'XXX'"):
        api.aidalign(fixture_store, "XXX", 1999, 1999)


def test_aid_alignment_charts(tmp_path):
    from coopgraph.outputs import charts

    rows = [
        {"recipient": "EGY", "recipient_name": "Egypt", "aid": 1.3e9, "kappa": -0.1},
        {"recipient": "XSS", "recipient_name": "<img src=x onerror=alert(1)>", "aid": 5e6,
         "kappa": 0.4},
        {"recipient": "CUB", "recipient_name": "Cuba", "aid": 0.0, "kappa": -0.5},
    ]  # fmt: skip
    points = charts.aid_alignment_points(rows)
    assert [p.code for p in points] == ["EGY", "XSS"]  # Cuba received no aid
    page = tmp_path / "chart.html"
    assert api.aidalign_plot(rows, page, donor="USA", first=1990, last=2015) == 2
    text = page.read_text()
    assert "<img" not in text and "&lt;img src=x" in text  # labels are escaped
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    png = tmp_path / "chart.png"
    api.aidalign_plot(rows, png, donor="USA", first=1990, last=2015)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(UsageError, match=".html or a .png"):
        api.aidalign_plot(rows, tmp_path / "chart.pdf", donor="USA", first=1990, last=2015)
