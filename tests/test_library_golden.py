"""Golden results of the query library on the bundled data.

Every library query is run with its default parameters on a store built from data/ and
its CSV result compared with tests/golden/<name>.csv. After a deliberate change to the
data or to a query, regenerate the golden files and review the diff before committing:

    COOPGRAPH_UPDATE_GOLDEN=1 pytest tests/test_library_golden.py

A golden file must hold true answers: check new rows against data/*.csv by hand.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pytest

from coopgraph import api, queries

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("COOPGRAPH_UPDATE_GOLDEN") == "1"
REGENERATE = "COOPGRAPH_UPDATE_GOLDEN=1 pytest tests/test_library_golden.py"

#: Columns whose value changes with every build (replaced by "*" before comparing).
VOLATILE = {"graphs": {"made"}}

NAMES = sorted(queries.library())


def rows(text: str) -> list[list[str]]:
    """The rows of a CSV text (header first)."""
    return [row for row in csv.reader(io.StringIO(text)) if row]


def normalised(name: str, out: str) -> list[list[str]]:
    """The result's rows with volatile columns masked; sorted when the query has no
    ORDER BY (its row order is then not defined)."""
    table = rows(out)
    header, body = table[0], table[1:]
    masked = [i for i, column in enumerate(header) if column in VOLATILE.get(name, ())]
    body = [[("*" if i in masked else v) for i, v in enumerate(row)] for row in body]
    if not re.search(r"(?i)\bORDER\s+BY\b", re.sub(r"#[^\n]*", "", queries.load(name).text)):
        body.sort()
    return [header, *body]


def as_csv(table: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(table)
    return buffer.getvalue()


def run(store_path: Path, name: str, params: dict[str, str] | None = None) -> str:
    return api.query(store_path, queries.load(name), params or {}, "csv")


def records(store_path: Path, name: str, params: dict[str, str] | None = None) -> list[dict]:
    return list(csv.DictReader(io.StringIO(run(store_path, name, params))))


# ------------------------------------------------------------------------- the library


def test_library_has_at_least_25_documented_queries():
    library = queries.library()
    assert len(library) >= 25, sorted(library)
    for name, q in library.items():
        assert q.title, f"{name}: no '# title:' line"
        assert len(q.description) >= 40, f"{name}: no one-paragraph '# description:'"
        for param in q.params.values():
            assert param.help, f"{name}: parameter {param.name} has no help text"
            assert param.default, f"{name}: parameter {param.name} has no default"
            queries.bind(q, {})  # every default is a valid value of its kind
        body = re.sub(r"#[^\n]*", "", q.text)
        for param in q.params:
            assert re.search(rf"[?$]{param}\b", body), f"{name}: ?{param} is never used"


def test_every_golden_file_belongs_to_a_query():
    stray = sorted(p.stem for p in GOLDEN.glob("*.csv") if p.stem not in NAMES)
    assert not stray, f"golden files without a query: {stray}"


@pytest.mark.parametrize("name", NAMES)
def test_query_matches_golden(bundled_store, name):
    table = normalised(name, run(bundled_store, name))
    path = GOLDEN / f"{name}.csv"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(as_csv(table), encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}; write it with: {REGENERATE}"
    expected = rows(path.read_text(encoding="utf-8"))
    if table != expected:
        got, want = as_csv(table).splitlines(), as_csv(expected).splitlines()
        first = next(
            (i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b),
            min(len(got), len(want)),
        )
        pytest.fail(
            f"{name}: result differs from tests/golden/{name}.csv at line {first + 1}\n"
            f"  expected: {want[first] if first < len(want) else '<end>'}\n"
            f"  got:      {got[first] if first < len(got) else '<end>'}\n"
            f"  ({len(got) - 1} rows, golden {len(want) - 1}). If the change is intended, "
            f"regenerate and review the diff: {REGENERATE}",
            pytrace=False,
        )


def test_new_queries_answer_something_with_their_defaults(bundled_store):
    empty = {"capabilities", "votes"}  # imported datasets, not in the bundled data
    for name in NAMES:
        if name not in empty:
            assert len(rows(run(bundled_store, name))) > 1, f"{name} is empty by default"


# ------------------------------------------------------- known answers, other parameters


def test_warsaw_pact_members_in_1968(bundled_store):
    members = records(
        bundled_store, "alliance-members-in-year", {"alliance": "WARSAW-PACT", "year": "1968"}
    )
    # data/memberships.csv: the seven to 1990-91, and Albania, which left on 1968-09-13
    assert sorted(r["code"] for r in members) == [
        "ALB", "BGR", "CSK", "DDR", "HUN", "POL", "ROU", "SUN",
    ]  # fmt: skip
    sizes = {
        r["year"]: r
        for r in records(
            bundled_store,
            "alliance-size-over-time",
            {"alliance": "WARSAW-PACT", "from": "1955", "to": "1992"},
        )
    }
    assert (sizes["1968"]["members_in_year"], sizes["1968"]["members_31_december"]) == ("8", "7")
    assert (sizes["1990"]["members_in_year"], sizes["1990"]["members_31_december"]) == ("7", "6")
    assert (sizes["1991"]["members_in_year"], sizes["1991"]["members_31_december"]) == ("6", "0")
    assert sizes["1992"]["members_in_year"] == "0"


def test_nato_members_on_the_default_date_match_the_data(bundled_store):
    expected = set()
    with (Path(__file__).resolve().parent.parent / "data" / "memberships.csv").open() as f:
        for row in csv.DictReader(f):
            if row["organisation"] == "NATO" and row["start"] <= "1999-07-01":
                expected.add(row["nation"])
    got = {r["code"] for r in records(bundled_store, "alliance-members")}
    assert got == expected and len(got) == 19


def test_states_in_nato_and_seato(bundled_store):
    both = records(bundled_store, "dual-memberships", {"other": "SEATO", "date": "1960-01-01"})
    assert [r["code"] for r in both] == ["FRA", "GBR", "USA"]


def test_nato_enlargements_1999_2004(bundled_store):
    changes = records(
        bundled_store,
        "alliance-changes",
        {"alliance": "NATO", "from": "1999-01-01", "to": "2004-12-31"},
    )
    assert {r["change"] for r in changes} == {"joined"}
    assert [r["code"] for r in changes] == [
        "CZE", "HUN", "POL", "BGR", "EST", "LTU", "LVA", "ROU", "SVK", "SVN",
    ]  # fmt: skip


def test_top_three_in_isaf(bundled_store):
    top = records(bundled_store, "top-troop-contributors", {"top": "3"})
    assert [(r["rank"], r["code"], r["peak_troops"]) for r in top] == [
        ("1", "USA", "90000"),
        ("2", "GBR", "9500"),
        ("3", "DEU", "5000"),
    ]


def test_germany_codes_and_capital(bundled_store):
    codes = records(bundled_store, "nation-codes")
    cow = [(r["code"], r["from_year"], r["to_year"]) for r in codes if r["scheme"] == "cow"]
    assert cow == [("260", "1955", "1990"), ("255", "1990", "")]
    assert ("wikidata", "Q183") in {(r["scheme"], r["code"]) for r in codes}

    def capital(year: str) -> str:
        found = records(bundled_store, "capitals-in-box", {"year": year})
        return next(r["capital"] for r in found if r["code"] == "DEU")

    assert capital("1985") == "Bonn"
    assert capital("2000") == "Berlin"


def test_operations_led_by_a_nation(bundled_store):
    ops = records(bundled_store, "operations-led-by", {"leader": "FRA"})
    assert [r["operation_id"] for r in ops] == ["SERVAL", "BARKHANE"]


def test_states_without_a_capital(bundled_store):
    # the 17 states without a Wikidata ID but Zanzibar, which has a capital
    no_capital = {
        r["code"] for r in records(bundled_store, "states-missing-code", {"scheme": "capital"})
    }
    no_wikidata = {r["code"] for r in records(bundled_store, "states-missing-code")}
    assert no_capital == no_wikidata - {"ZAN"}
    assert records(bundled_store, "states-missing-code", {"scheme": "nope"}) == []


def test_partial_memberships_in_1986(bundled_store):
    statuses = records(bundled_store, "membership-statuses-in-year", {"year": "1986"})
    assert [(r["alliance_id"], r["code"], r["status"]) for r in statuses] == [
        ("ADEC", "EGY", "not-participating"),
        ("ANZUS", "NZL", "obligations-suspended"),
        ("NATO", "FRA", "outside-integrated-command"),
    ]
