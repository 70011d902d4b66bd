"""The alliance importers: ATOP 5.1 (``atop``) and COW Formal Alliances v4.1 (``cow-alliances``).

The fixtures under tests/fixtures/import/ are hand-made rows in the published formats
(same headers, CRLF line ends; the COW file in Latin-1); the alliances in them are
invented (ATOP ids 9005-9025, COW ids 901-904). The real files are read from ../shared.
"""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

import coopgraph.sources.atop  # noqa: F401  (registers the importer)
import coopgraph.sources.cow_alliances  # noqa: F401  (registers the importer)
from coopgraph import api, ids, store
from coopgraph.errors import CoopgraphError, UsageError
from coopgraph.namespace import CG
from coopgraph.sources.atop import partial_date

from .conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "import"
ATOP_M = FIXTURES / "atop" / "atop5_1m.csv"
ATOP_A = FIXTURES / "atop" / "atop5_1a.csv"
COW = FIXTURES / "cow-alliances" / "alliance_v4.1_by_member.csv"

PREFIXES = """
PREFIX cg: <https://w3id.org/coopgraph/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX cgg: <https://w3id.org/coopgraph/graph/>
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A store built from the bundled data/ (222 states with their COW codes)."""
    path = tmp_path_factory.mktemp("alliances") / "store"
    api.build(path)
    return path


@pytest.fixture
def root(built, tmp_path) -> Path:
    """A private copy of the built store, for a test that changes it."""
    copy = tmp_path / "s"
    shutil.copytree(built, copy)
    return copy


def rows(root: Path, text: str) -> list[dict[str, str]]:
    result = store.open_reader(root).query(PREFIXES + text)
    names = [v.value for v in result.variables]
    return [{n: (s[n].value if s[n] is not None else "") for n in names} for s in result]


def graph_dump(root: Path, name: str) -> list[str]:
    node = ox.NamedNode(ids.graph(name))
    return sorted(str(q) for q in store.open_reader(root).quads_for_pattern(None, None, None, node))


def members_in(root: Path, alliance: str, year: int) -> int:
    """Distinct members of ``alliance`` at any time in ``year``."""
    found = rows(
        root,
        f"""SELECT (COUNT(DISTINCT ?n) AS ?count) WHERE {{
          GRAPH ?g {{ ?m org:organization <{ids.organisation(alliance)}> ; org:member ?n ;
                         cg:startDate ?s . OPTIONAL {{ ?m cg:endDate ?e }} }}
          FILTER (YEAR(?s) <= {year} && (!BOUND(?e) || YEAR(?e) >= {year}))
        }}""",
    )
    return int(found[0]["count"])


def membership(root: Path, iri: str) -> dict[str, object]:
    """What a membership node says, one value per property (obligations as a set)."""
    found = rows(
        root,
        f"""SELECT ?p ?o WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}""",
    )
    out: dict[str, object] = {"obligations": set(), "types": set()}
    for row in found:
        p = row["p"].rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        if p == "obligation":
            out["obligations"].add(row["o"].rsplit("#", 1)[-1])  # type: ignore[union-attr]
        elif p == "type":
            out["types"].add(row["o"])  # type: ignore[union-attr]
        else:
            assert p not in out, f"{p} twice on {iri}"
            out[p] = row["o"]
    return out


# ------------------------------------------------------------------------------- dates


def test_partial_dates():
    row = {"y": "2000", "m": "2", "d": ""}
    assert partial_date(row, "y", "m", "d") == (dt.date(2000, 2, 1), CG.Month)
    assert partial_date(row, "y", "m", "d", end=True) == (dt.date(2000, 2, 29), CG.Month)
    row = {"y": "1999", "m": "", "d": ""}
    assert partial_date(row, "y", "m", "d", end=True) == (dt.date(1999, 12, 31), CG.Year)
    assert partial_date({"y": "1999", "m": "3", "d": "12"}, "y", "m", "d") == (
        dt.date(1999, 3, 12),
        CG.Day,
    )
    for bad, message in (
        ({"y": "1999", "m": "", "d": "4"}, "d is given without m"),
        ({"y": "1999", "m": "13", "d": ""}, "y/m/d"),
        ({"y": "1999", "m": "2", "d": "30"}, "y/m/d"),
        ({"y": "19x9", "m": "2", "d": "3"}, "y is '19x9', not a number"),
    ):
        with pytest.raises(ValueError, match=message):
            partial_date(bad, "y", "m", "d")


# -------------------------------------------------------------------------------- ATOP


def test_atop_fixture_counts(root):
    report = api.import_source(root, "atop", [ATOP_M, ATOP_A])
    by_file = {f.path.name: (f.rows_read, f.rows_imported, f.rows_rejected) for f in report.files}
    assert by_file == {"atop5_1m.csv": (11, 9, 2), "atop5_1a.csv": (5, 3, 2)}
    assert report.unresolved == {"COW 999": 1}
    assert report.version == "5.1"
    assert report.graph == ids.graph("atop")
    assert len(report.rejected) == 4
    assert any(
        r.endswith("atop5_1m.csv:11: yrent is '19x0', not a number") for r in report.rejected
    )
    assert any("atop5_1m.csv:12: COW state code 999" in r for r in report.rejected)
    assert any("atop5_1a.csv:5: alliance ends (1969-01-01) before" in r for r in report.rejected)
    assert any(r.endswith("atop5_1a.csv:6: begmo is 'x', not a number") for r in report.rejected)


def test_atop_membership_dates_and_obligations(root):
    api.import_source(root, "atop", [ATOP_M, ATOP_A])
    gbr = ids.fact("membership", "ATOP-9005", "GBR", "1950-04-04", "1")
    m = membership(root, gbr)
    assert m["types"] == {str(CG.Membership), "http://www.w3.org/ns/org#Membership"}
    assert m["member"] == ids.nation("GBR")
    assert m["organization"] == ids.organisation("ATOP-9005")
    assert (m["startDate"], m["startPrecision"]) == ("1950-04-04", str(CG.Day))
    assert (m["endDate"], m["endPrecision"]) == ("1955-06-19", str(CG.Day))
    assert m["phase"] == "1"
    assert m["obligations"] == {"DefenceObligation", "ConsultationObligation"}
    assert m["source"] == ids.source("atop-5-1")
    # phase 2, in force at the end of 2018: no end
    pol = membership(root, ids.fact("membership", "ATOP-9005", "POL", "1999-03-12", "2"))
    assert "endDate" not in pol and "endPrecision" not in pol
    assert pol["obligations"] == {"DefenceObligation"}
    # days unknown: month precision, first and last day of the month
    sun = membership(root, ids.fact("membership", "ATOP-9015", "SUN", "1932-07-01", "0"))
    assert (sun["startDate"], sun["startPrecision"]) == ("1932-07-01", str(CG.Month))
    assert (sun["endDate"], sun["endPrecision"]) == ("1939-09-30", str(CG.Month))
    assert sun["obligations"] == {"NeutralityObligation", "NonAggressionObligation"}


def test_atop_alliance_nodes(root):
    api.import_source(root, "atop", [ATOP_M, ATOP_A])
    found = rows(
        root,
        """SELECT ?a ?label ?notation ?id ?commitment ?start ?sp ?end ?ep WHERE {
          GRAPH cgg:atop { ?a a cg:Alliance , org:FormalOrganization ; rdfs:label ?label ;
                     skos:notation ?notation ; cg:atopId ?id ; cg:commitment ?commitment ;
                     dcterms:source <https://w3id.org/coopgraph/id/source/atop-5-1> .
            OPTIONAL { ?a cg:startDate ?start ; cg:startPrecision ?sp }
            OPTIONAL { ?a cg:endDate ?end ; cg:endPrecision ?ep } }
        } ORDER BY ?id""",
    )
    got = {r["notation"]: r for r in found}
    assert sorted(got) == ["ATOP-9005", "ATOP-9010", "ATOP-9015"]  # 9020/9025: rows rejected
    assert len(found) == 3  # one commitment each, though 9010 is asymmetric
    assert got["ATOP-9005"]["label"] == "ATOP 9005"
    assert got["ATOP-9005"]["a"] == ids.organisation("ATOP-9005")
    assert got["ATOP-9005"]["id"] == "9005"
    assert got["ATOP-9005"]["commitment"] == str(CG.DefencePact)
    assert (got["ATOP-9005"]["start"], got["ATOP-9005"]["end"]) == ("1950-04-04", "")
    assert got["ATOP-9010"]["commitment"] == str(CG.DefencePact)  # the strongest of its rows
    assert got["ATOP-9015"]["commitment"] == str(CG.NeutralityPact)
    assert (got["ATOP-9015"]["start"], got["ATOP-9015"]["sp"]) == ("1932-07-25", str(CG.Day))
    assert (got["ATOP-9015"]["end"], got["ATOP-9015"]["ep"]) == ("1939-09-30", str(CG.Month))
    source = rows(
        root, f"SELECT ?t WHERE {{ GRAPH ?g {{ <{ids.source('atop-5-1')}> dcterms:title ?t }} }}"
    )
    assert {r["t"] for r in source} == {
        "Alliance Treaty Obligations and Provisions (ATOP) dataset, version 5.1"
    }


def test_atop_any_order_gzip_and_member_file_alone(root, tmp_path):
    api.import_source(root, "atop", [ATOP_A, ATOP_M])
    first = graph_dump(root, "atop")
    packed = tmp_path / "atop5_1m.csv.gz"
    packed.write_bytes(gzip.compress(ATOP_M.read_bytes()))
    api.import_source(root, "atop", [packed, ATOP_A])
    assert graph_dump(root, "atop") == first
    api.import_source(root, "atop", [ATOP_M])
    alone = graph_dump(root, "atop")
    assert set(alone) < set(first)
    assert not any(str(CG.startDate) in q and "/organisation/" in q.split()[0] for q in alone)


def test_atop_refuses_files_without_members(root):
    before = store.current_generation(root)
    with pytest.raises(UsageError, match="member-level file"):
        api.import_source(root, "atop", [ATOP_A])
    with pytest.raises(CoopgraphError, match=r"alliance_v4\.1_by_member\.csv:1: not an ATOP"):
        api.import_source(root, "atop", [COW])
    assert store.current_generation(root) == before


# --------------------------------------------------------------------------------- COW


def test_cow_fixture_counts(root):
    report = api.import_source(root, "cow-alliances", [COW])
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (10, 8, 2)
    assert report.unresolved == {"COW 999": 1}
    assert report.version == "4.1"
    assert report.graph == ids.graph("cow-alliances")
    assert report.rejected[0].endswith(
        "alliance_v4.1_by_member.csv:10: mem_st_year is '198x', not a number"
    )
    assert "alliance_v4.1_by_member.csv:11: COW state code 999" in report.rejected[1]


def test_cow_memberships_and_alliances(root):
    api.import_source(root, "cow-alliances", [COW])
    # 260 (German Federal Republic) and 255 (Germany) both resolve to DEU
    fed = membership(root, ids.fact("membership", "COW-901", "DEU", "1955-05-06"))
    assert fed["member"] == ids.nation("DEU")
    assert fed["organization"] == ids.organisation("COW-901")
    assert (fed["startDate"], fed["startPrecision"]) == ("1955-05-06", str(CG.Day))
    assert (fed["endDate"], fed["endPrecision"]) == ("1990-10-02", str(CG.Day))
    assert fed["obligations"] == {"DefenceObligation", "ConsultationObligation"}
    assert fed["source"] == ids.source("cow-alliances-4-1")
    assert "phase" not in fed
    united = membership(root, ids.fact("membership", "COW-901", "DEU", "1990-10-03"))
    assert "endDate" not in united  # right_censor 1: still a member at the end of 2012
    pol = membership(root, ids.fact("membership", "COW-902", "POL", "1932-07-25"))
    assert pol["obligations"] == {"NeutralityObligation", "NonAggressionObligation"}
    # the Latin-1 row (Côte d'Ivoire) is read
    civ = membership(root, ids.fact("membership", "COW-903", "CIV", "1975-03-10"))
    assert civ["obligations"] == {"ConsultationObligation"}
    found = rows(
        root,
        """SELECT ?notation ?label ?id ?commitment ?start ?end WHERE {
          GRAPH cgg:cow-alliances { ?a a cg:Alliance ; rdfs:label ?label ;
                     skos:notation ?notation ;
                     cg:cowAllianceId ?id ; cg:commitment ?commitment ; cg:startDate ?start .
                     OPTIONAL { ?a cg:endDate ?end } }
        } ORDER BY ?id""",
    )
    got = {r["notation"]: r for r in found}
    assert len(found) == 3 and sorted(got) == ["COW-901", "COW-902", "COW-903"]
    assert got["COW-901"]["label"] == "COW alliance 901"
    assert (got["COW-901"]["commitment"], got["COW-901"]["start"]) == (
        str(CG.DefencePact),
        "1950-04-04",
    )
    assert got["COW-901"]["end"] == ""
    # ss_type says "Non-Aggression Pact"; the 0/1 columns decide
    assert got["COW-902"]["commitment"] == str(CG.NeutralityPact)
    assert got["COW-903"]["commitment"] == str(CG.Entente)
    assert got["COW-903"]["end"] == "1980-06-30"


# ------------------------------------------------------------------------------- both


@pytest.mark.parametrize(
    ("name", "files", "where"),
    [("atop", [ATOP_M, ATOP_A], "atop5_1m.csv:11"), ("cow-alliances", [COW], "member.csv:10")],
)
def test_strict_refuses_and_leaves_the_store(root, name, files, where):
    before = store.current_generation(root)
    with pytest.raises(CoopgraphError, match=rf"{where}:.*--strict: nothing imported"):
        api.import_source(root, name, files, strict=True)
    assert store.current_generation(root) == before
    assert graph_dump(root, name) == []


@pytest.mark.parametrize(("name", "files"), [("atop", [ATOP_M, ATOP_A]), ("cow-alliances", [COW])])
def test_importing_twice_gives_the_same_quads(root, name, files):
    first = api.import_source(root, name, files)
    dump = graph_dump(root, name)
    second = api.import_source(root, name, files)
    assert graph_dump(root, name) == dump
    assert len(dump) == first.triples == second.triples  # no quad written twice


# -------------------------------------------------------------------------- real files


def test_atop_real_files(root, shared_data):
    folder = shared_data / "atop_5.1"
    report = api.import_source(root, "atop", [folder / "atop5_1m.csv.gz", folder / "atop5_1a.csv"])
    by_file = {f.path.name: (f.rows_read, f.rows_imported, f.rows_rejected) for f in report.files}
    assert by_file == {"atop5_1m.csv.gz": (2510, 2509, 1), "atop5_1a.csv": (789, 789, 0)}
    # 8152 is ATOP's own code for a non-system party (cowsys 0), not a COW state
    assert report.unresolved == {"COW 8152": 1}
    assert report.version == "5.1"
    assert members_in(root, "ATOP-3180", 2000) == 19
    assert members_in(root, "ATOP-3180", 2004) == 26  # the 2004 round signed in March 2003


def test_cow_alliances_real_file(root, shared_data):
    path = shared_data / "cow_alliances_v4.1" / "alliance_v4.1_by_member.csv"
    report = api.import_source(root, "cow-alliances", [path])
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (1221, 1221, 0)
    assert not report.unresolved
    assert report.version == "4.1"
    assert members_in(root, "COW-227", 1985) == 16
    assert members_in(root, "COW-227", 2000) == 19  # COW v4.1 stops at the 1999 round
