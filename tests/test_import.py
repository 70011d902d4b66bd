"""coopgraph import, sources and remove: the runner, the UN votes and COW states importers."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from coopgraph import api, ids, queries, store
from coopgraph.cli import main
from coopgraph.errors import CoopgraphError, UsageError

from .conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "import"
UNVOTES = [
    FIXTURES / "unvotes" / name
    for name in ("votes.csv", "rollcalls.csv", "descriptions.csv", "issues.csv")
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A store built from the bundled data/ (the states every import resolves to)."""
    path = tmp_path_factory.mktemp("built") / "store"
    api.build(path)
    return path


@pytest.fixture
def root(built, tmp_path) -> Path:
    """A private copy of the built store, for a test that changes it."""
    copy = tmp_path / "store"
    shutil.copytree(built, copy)
    return copy


def select(root: Path, text: str, graphs: list[str] | None = None) -> list[list[str]]:
    q = queries.load(text=text)
    result = queries.run(store.open_reader(root), q, graphs=graphs)
    return [[t.value if t is not None else "" for t in row] for row in result]


def graph_dump(root: Path, name: str) -> list[str]:
    node = ox.NamedNode(ids.graph(name))
    return sorted(str(q) for q in store.open_reader(root).quads_for_pattern(None, None, None, node))


def test_unvotes_fixture_counts_resolution_and_reports(root):
    report = api.import_source(root, "unvotes", UNVOTES)
    # votes: 11 rows; roll calls 3; descriptions 2; issues 2
    assert report.rows_read == 11 + 3 + 2 + 2
    by_file = {f.path.name: f for f in report.files}
    votes = by_file["votes.csv"]
    # 10,255,9 is "not a member": skipped; 999, vote 5, rcid 99 and a short row rejected
    assert (votes.rows_imported, votes.rows_skipped, votes.rows_rejected) == (6, 1, 4)
    assert by_file["descriptions.csv"].rows_skipped == 1  # rcid 500 has no votes here
    assert by_file["issues.csv"].rows_rejected == 1
    assert report.unresolved == {"COW 999": 1}
    assert any("votes.csv:8:" in r and "999" in r for r in report.rejected)
    assert any("votes.csv:9:" in r and "not 1, 2, 3, 8 or 9" in r for r in report.rejected)
    assert any("votes.csv:12:" in r and "expected 3 fields" in r for r in report.rejected)
    # COW 365 is the USSR in 1990 and Russia in 1992
    rows = select(
        root,
        "SELECT ?rc ?who ?how WHERE { ?n ?how ?r ; skos:notation ?who . ?r cg:rcid ?rc ."
        " FILTER (?how IN (cg:votedYes, cg:votedNo, cg:abstained, cg:absent)) } ORDER BY ?rc ?who",
    )
    got = [(rc, who, how.rsplit("#", 1)[1]) for rc, who, how in rows]
    assert got == [
        ("10", "DDR", "abstained"),
        ("10", "SUN", "votedNo"),
        ("10", "USA", "votedYes"),
        ("11", "RUS", "votedYes"),
        ("11", "USA", "votedNo"),
        ("12", "USA", "absent"),
    ]
    meta = select(
        root,
        "SELECT ?t ?d ?i WHERE { ?r cg:rcid 10 ; dcterms:title ?t ; dcterms:description ?d ;"
        " cg:issue ?i }",
    )
    assert meta == [["A SHORT TITLE", "A long description, with a comma", "me"]]


def test_import_is_idempotent_and_replaces_atomically(root):
    api.import_source(root, "unvotes", UNVOTES)
    first = graph_dump(root, "unvotes")
    generation = store.current_generation(root)
    api.import_source(root, "unvotes", UNVOTES)
    assert graph_dump(root, "unvotes") == first
    assert store.current_generation(root) != generation
    loaded = api.sources(root)
    assert [s["source"] for s in loaded].count("unvotes") == 1


def test_strict_refuses_and_keeps_the_store(root):
    api.import_source(root, "cow-states", [FIXTURES / "cow-states" / "states.csv"])
    before = store.current_generation(root)
    dump = graph_dump(root, "cow-states")
    with pytest.raises(CoopgraphError) as info:
        api.import_source(root, "unvotes", UNVOTES, strict=True)
    assert "votes.csv:8:" in str(info.value) and "--strict" in str(info.value)
    assert store.current_generation(root) == before
    assert graph_dump(root, "cow-states") == dump
    assert graph_dump(root, "unvotes") == []


def test_cow_states_fixture(root):
    report = api.import_source(root, "cow-states", [FIXTURES / "cow-states" / "states.csv"])
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (5, 3, 2)
    assert report.version == "2016"
    rows = select(
        root,
        "SELECT ?who ?start ?end WHERE { ?m a cg:SystemMembership ; cg:state/skos:notation ?who ;"
        " cg:startDate ?start . OPTIONAL { ?m cg:endDate ?end } } ORDER BY ?who",
    )
    # the USA and Russia are still in the system in 2016 (no end); COW 365 in 1816 is Russia
    assert rows == [
        ["DDR", "1954-03-25", "1990-10-02"],
        ["RUS", "1816-01-01", ""],
        ["USA", "1816-01-01", ""],
    ]


def test_remove_and_sources(root):
    api.import_source(root, "cow-states", [FIXTURES / "cow-states" / "states.csv"])
    names = {s["source"] for s in api.sources(root)}
    assert {"cow-states", "curated", "nations"} <= names
    assert api.remove(root, "cow-states") > 0
    assert "cow-states" not in {s["source"] for s in api.sources(root)}
    assert graph_dump(root, "cow-states") == []
    with pytest.raises(UsageError, match="not loaded"):
        api.remove(root, "cow-states")
    with pytest.raises(UsageError, match="part of every build"):
        api.remove(root, "curated")


def test_build_keeps_imported_sources(root):
    api.import_source(root, "cow-states", [FIXTURES / "cow-states" / "states.csv"])
    dump = graph_dump(root, "cow-states")
    api.build(root)
    assert graph_dump(root, "cow-states") == dump
    assert "cow-states" in {s["source"] for s in api.sources(root)}


def test_source_selection_limits_queries(root):
    api.import_source(root, "unvotes", UNVOTES)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s cg:votedYes ?r }"
    assert select(root, count) == [["2"]]
    curated_only = api.scope(root, ["curated"])
    assert select(root, count, curated_only) == [["0"]]
    assert select(root, count, api.scope(root, ["unvotes"])) == [["2"]]
    with pytest.raises(UsageError, match="not loaded"):
        api.scope(root, ["atop"])


def test_cli_import_messages(root):
    runner = CliRunner()
    ok = runner.invoke(main, ["--store", str(root), "import", "unvotes", *map(str, UNVOTES)])
    assert ok.exit_code == 0, ok.output
    assert "rejected" in ok.output and "unresolved: COW 999 (1 rows)" in ok.output
    unknown = runner.invoke(main, ["--store", str(root), "import", "nosuch", str(UNVOTES[0])])
    assert unknown.exit_code == 2 and "unknown source 'nosuch'" in unknown.output
    missing = runner.invoke(main, ["--store", str(root), "import", "unvotes", "/no/file.csv"])
    assert missing.exit_code == 1 and "/no/file.csv: no such file" in missing.output
    wrong = runner.invoke(
        main,
        ["--store", str(root), "import", "unvotes", str(FIXTURES / "cow-states" / "states.csv")],
    )
    assert wrong.exit_code == 1 and "states.csv:1: not a UN votes file" in wrong.output
    listing = runner.invoke(main, ["--store", str(root), "sources", "--format", "csv"])
    assert listing.exit_code == 0 and "unvotes," in listing.output
    for result in (ok, unknown, missing, wrong, listing):
        assert "Traceback" not in result.output


def test_a_malformed_file_names_file_and_line(root, tmp_path):
    bad = tmp_path / "rollcalls.csv.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00broken gzip")
    with pytest.raises(CoopgraphError) as info:
        api.import_source(root, "unvotes", [bad])
    assert str(bad) in str(info.value)
    assert "\n" not in str(info.value)


def test_real_un_votes(root, shared_data):
    folder = shared_data / "un_votes_voeten"
    files = [folder / "un_votes_1946_2015.csv.gz", folder / "un_roll_calls_1946_2015.csv.gz"]
    report = api.import_source(root, "unvotes", files)
    assert report.rows_rejected == 0 and not report.unresolved
    votes = next(f for f in report.files if f.path.name.startswith("un_votes"))
    assert votes.rows_read == 1_066_613
    assert votes.rows_skipped == 254_521  # code 9: not a UN member
    one = select(root, "SELECT (COUNT(?r) AS ?n) WHERE { ?r a cg:RollCall ; cg:year 1964 }")
    assert one == [["1"]]  # the Article 19 crisis: one recorded roll call in 1964


def test_an_import_killed_midway_leaves_the_store_as_it_was(root, shared_data):
    """SIGKILL an import of the 1M-vote file while it streams; the store must reopen as
    it was, and the next import must clean up after the dead one."""
    folder = shared_data / "un_votes_voeten"
    before = store.current_generation(root)
    counts = store.counts(store.open_reader(root))
    env = {**os.environ, "COOPGRAPH_STORE": str(root)}
    process = subprocess.Popen(
        [sys.executable, "-m", "coopgraph.cli", "import", "unvotes",
         str(folder / "un_votes_1946_2015.csv.gz"), str(folder / "un_roll_calls_1946_2015.csv.gz")],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not list(root.glob(".import-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # well into the streaming of rows
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert store.current_generation(root) == before
    assert store.counts(store.open_reader(root)) == counts
    api.import_source(root, "cow-states", [FIXTURES / "cow-states" / "states.csv"])
    assert not list(root.glob(".import-*"))


def test_real_cow_state_system(root, shared_data):
    states = shared_data / "cow_state_system_2016" / "states2016.csv"
    report = api.import_source(root, "cow-states", [states])
    assert (report.rows_read, report.rows_rejected) == (243, 0)
    in_year = (
        "SELECT (COUNT(DISTINCT ?c) AS ?codes) (COUNT(DISTINCT ?n) AS ?states) WHERE {{"
        " ?m a cg:SystemMembership ; cg:state ?n ; cg:code ?c ; cg:startDate ?s ."
        " OPTIONAL {{ ?m cg:endDate ?e }}"
        " FILTER (YEAR(?s) <= {y} && (!BOUND(?e) || YEAR(?e) >= {y})) }}"
    )
    assert select(root, in_year.format(y=1816)) == [["23", "23"]]  # COW: 23 in 1816
    # COW counts 165 in 1990: West Germany (260) and Germany (255) both, which are one
    # coopgraph state (DEU)
    assert select(root, in_year.format(y=1990)) == [["165", "164"]]
