"""The ``sipri`` and ``sipri-tiv`` importers: hand-made fixtures and the real exports."""

from __future__ import annotations

import csv
import gzip
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

import coopgraph.sources.sipri  # noqa: F401  (registers the importers)
from coopgraph import api, ids, store
from coopgraph.errors import CoopgraphError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import" / "sipri"
REGISTER = FIXTURES / "trade-register.csv"
TIV = FIXTURES / "sipri-tiv.csv"
SIPRI = "sipri_arms_transfers"
PREFIX = """PREFIX cg: <https://w3id.org/coopgraph/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sipri") / "s"
    api.build(path)
    return path


def select(root: Path, graph: str, text: str) -> list[dict[str, str]]:
    reader = store.open_reader(root)
    result = reader.query(PREFIX + text, default_graph=[ox.NamedNode(ids.graph(graph))])
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else "") for n in names} for row in result]


def graph_quads(root: Path, graph: str) -> set[str]:
    reader = store.open_reader(root)
    return {str(q) for q in reader.quads_for_pattern(None, None, None, ox.NamedNode(graph))}


# ------------------------------------------------------------------------ fixtures


def test_trade_register_counts(root):
    report = api.import_source(root, "sipri", [REGISTER])
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (9, 7, 2)
    assert report.version == "2025-03-13"
    assert dict(report.unresolved) == {"Hezbollah (Lebanon)*": 1}
    reason = "'Hezbollah (Lebanon)*' is not a state (a non-state actor, organisation or unknown)"
    assert any(r.endswith(f"trade-register.csv:16: {reason}") for r in report.rejected)
    assert any(
        r.endswith("trade-register.csv:22: expected 16 fields, found 7") for r in report.rejected
    )


def test_one_deal(root):
    api.import_source(root, "sipri", [REGISTER])
    flow = ids.fact("arms-deal", "SUN", "AFG", "1985", "Mi-8MT", "1")
    rows = select(root, "sipri", f"SELECT ?p ?o WHERE {{ <{flow}> ?p ?o }}")
    got = {(r["p"].rsplit("#", 1)[-1].rsplit("/", 1)[-1], r["o"]) for r in rows}
    cg = "https://w3id.org/coopgraph/ontology#"
    assert got == {
        ("type", cg + "AidFlow"),
        ("donor", ids.nation("SUN")),
        ("recipient", ids.nation("AFG")),
        ("aidType", cg + "ArmsTransfer"),
        ("programme", "Mi-8MT"),
        ("weaponCategory", "transport helicopter"),
        ("orderYear", "1985"),
        ("deliveryYears", "1986; 1987"),
        ("numberOrdered", "12"),
        ("numberDelivered", "12"),
        ("tivPerUnit", "5.5"),
        ("tivOrder", "66"),
        ("amount", "66"),
        ("unit", cg + "SipriTIV"),
        ("figure", cg + "Delivery"),
        ("startDate", "1986-01-01"),
        ("startPrecision", cg + "Year"),
        ("endDate", "1987-12-31"),
        ("endPrecision", cg + "Year"),
        ("uncertain", "Year of order"),
        ("note", "Aid"),
        ("source", ids.source("sipri-arms-transfers")),
    }


def test_deals_resolved_in_delivery_year_and_numbered(root):
    api.import_source(root, "sipri", [REGISTER])
    query = """SELECT ?f ?start ?end ?amount ?est WHERE { ?f cg:startDate ?start
      OPTIONAL { ?f cg:endDate ?end } OPTIONAL { ?f cg:amount ?amount }
      OPTIONAL { ?f cg:estimate ?est } }"""
    rows = select(root, "sipri", query)
    by_flow = {r["f"].split("/id/arms-deal/")[1]: r for r in rows}
    assert set(by_flow) == {
        "SUN/AFG/1985/Mi-8MT/1",
        "RUS/IND/1990/Kh-35%20Uran/1",  # ordered from the USSR, delivered by Russia
        "CHN/PAK/2016/QW-18/1",
        "FRA/CIV/2023/vehicle%20engine/1",
        "DEU/TUR/2021/MTU-16V/1",
        "RUS/VNM/2013/BMP-3/1",
        "RUS/VNM/2013/BMP-3/2",
    }
    nothing = by_flow["DEU/TUR/2021/MTU-16V/1"]  # nothing delivered: starts when ordered
    assert (nothing["start"], nothing["end"], nothing["amount"]) == ("2021-01-01", "", "")


def test_split_record_repaired(root):
    api.import_source(root, "sipri", [REGISTER])
    flow = ids.fact("arms-deal", "FRA", "CIV", "2023", "vehicle engine", "1")
    rows = select(root, "sipri", f"SELECT ?note ?unit ?order ?amount ?est WHERE {{ <{flow}> "
                  "cg:note ?note ; cg:tivPerUnit ?unit ; cg:tivOrder ?order ; cg:amount ?amount ;"
                  " cg:estimate ?est }")  # fmt: skip
    assert rows == [
        {
            "note": "Diesel engine for 6 APC from South Africa",
            "unit": "0.05",
            "order": "0.3",
            "amount": "0",  # 0: less than 0.5 million
            "est": "true",
        }
    ]


def test_uncertain_flags(root):
    api.import_source(root, "sipri", [REGISTER])
    rows = select(root, "sipri", "SELECT ?f ?u WHERE { ?f cg:uncertain ?u }")
    got = sorted((r["f"].split("/arms-deal/")[1], r["u"]) for r in rows)
    assert got == [
        ("CHN/PAK/2016/QW-18/1", "Number ordered"),
        ("CHN/PAK/2016/QW-18/1", "Year of order"),
        ("SUN/AFG/1985/Mi-8MT/1", "Year of order"),
    ]


def test_import_twice_same_graph(root):
    api.import_source(root, "sipri", [REGISTER])
    first = graph_quads(root, ids.graph("sipri"))
    api.import_source(root, "sipri", [REGISTER])
    assert graph_quads(root, ids.graph("sipri")) == first
    assert len(first) > 100


def test_strict_refuses_and_leaves_store(root):
    api.import_source(root, "sipri", [REGISTER])
    before = store.current_generation(root)
    quads = graph_quads(root, ids.graph("sipri"))
    with pytest.raises(CoopgraphError, match=r"trade-register\.csv:16: .*--strict"):
        api.import_source(root, "sipri", [REGISTER], strict=True)
    assert store.current_generation(root) == before
    assert graph_quads(root, ids.graph("sipri")) == quads


def test_not_a_register(root, tmp_path):
    bad = tmp_path / "other.csv"
    bad.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(CoopgraphError, match="not a SIPRI trade register"):
        api.import_source(root, "sipri", [bad])


def test_tiv_counts_and_values(root):
    report = api.import_source(root, "sipri-tiv", [TIV])
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (8, 5, 3)
    assert dict(report.unresolved) == {"Hezbollah (Lebanon)*": 1, "United Nations**": 1}
    assert any("sipri-tiv.csv:8: expected 10 fields, found 5" in r for r in report.rejected)
    rows = select(root, "sipri-tiv", "SELECT ?f ?amount ?start ?end ?est ?note WHERE { "
                  "?f cg:amount ?amount ; cg:startDate ?start ; cg:endDate ?end "
                  "OPTIONAL { ?f cg:estimate ?est } OPTIONAL { ?f cg:note ?note } }")  # fmt: skip
    got = {
        r["f"].split("/arms-tiv/")[1]: (r["amount"], r["start"], r["est"], r["note"]) for r in rows
    }
    assert got == {
        "FRA/IND/2015": ("120", "2015-01-01", "", ""),
        "SUN/IND/1991": ("300", "1991-01-01", "", ""),  # COW 365 in 1991: the name decides
        "RUS/IND/1992": ("250", "1992-01-01", "", ""),
        "DEU/GRC/2001": ("0", "2001-01-01", "true", "less than 0.5 million TIV"),
        "SRB/CYP/2012": ("3", "2012-01-01", "", ""),  # no COW code: by name
    }
    assert {r["end"][:4] for r in rows} == {r["start"][:4] for r in rows}


# ------------------------------------------------------------------------ real files

COMPARED = ("RUS", "CHN", "FRA", "DEU", "GBR")
#: Share of supplier-years (COMPARED, 1950-2021) where the trade register, spread over
#: delivery years, is within 10% of the TIV table: 0.638 measured (173 of 271).
AGREEMENT_FLOOR = 0.60


def test_real_files(root, shared_data):
    folder = shared_data / SIPRI
    register = api.import_source(root, "sipri", [folder / "sipri_trade_register_2025-03-13.csv.gz"])
    assert (register.rows_read, register.version) == (29_515, "2025-03-13")
    assert register.rows_imported > 28_500
    assert register.rows_imported + register.rows_rejected == register.rows_read
    assert register.unresolved["unknown supplier(s)"] > 100
    assert not any("expected 16 fields" in r for r in register.rejected)  # 4 split records
    tiv_file = folder / "sipri_tiv_dyad_year_1950_2021_360info.csv.gz"
    tiv = api.import_source(root, "sipri-tiv", [tiv_file])
    assert tiv.rows_read == 21_324
    assert not [k for k in tiv.unresolved if k.startswith("COW ")]

    # imported sipri-tiv sums equal the file's own sums over the rows it imported
    rejected_names = set(tiv.unresolved)
    expected: dict[int, Decimal] = defaultdict(Decimal)
    kept = 0
    with gzip.open(tiv_file, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["supplier"] in rejected_names or row["recipient"] in rejected_names:
                continue
            kept += 1
            expected[int(row["year"])] += Decimal(row["value"])
    assert kept == tiv.rows_imported
    sums = select(root, "sipri-tiv", "SELECT ?y (SUM(?a) AS ?t) WHERE { ?f cg:amount ?a ; "
                  "cg:startDate ?s BIND (YEAR(?s) AS ?y) } GROUP BY ?y")  # fmt: skip
    assert {int(r["y"]): Decimal(r["t"]) for r in sums} == dict(expected)

    # the register's delivered TIV spread over its delivery years against the TIV table
    spread: dict[tuple[str, int], float] = defaultdict(float)
    for r in select(root, "sipri", "SELECT ?d ?years ?a WHERE { ?f cg:donor ?d ; "
                    "cg:amount ?a ; cg:deliveryYears ?years }"):  # fmt: skip
        years = [int(y) for y in re.findall(r"\d{4}", r["years"])]
        for year in years:
            spread[(ids.local_name(r["d"]), year)] += float(r["a"]) / len(years)
    table: dict[tuple[str, int], float] = defaultdict(float)
    for r in select(root, "sipri-tiv", "SELECT ?d ?s ?a WHERE { ?f cg:donor ?d ; "
                    "cg:amount ?a ; cg:startDate ?s }"):  # fmt: skip
        table[(ids.local_name(r["d"]), int(r["s"][:4]))] += float(r["a"])
    close = total = 0
    for nation in COMPARED:
        years = [y for (d, y) in table if d == nation]  # the years the table covers
        for year in range(max(min(years), 1950), min(max(years), 2021) + 1):
            a, b = spread.get((nation, year), 0.0), table.get((nation, year), 0.0)
            if a or b:
                total += 1
                close += abs(a - b) <= 0.1 * max(a, b)
    assert total > 250
    assert close / total >= AGREEMENT_FLOOR, f"{close}/{total} supplier-years within 10%"
