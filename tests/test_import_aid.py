"""The ``greenbook`` and ``kiel`` importers: hand-made fixtures and the real files."""

from __future__ import annotations

import csv
import gzip
import shutil
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

import coopgraph.sources.greenbook  # noqa: F401  (registers the importer)
import coopgraph.sources.kiel  # noqa: F401  (registers the importer)
from coopgraph import api, ids, queries, store

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
GREENBOOK = FIXTURES / "greenbook" / "us_foreignaid_greenbook_data.csv"
KIEL = FIXTURES / "kiel" / "data_explorer.csv"
KIEL_RELEASE = FIXTURES / "kiel" / "release_info.csv"
CG = "https://w3id.org/coopgraph/ontology#"
REAL_GREENBOOK = "usaid_greenbook_1946_2020/us_foreignaid_greenbook_data.csv.gz"
REAL_KIEL = "kiel_ukraine_support_tracker"
SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("s") / "store"
    api.build(path)
    return path


def select(root: Path, source: str, text: str) -> list[dict[str, str]]:
    q = queries.load(text=text)
    result = queries.run(store.open_reader(root), q, graphs=api.scope(root, [source]))
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else "") for n in names} for row in result]


def properties(root: Path, source: str, subject: str) -> set[tuple[str, str]]:
    rows = select(root, source, f"SELECT ?p ?o WHERE {{ <{subject}> ?p ?o }}")
    return {(r["p"].rsplit("#", 1)[-1].rsplit("/", 1)[-1], r["o"]) for r in rows}


# ------------------------------------------------------------------------ greenbook


def test_greenbook_fixture_counts(root):
    report = api.import_source(root, "greenbook", [GREENBOOK])
    assert (report.rows_read, report.rows_imported, report.rows_rejected, report.rows_skipped) == (
        13,
        9,
        2,
        2,
    )
    assert dict(report.unresolved) == {"Atlantis": 1}
    assert report.version == "FY1970-FY2012"
    assert any("Atlantis' resolves to no coopgraph state" in r for r in report.rejected)
    assert any(
        "unmapped programme group 'Secret Programmes' (funding account 'Black Budget Fund')" in r
        for r in report.rejected
    )


def test_greenbook_one_flow(root):
    api.import_source(root, "greenbook", [GREENBOOK])
    flow = ids.fact("greenbook", "EGY", "1999", "Foreign Military Financing Program", "1")
    assert properties(root, "greenbook", flow) == {
        ("type", CG + "AidFlow"),
        ("donor", ids.nation("USA")),
        ("recipient", ids.nation("EGY")),
        ("startDate", "1998-10-01"),
        ("startPrecision", CG + "Day"),
        ("endDate", "1999-09-30"),
        ("endPrecision", CG + "Day"),
        ("fiscalYear", "1999"),
        ("aidType", CG + "Financing"),
        ("programme", "Foreign Military Financing Program"),
        ("amount", "1300000000"),
        ("amountConstant", "2000000000"),  # the fixture's constant-2020-dollar figure
        ("unit", CG + "USD"),
        ("figure", CG + "Obligation"),
        ("source", ids.source("usaid-greenbook")),
    }


def test_greenbook_years_names_types_and_flags(root):
    api.import_source(root, "greenbook", [GREENBOOK])
    rows = select(
        root,
        "greenbook",
        """SELECT ?f ?r ?fy ?start ?end ?type ?amount (COALESCE(?n, "") AS ?note) ?est WHERE {
             ?f a cg:AidFlow ; cg:recipient ?r ; cg:fiscalYear ?fy ; cg:startDate ?start ;
                cg:endDate ?end ; cg:aidType ?type ; cg:amount ?amount .
             OPTIONAL { ?f cg:note ?n } OPTIONAL { ?f cg:estimate ?est } }""",
    )
    got = {
        (
            r["r"].rsplit("/", 1)[-1],
            r["fy"],
            r["start"],
            r["end"],
            r["type"].rsplit("#", 1)[-1],
            r["amount"],
            r["note"],
            r["est"],
        )
        for r in rows
    }
    assert got == {
        ("EGY", "1999", "1998-10-01", "1999-09-30", "Financing", "1300000000", "", ""),
        ("RVN", "1970", "1969-07-01", "1970-06-30", "MilitaryAssistance", "5000000", "", ""),
        ("ISR", "1976TQ", "1976-07-01", "1976-09-30", "Financing", "100000000", "loan", ""),
        ("ISR", "1976TQ", "1976-07-01", "1976-09-30", "Financing", "50000000", "", ""),
        ("JOR", "2005", "2004-10-01", "2005-09-30", "Training", "-12345", "de-obligation",
         "false"),
        ("SCG", "2003", "2002-10-01", "2003-09-30", "Training", "600000", "", ""),
        ("AFG", "2011", "2010-10-01", "2011-09-30", "SecurityForces", "9000000000", "", ""),
        ("AFG", "2011", "2010-10-01", "2011-09-30", "Equipment", "2500000", "", ""),
        ("AFG", "2011", "2010-10-01", "2011-09-30", "Equipment", "500000", "", ""),
    }  # fmt: skip
    # two rows with the same recipient, year and account get running numbers
    second = ids.fact("greenbook", "AFG", "2011", "Excess Defense Articles", "2")
    assert ("amount", "500000") in properties(root, "greenbook", second)


def test_greenbook_reimport_is_stable(root):
    api.import_source(root, "greenbook", [GREENBOOK])
    first = select(root, "greenbook", "SELECT ?s ?p ?o WHERE { ?s a cg:AidFlow ; ?p ?o }")
    report = api.import_source(root, "greenbook", [GREENBOOK])
    again = select(root, "greenbook", "SELECT ?s ?p ?o WHERE { ?s a cg:AidFlow ; ?p ?o }")
    assert sorted(map(str, first)) == sorted(map(str, again))
    assert report.rows_imported == 9


# ------------------------------------------------------------------------ kiel


def test_kiel_fixture_counts(root):
    report = api.import_source(root, "kiel", [KIEL, KIEL_RELEASE])
    assert (report.rows_read, report.rows_imported, report.rows_rejected, report.rows_skipped) == (
        8,
        3,
        2,
        3,
    )
    assert report.version == "Ukraine Support Tracker, Release 99 (12/2030)"
    assert dict(report.unresolved) == {"EU (Commission and Council)": 1, "Atlantis": 1}


def test_kiel_flows(root):
    api.import_source(root, "kiel", [KIEL_RELEASE, KIEL])
    flow = ids.fact("kiel", "DEU", "2022-03", "military-assistance")
    assert properties(root, "kiel", flow) == {
        ("type", CG + "AidFlow"),
        ("donor", ids.nation("DEU")),
        ("recipient", ids.nation("UKR")),
        ("startDate", "2022-03-01"),
        ("startPrecision", CG + "Month"),
        ("endDate", "2022-03-31"),
        ("endPrecision", CG + "Month"),
        ("aidType", CG + "MilitaryAssistance"),
        ("amount", "300000000"),
        ("unit", CG + "EUR"),
        ("figure", CG + "Allocation"),
        ("source", ids.source("kiel-ukraine-support-tracker")),
    }
    rows = select(
        root,
        "kiel",
        "SELECT ?d ?start ?end ?t ?a WHERE { ?f a cg:AidFlow ; cg:donor ?d ; cg:startDate ?start ;"
        " cg:endDate ?end ; cg:aidType ?t ; cg:amount ?a }",
    )
    got = {
        (r["d"].rsplit("/", 1)[-1], r["start"], r["end"], r["t"].rsplit("#", 1)[-1], r["a"])
        for r in rows
    }
    assert got == {
        ("DEU", "2022-03-01", "2022-03-31", "MilitaryAssistance", "300000000"),
        ("DEU", "2022-03-01", "2022-03-31", "HumanitarianAid", "200000000"),
        ("USA", "2022-04-01", "2022-04-30", "MilitaryAssistance", "2500000000"),
        ("DEU", "2024-02-01", "2024-02-29", "MilitaryAssistance", "123000"),
    }
    title = select(
        root,
        "kiel",
        f"SELECT ?t WHERE {{ <{ids.source('kiel-ukraine-support-tracker')}> dcterms:title ?t }}",
    )
    assert [r["t"] for r in title] == [
        "Ukraine Support Tracker (Ukraine Support Tracker, Release 99 (12/2030))"
    ]


# ------------------------------------------------------------------------ real files


def _greenbook_sums(path: Path, countries: dict[str, str]) -> dict[tuple[str, str], int]:
    sums: dict[tuple[str, str], int] = defaultdict(int)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Assistance Category"] == "Military" and row["Country"] in countries:
                year = "1976TQ" if row["Fiscal Year"] == "1976.9" else row["Fiscal Year"]
                sums[(countries[row["Country"]], year)] += int(
                    row["Obligations (Historical Dollars)"]
                )
    return dict(sums)


@pytest.fixture(scope="module")
def real_greenbook(root, tmp_path_factory):
    path = SHARED_DATA / REAL_GREENBOOK
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    report = api.import_source(root, "greenbook", [path])
    print(
        f"\ngreenbook: read {report.rows_read}, imported {report.rows_imported}, rejected "
        f"{report.rows_rejected}, skipped {report.rows_skipped}, {report.seconds:.1f} s, "
        f"unresolved {dict(report.unresolved)}, rejected: {report.rejected}"
    )
    return path, report


def test_real_greenbook_report(real_greenbook):
    path, report = real_greenbook
    assert report.rows_read == 75_002
    assert report.rows_rejected == 0, report.rejected
    assert not report.unresolved
    assert report.rows_imported == 14_871 - 347  # regional buckets and Hong Kong skipped


def test_real_greenbook_yearly_totals(root, real_greenbook):
    path, _ = real_greenbook
    wanted = {"Egypt": "EGY", "Israel": "ISR", "Afghanistan": "AFG", "Jordan": "JOR"}
    expected = _greenbook_sums(path, wanted)
    values = " ".join(f"<{ids.nation(n)}>" for n in wanted.values())
    rows = select(
        root,
        "greenbook",
        f"""SELECT ?r ?fy (SUM(?a) AS ?total) WHERE {{
              VALUES ?r {{ {values} }}
              ?f a cg:AidFlow ; cg:donor <{ids.nation("USA")}> ; cg:recipient ?r ;
                 cg:fiscalYear ?fy ; cg:amount ?a ; cg:unit cg:USD }} GROUP BY ?r ?fy""",
    )
    got = {(r["r"].rsplit("/", 1)[-1], r["fy"]): int(Decimal(r["total"])) for r in rows}
    assert got == expected
    assert len(got) > 150


def test_real_greenbook_egypt_fmf_1999(root, real_greenbook):
    rows = select(
        root,
        "greenbook",
        f"""SELECT (SUM(?a) AS ?total) WHERE {{
              ?f cg:recipient <{ids.nation("EGY")}> ; cg:fiscalYear "1999" ;
                 cg:aidType cg:Financing ; cg:amount ?a ; cg:unit cg:USD }}""",
    )
    assert Decimal(rows[0]["total"]) == Decimal(1_300_000_000)


def test_real_greenbook_flags_and_names(root, real_greenbook):
    rows = select(
        root,
        "greenbook",
        """SELECT ?note (COUNT(?f) AS ?n) WHERE { ?f a cg:AidFlow ; cg:note ?note }
           GROUP BY ?note""",
    )
    notes = {r["note"]: int(r["n"]) for r in rows}
    print("\nnotes:", notes)
    path, _ = real_greenbook
    loans = negative = 0
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            country = row["Country"]
            if row["Assistance Category"] != "Military" or "(not specified)" in country:
                continue
            if country == "China (Hong Kong)":
                continue
            loans += "Direct Loan" in row["Funding Account Name"]
            negative += int(row["Obligations (Historical Dollars)"]) < 0
    assert notes.get("loan", 0) + notes.get("loan; de-obligation", 0) == loans
    assert notes.get("de-obligation", 0) + notes.get("loan; de-obligation", 0) == negative
    assert (loans, negative) == (567, 6)  # of 570 and 10 Military rows: the rest regional
    rows = select(
        root,
        "greenbook",
        """SELECT ?r (MIN(?fy) AS ?first) (MAX(?fy) AS ?last) WHERE {
             ?f cg:recipient ?r ; cg:fiscalYear ?fy ; cg:programme ?p }
           GROUP BY ?r""",
    )
    spans = {r["r"].rsplit("/", 1)[-1]: (r["first"], r["last"]) for r in rows}
    assert spans["RVN"][1] <= "1975"
    assert spans["VNM"][0] >= "1976"
    # "Serbia and Montenegro, Former": Military rows only to FY1999 (YUG); the YUG/SCG
    # handover year is covered by the fixture
    assert spans["YUG"][1] == "1999" and "SCG" not in spans


def test_real_greenbook_recipients_per_decade(root, real_greenbook):
    rows = select(
        root,
        "greenbook",
        """SELECT ?decade (COUNT(DISTINCT ?r) AS ?n) WHERE {
             ?f a cg:AidFlow ; cg:recipient ?r ; cg:fiscalYear ?fy ; cg:amount ?a
             FILTER (?a > 0) BIND (CONCAT(SUBSTR(?fy, 1, 3), "0s") AS ?decade) }
           GROUP BY ?decade ORDER BY ?decade""",
    )
    decades = {r["decade"]: int(r["n"]) for r in rows}
    print("\nrecipients with US military aid per decade:", decades)
    assert set(decades) == {f"{d}0s" for d in range(194, 203)}
    assert all(n > 0 for n in decades.values())
    assert decades["2000s"] > decades["1940s"]


def test_real_greenbook_types(root, real_greenbook):
    rows = select(
        root,
        "greenbook",
        """SELECT ?t (COUNT(?f) AS ?n) WHERE { ?f a cg:AidFlow ; cg:aidType ?t } GROUP BY ?t""",
    )
    types = {r["t"].rsplit("#", 1)[-1]: int(r["n"]) for r in rows}
    print("\naid types:", types)
    assert sum(types.values()) == 14_524


def test_real_kiel_totals(root, shared_data):
    folder = shared_data / REAL_KIEL
    report = api.import_source(
        root, "kiel", [folder / "data_explorer.csv", folder / "release_info.csv"]
    )
    print(
        f"\nkiel: read {report.rows_read}, imported {report.rows_imported}, rejected "
        f"{report.rows_rejected}, skipped {report.rows_skipped}, {report.seconds:.1f} s, "
        f"unresolved {dict(report.unresolved)}"
    )
    assert dict(report.unresolved) == {"EU (Commission and Council)": report.rows_rejected}
    assert report.version == "Ukraine Support Tracker, Release 29 (04/2026)"
    with (folder / "total_allocations.csv").open(encoding="utf-8", newline="") as handle:
        expected = {
            (int(r["year"]), int(r["month"])): (Decimal(r["military"]), Decimal(r["humanitarian"]))
            for r in csv.DictReader(handle)
        }
    rows = select(
        root,
        "kiel",
        """SELECT ?start ?t (SUM(?a) AS ?total) WHERE {
             ?f a cg:AidFlow ; cg:recipient ?r ; cg:startDate ?start ; cg:aidType ?t ;
                cg:amount ?a ; cg:unit cg:EUR } GROUP BY ?start ?t""",
    )
    got: dict[tuple[int, int], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for r in rows:
        year, month = int(r["start"][:4]), int(r["start"][5:7])
        got[(year, month)][r["t"].endswith("HumanitarianAid")] += Decimal(r["total"]) / 10**9
    eu_humanitarian = _kiel_eu_humanitarian(folder / "data_explorer.csv")
    tolerance = Decimal("0.00001")  # the totals file is rounded to 6 places, per month
    for key, (military, humanitarian) in expected.items():
        assert abs(got[key][0] - military) <= tolerance, key
        # EU institutions' humanitarian aid is rejected (not a state)
        assert abs(got[key][1] + eu_humanitarian.get(key, 0) - humanitarian) <= tolerance, key
    total = sum(v[0] for v in got.values())
    print(f"kiel military total: EUR {total} bn over {len(got)} months")


def _kiel_eu_humanitarian(path: Path) -> dict[tuple[int, int], Decimal]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            (int(r["year"]), int(r["month"])): Decimal(r["humanitarian"])
            for r in csv.DictReader(handle)
            if r["iso"] == "EU"
        }


def test_real_kiel_donor_military_totals(root, shared_data):
    folder = shared_data / REAL_KIEL
    api.import_source(root, "kiel", [folder / "data_explorer.csv"])
    expected: dict[str, Decimal] = defaultdict(Decimal)
    with (folder / "data_explorer.csv").open(encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            if r["iso"] != "EU":
                expected[r["iso"]] += Decimal(r["military"]) * 10**9
    rows = select(
        root,
        "kiel",
        """SELECT ?d (SUM(?a) AS ?total) WHERE {
             ?f a cg:AidFlow ; cg:donor ?d ; cg:aidType cg:MilitaryAssistance ; cg:amount ?a }
           GROUP BY ?d""",
    )
    got = {r["d"].rsplit("/", 1)[-1]: Decimal(r["total"]) for r in rows}
    assert got == {k: v for k, v in expected.items() if v > 0}
    assert got["USA"] > Decimal(60) * 10**9


def test_real_greenbook_workbook_gives_the_same_graph(root, real_greenbook, tmp_path):
    """The .xlsx as published (title block above the header) and the CSV agree quad for
    quad."""
    workbook = SHARED_DATA / "usaid_greenbook_1946_2020" / "us_foreignaid_greenbook.xlsx.gz"
    if not workbook.is_file():
        pytest.skip(f"{workbook} is absent")
    from_csv = api.export(root, "nquads", sources=["greenbook"])
    copy = tmp_path / "store"
    shutil.copytree(root, copy)
    report = api.import_source(copy, "greenbook", [workbook])
    assert (report.rows_read, report.rows_imported) == (75_002, 14_524)
    assert sorted(api.export(copy, "nquads", sources=["greenbook"]).splitlines()) == sorted(
        from_csv.splitlines()
    )


def test_real_greenbook_constant_dollars(root, real_greenbook):
    """Each flow keeps the Greenbook's constant-2020-dollar figure beside the current one."""
    path, _ = real_greenbook
    expected = 0
    with gzip.open(path, "rt", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            if (row["Country"], row["Fiscal Year"], row["Assistance Category"]) == (
                "Egypt", "1999", "Military"
            ):  # fmt: skip
                expected += int(row["Obligations (Constant Dollars)"])
    rows = select(
        root,
        "greenbook",
        "SELECT (SUM(?c) AS ?total) WHERE {"
        " ?f cg:recipient <https://w3id.org/coopgraph/id/nation/EGY> ;"
        ' cg:fiscalYear "1999" ; cg:amountConstant ?c }',
    )
    assert int(float(rows[0]["total"])) == expected


def test_importer_and_derivation_script_type_accounts_alike():
    """The importer and scripts/derive_greenbook_aid.py (stdlib-only, so it cannot import
    coopgraph) keep their own copy of the account-to-type tables: they must not drift."""
    import importlib.util

    from coopgraph.paths import PROJECT_ROOT
    from coopgraph.sources import greenbook

    scripts = PROJECT_ROOT / "scripts"
    sys.path.insert(0, str(scripts))
    try:
        spec = importlib.util.spec_from_file_location("derive", scripts / "derive_greenbook_aid.py")
        script = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(script)
    finally:
        sys.path.remove(str(scripts))
    assert script.PROGRAMME_TYPES == greenbook.PROGRAMME_TYPES
    assert script.SECURITY_FORCES_ACCOUNTS == greenbook.SECURITY_FORCES_ACCOUNTS
    assert script.EQUIPMENT_ACCOUNTS == greenbook.EQUIPMENT_ACCOUNTS
    assert script.OTHER_MILITARY == greenbook.OTHER_MILITARY
