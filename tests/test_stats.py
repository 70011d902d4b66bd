"""coopgraph stats: counts per class, source and decade, and the gaps."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
from click.testing import CliRunner

from coopgraph import api, ids, store
from coopgraph import ntriples as nt
from coopgraph.cli import main
from coopgraph.namespace import CG
from coopgraph.paths import ontology_dir

from .conftest import FIXTURE_DATA


def _index(rows):
    return {(r["section"], r["class"], r["item"]): r["count"] for r in rows}


def _csv_rows(name: str) -> int:
    with (FIXTURE_DATA / name).open(encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_counts_on_the_fixture_match_its_files(fixture_store):
    got = _index(api.stats(fixture_store))
    assert got["classes", "State", ""] == _csv_rows("nations.csv")
    assert got["classes", "Alliance", ""] == _csv_rows("organisations.csv")
    assert got["classes", "Membership", ""] == _csv_rows("memberships.csv")
    assert got["classes", "AidFlow", ""] == _csv_rows("aid.csv")
    assert got["classes", "Participation", ""] == _csv_rows("participations.csv")
    assert got["classes", "Source", ""] == _csv_rows("sources.csv")
    assert got["classes", "Capital", ""] == _csv_rows("capitals.csv")
    # both fixture aid flows cite the Greenbook and start in fiscal year 1999 (Oct 1998)
    assert got["sources", "AidFlow", "greenbook-2022"] == 2
    assert got["decades", "AidFlow", "1990s"] == 2
    assert got["decades", "Membership", "1940s"] == 3
    assert got["unsourced", "Fact", ""] == 0
    # only the GDR has a COW code in the fixture crosswalk, and nobody a Wikidata ID
    assert got["no-cow-code", "State", "FRA GBR ISR POL USA"] == 5
    assert got["no-wikidata", "State", "DDR FRA GBR ISR POL USA"] == 6


def test_a_fact_without_source_is_counted(tmp_path):
    flow = ids.fact("aid", "USA", "ISR", "1999")
    graph = ids.graph("curated")
    quads = "".join(
        nt.quad(s, p, o, graph)
        for s, p, o in [
            (flow, nt.RDF_TYPE, nt.iri(CG.AidFlow)),
            (flow, CG.startDate, nt.literal("1999-01-01", datatype=nt.XSD + "date")),
        ]
    )

    def load(target):
        # the fact classes are the ontology's subclasses of cg:Fact
        target.bulk_load(
            path=str(ontology_dir() / "coopgraph.ttl"),
            format=ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode(ids.graph("ontology")),
        )
        store.load_nquads(target, quads.encode())

    store.write(tmp_path, load, from_empty=True)
    got = _index(api.stats(tmp_path))
    assert got["unsourced", "AidFlow", ""] == 1
    assert ("unsourced", "Fact", "") not in got


def test_stats_command_formats(fixture_store):
    runner = CliRunner()
    table = runner.invoke(main, ["--store", str(fixture_store), "stats"])
    assert table.exit_code == 0, table.output
    assert table.output.splitlines()[0].split() == ["section", "class", "item", "count"]
    as_json = runner.invoke(main, ["--store", str(fixture_store), "stats", "--format", "json"])
    rows = json.loads(as_json.output)
    assert {"section": "unsourced", "class": "Fact", "item": "", "count": 0} in rows
    as_csv = runner.invoke(main, ["--store", str(fixture_store), "stats", "--format", "csv"])
    assert list(csv.DictReader(io.StringIO(as_csv.output))) == [
        {k: str(v) for k, v in row.items()} for row in rows
    ]


def test_stats_without_a_store(tmp_path):
    result = CliRunner().invoke(main, ["--store", str(tmp_path / "none"), "stats"])
    assert result.exit_code != 0
    assert "no store here" in result.output
    assert "Traceback" not in result.output
