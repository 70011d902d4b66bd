"""The years each source covers: recorded when its graph is written, listed by
``coopgraph sources``, dropped with the source, and a warning (never an error) when a
command asks for years outside it (coopgraph.coverage; issue 20)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from coopgraph import api, coverage, ids, store
from coopgraph.cli import main
from coopgraph.coverage import Coverage
from coopgraph.errors import CoverageWarning
from coopgraph.namespace import PREFIXES

from .conftest import FIXTURE_DATA, ROOT

IMPORTS = ROOT / "tests" / "fixtures" / "import"
#: The fixture roll calls are of 1990 and 1992; the votes resolve in the bundled data.
UNVOTES = [IMPORTS / "unvotes" / name for name in ("rollcalls.csv", "votes.csv")]
META = ox.NamedNode(ids.graph("meta"))
TEMPORAL = ox.NamedNode(PREFIXES["dcterms"] + "temporal")
DCAT = "http://www.w3.org/ns/dcat#"
GYEAR = ox.NamedNode(PREFIXES["xsd"] + "gYear")


@pytest.fixture
def fixture_copy(fixture_store, tmp_path) -> Path:
    """A private copy of the store built from tests/fixtures/data (dated 1949-2009)."""
    return Path(shutil.copytree(fixture_store, tmp_path / "store"))


@pytest.fixture
def bundled_copy(bundled_store, tmp_path) -> Path:
    """A private copy of the store built from data/ (its states resolve COW codes)."""
    return Path(shutil.copytree(bundled_store, tmp_path / "store"))


def covered(root: Path) -> dict[str, Coverage | None]:
    return {row["source"]: row["coverage"] for row in api.sources(root)}


def periods(root: Path, source: str) -> list[ox.Quad]:
    """Every quad of ``meta`` about or pointing at a graph's coverage."""
    reader = store.open_reader(root)
    found = list(reader.quads_for_pattern(None, TEMPORAL, None, META))
    nodes = [q.object for q in found if ids.graph(source) == q.subject.value]
    return [
        *[q for q in found if q.object in nodes],
        *[q for n in nodes for q in reader.quads_for_pattern(n, None, None, META)],
    ]


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


# --- recorded -------------------------------------------------------------------------


def test_build_records_the_years_of_curated_and_nations(fixture_store):
    # tests/fixtures/data: NATO from 1949-08-24 to France's return 2009-04-04; the states'
    # dates are the GDR's, 1949-10-07 to 1990-10-03
    assert covered(fixture_store) == {
        "curated": Coverage(1949, 2009),
        "nations": Coverage(1949, 1990),
    }
    reader = store.open_reader(fixture_store)
    curated = ox.NamedNode(ids.graph("curated"))
    (link,) = reader.quads_for_pattern(curated, TEMPORAL, None, META)
    assert isinstance(link.object, ox.NamedNode)  # removable by name, unlike a blank node
    about = {
        q.predicate.value: q.object for q in reader.quads_for_pattern(link.object, None, None, META)
    }
    assert about[PREFIXES["rdf"] + "type"] == ox.NamedNode(PREFIXES["dcterms"] + "PeriodOfTime")
    assert about[DCAT + "startDate"] == ox.Literal("1949", datatype=GYEAR)
    assert about[DCAT + "endDate"] == ox.Literal("2009", datatype=GYEAR)


def test_sources_lists_the_coverage(fixture_store):
    text = cli("--store", str(fixture_store), "sources")
    assert text.exit_code == 0 and "coverage" in text.stdout.splitlines()[0]
    rows = json.loads(cli("--store", str(fixture_store), "sources", "--format", "json").stdout)
    assert {r["source"]: r["coverage"] for r in rows} == {
        "curated": [1949, 2009],
        "nations": [1949, 1990],
    }
    out = cli("--store", str(fixture_store), "sources", "--format", "csv").stdout
    table = list(csv.DictReader(io.StringIO(out)))
    assert [(r["source"], r["coverage"]) for r in table] == [
        ("curated", "1949-2009"),
        ("nations", "1949-1990"),
    ]


def test_an_import_records_its_years_and_remove_drops_them(fixture_copy):
    api.import_source(fixture_copy, "unvotes", UNVOTES)
    assert covered(fixture_copy)["unvotes"] == Coverage(1990, 1992)
    assert len(periods(fixture_copy, "unvotes")) == 4  # the link, the type, the two years
    # a re-import replaces them rather than adding a second period
    api.import_source(fixture_copy, "unvotes", UNVOTES[:1])
    assert len(periods(fixture_copy, "unvotes")) == 4
    api.build(fixture_copy, data=FIXTURE_DATA)  # a rebuild keeps the import's provenance
    assert covered(fixture_copy)["unvotes"] == Coverage(1990, 1992)
    assert len(periods(fixture_copy, "unvotes")) == 4
    api.remove(fixture_copy, "unvotes")
    assert "unvotes" not in covered(fixture_copy)
    assert periods(fixture_copy, "unvotes") == []
    node = ox.NamedNode(ids.fact("coverage", "unvotes", "unvotes"))
    assert list(store.open_reader(fixture_copy).quads_for_pattern(node, None, None, None)) == []


def test_an_rdf_import_has_a_coverage_only_with_dated_facts(tmp_path):
    dated, plain = tmp_path / "dated.ttl", tmp_path / "plain.ttl"
    dated.write_text(
        "@prefix cg: <https://w3id.org/coopgraph/ontology#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<urn:x:a> cg:startDate "1971-05-01"^^xsd:date ; cg:year 1985 ; cg:note "1999" .\n'
    )
    plain.write_text('<urn:x:a> <urn:x:p> "2020" .\n')
    root = tmp_path / "store"
    api.import_source(root, "rdf", [dated])
    api.import_source(root, "rdf", [plain], graph="urn:x:plain")
    assert covered(root) == {"rdf": Coverage(1971, 1985), "urn:x:plain": None}
    assert periods(root, "rdf") and not any(
        q.subject.value == "urn:x:plain"
        for q in store.open_reader(root).quads_for_pattern(None, TEMPORAL, None, META)
    )


def test_real_un_votes_cover_1946_to_2015(bundled_copy, shared_data, tmp_path):
    """The published roll calls (with a few of their votes) give 1946-2015; asking
    align for 2014-2020 warns about 2016-2020 and still prints 2014 and 2015."""
    rollcalls = shared_data / "un_votes_voeten" / "un_roll_calls_1946_2015.csv.gz"
    votes = tmp_path / "votes.csv"  # roll calls 5313 (2014-10-28) and 5394 (2015-10-27)
    votes.write_text("rcid,ccode,vote\n5313,2,1\n5313,200,1\n5394,2,3\n5394,200,1\n")
    api.import_source(bundled_copy, "unvotes", [rollcalls, votes])
    assert covered(bundled_copy)["unvotes"] == Coverage(1946, 2015)
    args = ["--store", str(bundled_copy), "align", "--basis", "votes", "--dyad", "USA,GBR"]
    result = cli(*args, "--from", "2014", "--to", "2020", "--format", "csv")
    assert result.exit_code == 0
    assert result.stderr == (
        "coopgraph: warning: unvotes covers 1946-2015; 2016-2020 asked: "
        "those years have no data from it\n"
    )
    assert [line.split(",")[0] for line in result.stdout.splitlines()[1:]] == ["2014", "2015"]
    inside = cli(*args, "--from", "2014", "--to", "2015", "--format", "csv")
    assert inside.exit_code == 0 and inside.stderr == "" and inside.stdout == result.stdout


# --- the warning --------------------------------------------------------------------------


def test_metrics_outside_the_coverage_warns_and_still_prints(fixture_store):
    args = ["--store", str(fixture_store), "metrics", "--layer", "alliances", "--format", "csv"]
    outside = cli(*args, "--year", "2030")
    assert outside.exit_code == 0
    assert outside.stderr == (
        "coopgraph: warning: curated covers 1949-2009; 2030 asked: that year has no data from it\n"
    )
    # the membership without an end carries forward: the table is there
    assert "alliances,2030,1," in outside.stdout
    inside = cli(*args, "--year", "1999")
    assert inside.exit_code == 0 and inside.stderr == "" and "alliances,1999,1," in inside.stdout
    span = cli(*args, "--from", "1945", "--to", "2011")
    assert span.stderr == (
        "coopgraph: warning: curated covers 1949-2009; 1945-1948 and 2010-2011 asked: "
        "those years have no data from it\n"
    )


def test_align_votes_after_an_import_warns_per_source(bundled_copy):
    api.import_source(bundled_copy, "unvotes", UNVOTES)
    args = ["--store", str(bundled_copy), "align", "--basis", "votes", "--format", "csv"]
    result = cli(*args, "--from", "1990", "--to", "1994")
    assert result.exit_code == 0
    assert result.stderr == (
        "coopgraph: warning: unvotes covers 1990-1992; 1993-1994 asked: those years have "
        "no data from it\n"
    )
    assert result.stdout.splitlines()[1].startswith("1990,")
    inside = cli(*args, "--from", "1990", "--to", "1992")
    assert inside.stderr == "" and inside.stdout == result.stdout


def test_a_query_warns_only_when_no_source_covers_the_year(fixture_copy):
    api.import_source(fixture_copy, "unvotes", UNVOTES[:1])  # 1990-1992
    args = ["--store", str(fixture_copy), "query", "-n", "alliance-members-in-year"]
    outside = cli(*args, "-p", "year=2030", "--format", "csv")
    assert outside.exit_code == 0
    assert outside.stderr == (
        "coopgraph: warning: no source covers 2030 (curated covers 1949-2009; unvotes "
        "covers 1990-1992): that year has no data\n"
    )
    assert outside.stdout.startswith("code,")  # the carried-forward members still print
    assert len(outside.stdout.splitlines()) > 1
    # 2005: curated covers it, unvotes does not; one covering source is enough
    assert cli(*args, "-p", "year=2005").stderr == ""
    # with --sources, only the chosen count (never nations, whose states reach 1990)
    chosen = cli(*args, "-p", "year=2005", "--sources", "unvotes", "--format", "csv")
    assert chosen.stderr == (
        "coopgraph: warning: no source covers 2005 (unvotes covers 1990-1992): that year "
        "has no data\n"
    )
    dates = ["--store", str(fixture_copy), "query", "-n", "alliance-members"]
    assert "2030" in cli(*dates, "-p", "date=2030-01-01").stderr  # date parameters too
    assert cli(*dates, "-p", "date=1999-07-01").stderr == ""


def test_the_python_api_gives_a_python_warning_at_the_callers_line(fixture_store):
    with pytest.warns(CoverageWarning, match=r"^curated covers 1949-2009; 2030 asked") as seen:
        rows = api.metrics(fixture_store, 2030, ["alliances"])
    (warned,) = [w for w in seen if issubclass(w.category, CoverageWarning)]
    assert rows and warned.filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error", CoverageWarning)  # one inside the coverage raises
        api.metrics(fixture_store, 1999, ["alliances"])
        api.blocs(fixture_store, 1990, 2000)
        api.layer_series(fixture_store, "alliances", 1949, 2009)
    for call in (
        lambda: api.blocs(fixture_store, 2010),
        lambda: api.bloc_changes(fixture_store, 1999, 2012),
        lambda: api.dependence(fixture_store, 1999, 2011),
        lambda: api.whatif(fixture_store, 2010, leave="POL", alliance="NATO"),
        lambda: api.layer(fixture_store, "aid", 2020),
        lambda: api.layer_series(fixture_store, "alliances", 1940, 1950),
        lambda: api.export_layer(fixture_store, "alliances", 2020, "graphml"),
        lambda: api.viz(fixture_store, "alliances", first=1990, last=2015),
        lambda: api.aidalign(fixture_store, "USA", 1999, 2012),
    ):
        with pytest.warns(CoverageWarning, match=r"^curated covers 1949-2009; "):
            call()


def test_no_warning_where_the_coverage_is_unknown():
    """A store built before coverage was recorded, or a graph without dated facts."""
    loaded = {"old": {"coverage": None}, "new": {"coverage": Coverage(1946, 2015)}}
    with warnings.catch_warnings():
        warnings.simplefilter("error", CoverageWarning)
        coverage.warn_uncovered(loaded, ["old", "missing"], [2030])
        coverage.warn_unless_covered(loaded, ["old"], [2030])
        coverage.warn_unless_covered(loaded, ["old", "new"], [1990])
    with pytest.warns(
        CoverageWarning,
        match=r"^no source covers 2030 \(new covers 1946-2015\): that year has no data$",
    ):
        coverage.warn_unless_covered(loaded, ["old", "new"], [2030])
    with pytest.warns(CoverageWarning) as seen:
        coverage.warn_uncovered(loaded, ["new", "new"], [2016, 2030])  # once per source
    assert [str(w.message) for w in seen] == [
        "new covers 1946-2015; 2016 and 2030 asked: those years have no data from it"
    ]
