"""The cow-nmc importer: COW National Material Capabilities rows as capability observations."""

from __future__ import annotations

import csv
import gzip
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

import coopgraph.sources.cow_nmc  # noqa: F401  (registers the importer)
from coopgraph import api, ids, store
from coopgraph import ntriples as nt
from coopgraph.errors import CoopgraphError
from coopgraph.namespace import CG, PREFIXES

FIXTURE = Path(__file__).parent / "fixtures" / "import" / "cow-nmc" / "NMC-70-abridged.csv"
REAL = Path("cow_nmc_v7.0") / "cow_nmc_v7.0_abridged.csv.gz"
GRAPH = ids.graph("cow-nmc")
PREFIX = """
PREFIX cg: <https://w3id.org/coopgraph/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """One store built from the bundled data/, shared by this module's imports."""
    path = tmp_path_factory.mktemp("nmc") / "s"
    api.build(path)
    return path


@pytest.fixture
def imported(root):
    """The store with the fixture file imported (again: imports are idempotent)."""
    return api.import_source(root, "cow-nmc", [FIXTURE])


def select(root: Path, query: str) -> list[dict[str, str]]:
    result = store.open_reader(root).query(PREFIX + query)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def graph_quads(root: Path) -> set[str]:
    reader = store.open_reader(root)
    return {str(q) for q in reader.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH))}


def test_fixture_counts(imported):
    assert (imported.rows_read, imported.rows_imported, imported.rows_rejected) == (6, 4, 2)
    assert imported.rows_skipped == 0
    assert imported.unresolved == {"COW 999": 1}
    assert imported.version == "2025"
    assert [r.split(": ", 1)[0].rsplit(":", 1)[1] for r in imported.rejected] == ["6", "7"]
    assert "expected 11 fields, found 10" in imported.rejected[0]
    assert "999" in imported.rejected[1]


def test_observation_values(root, imported):
    usa = ids.fact("capability", "2", "1950")
    rows = select(root, f"""SELECT ?p ?v WHERE {{ GRAPH <{GRAPH}> {{ <{usa}> ?p ?v }} }}""")
    values = {r["p"].replace(str(CG._NS), "cg:"): r["v"] for r in rows}
    assert values == {
        nt.RDF_TYPE: str(CG.CapabilityObservation),
        "cg:state": ids.nation("USA"),
        "cg:year": "1950",
        "cg:milex": "14500000",
        "cg:milper": "1450",
        "cg:irst": "87000",
        "cg:pec": "1240000",
        "cg:tpop": "152000",
        "cg:upop": "44000",
        "cg:cinc": "0.284",
        PREFIXES["dcterms"] + "source": ids.source("cow-nmc-7-0"),
    }
    typed = select(
        root,
        f"""SELECT ?year ?cinc WHERE {{ GRAPH <{GRAPH}> {{ <{usa}> cg:year ?year ;
            cg:cinc ?cinc }} FILTER (DATATYPE(?year) = xsd:integer
            && DATATYPE(?cinc) = xsd:decimal) }}""",
    )
    assert typed == [{"year": "1950", "cinc": "0.284"}]
    source = select(
        root,
        f"""SELECT ?title ?publisher ?url WHERE {{ GRAPH <{GRAPH}> {{
            <{ids.source("cow-nmc-7-0")}> a cg:Source ; dcterms:title ?title ;
            dcterms:publisher ?publisher ; cg:url ?url }} }}""",
    )
    assert source == [
        {
            "title": "National Material Capabilities v7.0",
            "publisher": "Correlates of War Project",
            "url": "https://correlatesofwar.org/data-sets/national-material-capabilities/",
        }
    ]
    observations = select(
        root,
        f"""SELECT ?o WHERE {{ GRAPH <{GRAPH}> {{ ?o a cg:CapabilityObservation }} }}""",
    )
    codes = sorted(r["o"].split("/")[-2] for r in observations)
    assert codes == ["2", "200", "220", "365"]


def test_missing_values_left_out(root, imported):
    france = ids.fact("capability", "220", "1950")
    rows = select(root, f"""SELECT ?p WHERE {{ GRAPH <{GRAPH}> {{ <{france}> ?p ?v }} }}""")
    props = {ids.local_name(r["p"]) for r in rows}
    assert {"milper", "pec", "tpop", "upop", "cinc"} <= props
    assert not props & {"milex", "irst"}
    negative = f"""SELECT ?o WHERE {{ GRAPH <{GRAPH}> {{ ?o ?p ?v }}
        FILTER (isNumeric(?v) && ?v < 0) }}"""
    assert not select(root, negative)


def test_import_twice_same_graph(root, imported):
    first = graph_quads(root)
    again = api.import_source(root, "cow-nmc", [FIXTURE])
    assert graph_quads(root) == first
    assert again.triples == imported.triples
    assert len(first) == imported.triples


def test_strict_refuses_and_keeps_store(root, imported):
    before = store.current_generation(root)
    quads = graph_quads(root)
    with pytest.raises(CoopgraphError) as error:
        api.import_source(root, "cow-nmc", [FIXTURE], strict=True)
    assert f"{FIXTURE.name}:6:" in str(error.value)
    assert "--strict" in str(error.value)
    assert store.current_generation(root) == before
    assert graph_quads(root) == quads


def test_empty_cells_and_bad_numbers(root, tmp_path):
    """The recoded copy (no stateabb/version, empty for missing) and non-numeric cells."""
    path = tmp_path / "nmc.csv"
    path.write_text(
        "ccode,year,milex,milper,irst,pec,tpop,upop,cinc\n"
        "200,1900,,400,5000,,41000,12000,1.5e-01\n"
        "220,1900,abc,600,1500,40000,39000,9000,.07\n"
        "220,1901,NaN,600,1500,40000,39000,9000,.07\n"
        "220,1902,-3,600,1500,40000,39000,9000,.07\n",
        encoding="utf-8",
    )
    # replaces the fixture's import (47 triples) with one row: a drop past MAX_DROP_SHARE
    report = api.import_source(root, "cow-nmc", [path], replace_anyway=True)
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (4, 1, 3)
    assert report.version == ""
    assert "milex is not a number: 'abc'" in report.rejected[0]
    uk = ids.fact("capability", "200", "1900")
    rows = select(root, f"""SELECT ?p ?v WHERE {{ GRAPH <{GRAPH}> {{ <{uk}> ?p ?v }} }}""")
    values = {ids.local_name(r["p"]): r["v"] for r in rows}
    assert "milex" not in values and "pec" not in values
    assert values["cinc"] == "0.15"


# ------------------------------------------------------------------------- the real file


@pytest.fixture(scope="module")
def real_cache() -> dict:
    return {}


@pytest.fixture
def real(root, shared_data, real_cache) -> dict:
    """The real file imported once, with what the graph said right after (the other
    tests import the fixture over it)."""
    if not real_cache:
        path = shared_data / REAL
        report = api.import_source(root, "cow-nmc", [path])
        sum_1990 = select(
            root,
            f"""SELECT (SUM(?c) AS ?sum) (COUNT(?o) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{
                ?o cg:year 1990 ; cg:cinc ?c }} }}""",
        )[0]
        usa_1950 = select(
            root,
            f"""SELECT ?c WHERE {{ GRAPH <{GRAPH}> {{ ?o cg:state <{ids.nation("USA")}> ;
                cg:year 1950 ; cg:cinc ?c }} }}""",
        )
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        real_cache.update(report=report, sum_1990=sum_1990, usa_1950=usa_1950, rows=rows)
    return real_cache


def test_real_rows_read(real):
    report = real["report"]
    assert report.rows_read == len(real["rows"])
    assert report.rows_imported + report.rows_rejected == report.rows_read
    print(
        f"\nreal NMC: read {report.rows_read}, imported {report.rows_imported}, "
        f"rejected {report.rows_rejected}, unresolved {dict(report.unresolved)}, "
        f"{report.triples} triples, {report.seconds:.1f} s"
    )


def test_real_cinc_sum_1990(real):
    in_file = [Decimal(r["cinc"]) for r in real["rows"] if r["year"] == "1990"]
    assert Decimal(real["sum_1990"]["sum"]) == sum(in_file)
    assert int(real["sum_1990"]["n"]) == len(in_file)
    assert abs(sum(in_file) - 1) < Decimal("0.01")  # COW's shares: about 1 (README)


def test_real_usa_cinc_1950(real):
    in_file = [Decimal(r["cinc"]) for r in real["rows"] if (r["ccode"], r["year"]) == ("2", "1950")]
    assert len(in_file) == 1
    assert [Decimal(r["c"]) for r in real["usa_1950"]] == in_file
