"""Building the store: counts per graph, atomic replacement, clear errors."""

from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest

from coopgraph import api, ids, store
from coopgraph.errors import CoopgraphError

from .conftest import FIXTURE_DATA


def _copy_fixture(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, data)
    return data


def test_build_reports_triples_per_named_graph(fixture_store):
    counts = {c.graph: c.triples for c in store.counts(store.open_reader(fixture_store))}
    assert set(counts) == {
        ids.graph(n) for n in ("curated", "meta", "nations", "ontology", "shapes")
    }
    assert all(n > 0 for n in counts.values())


def test_rebuild_gives_the_same_graph(tmp_path):
    first = api.build(tmp_path / "s", data=FIXTURE_DATA)
    dump1 = sorted(
        str(q)
        for q in store.open_reader(tmp_path / "s").quads_for_pattern(
            None, None, None, ox.NamedNode(ids.graph("curated"))
        )
    )
    second = api.build(tmp_path / "s", data=FIXTURE_DATA)
    dump2 = sorted(
        str(q)
        for q in store.open_reader(tmp_path / "s").quads_for_pattern(
            None, None, None, ox.NamedNode(ids.graph("curated"))
        )
    )
    assert dump1 == dump2
    assert [c.triples for c in first.counts] == [c.triples for c in second.counts]
    assert len(list((tmp_path / "s" / "generations").iterdir())) <= store.KEEP


@pytest.mark.parametrize(
    ("file", "line", "bad", "message"),
    [
        ("memberships.csv", 3, "NATO,XXX,1949-08-24,,nato-members,", "unknown nation 'XXX'"),
        ("memberships.csv", 3, "NATO,GBR,1949-13-01,,nato-members,", "not a calendar date"),
        ("memberships.csv", 3, "NATO,GBR,1999,1990,nato-members,", "start 1999 is after end 1990"),
        ("memberships.csv", 3, "NATO,GBR,1949-08-24,,nato-members", "expected 6 fields, found 5"),
        ("aid.csv", 2, "USA,USA,1999,,,financing,x,1,USD,,,greenbook-2022,", "same nation"),
        ("aid.csv", 2, "USA,ISR,1999,,,financing,x,-5,USD,,,greenbook-2022,", "non-negative"),
        ("aid.csv", 2, "USA,ISR,1999,,,gifts,x,5,USD,,,greenbook-2022,", "unknown value 'gifts'"),
        ("memberships.csv", 3, "NATO,GBR,1949-08-24,,nowhere,", "unknown source 'nowhere'"),
        ("memberships.csv", 3, "NATO,GBR,3000,,nato-members,", "outside 1800-2100"),
        ("capitals.csv", 3, "FRA,Paris,2.35,248.86,,,nato-members", "lon: 248.86 is outside"),
        ("capitals.csv", 3, "FRA,Paris,north,2.35,,,nato-members", "lat: 'north' is not a number"),
        ("capitals.csv", 3, "FRA,Paris,48.86,2.35,1990,1949,nato-members", "is after end_year"),
        ("capitals.csv", 3, "FRA,,48.86,2.35,,,nato-members", "capital is empty"),
    ],
)
def test_bad_row_is_reported_with_file_and_line_and_store_is_kept(
    tmp_path, file, line, bad, message
):
    root = tmp_path / "store"
    api.build(root, data=FIXTURE_DATA)
    before = store.current_generation(root)
    data = _copy_fixture(tmp_path)
    lines = (data / file).read_text().splitlines()
    lines[line - 1] = bad
    (data / file).write_text("\n".join(lines) + "\n")
    with pytest.raises(CoopgraphError) as info:
        api.build(root, data=data)
    text = str(info.value)
    assert text.startswith(f"{data / file}:{line}: ") or f"{file}:{line}: " in text
    assert message in text
    assert "\n" not in text
    assert store.current_generation(root) == before
    assert len(list((root / "generations").iterdir())) == 1


def test_malformed_ontology_turtle_names_file_and_line(tmp_path):
    from coopgraph.paths import ontology_dir

    onto = tmp_path / "ontology"
    shutil.copytree(ontology_dir(), onto)
    text = (onto / "coopgraph.ttl").read_text().splitlines()
    text[40] = text[40] + ' "unterminated'
    (onto / "coopgraph.ttl").write_text("\n".join(text))
    with pytest.raises(CoopgraphError, match=r"coopgraph.ttl:4\d: invalid Turtle"):
        api.build(tmp_path / "s", data=FIXTURE_DATA, ontology=onto)
    assert not store.exists(tmp_path / "s")


def test_shacl_violation_stops_the_build_and_keeps_the_store(tmp_path):
    from coopgraph.build import ValidationFailed
    from coopgraph.paths import ontology_dir

    root = tmp_path / "store"
    api.build(root, data=FIXTURE_DATA)
    before = store.current_generation(root)
    onto = tmp_path / "ontology"
    shutil.copytree(ontology_dir(), onto)
    extra = """
cgs:S99-MembershipHasNote a sh:NodeShape ;
    sh:targetClass cg:Membership ;
    sh:property [ sh:path cg:note ; sh:minCount 1 ; sh:message "S99: note needed" ] .
"""
    (onto / "shapes.ttl").write_text((onto / "shapes.ttl").read_text() + extra)
    with pytest.raises(ValidationFailed) as info:
        api.build(root, data=FIXTURE_DATA, ontology=onto)
    assert len(info.value.violations) == 4  # the four fixture memberships have no note
    assert {v.message for v in info.value.violations} == {"S99: note needed"}
    assert store.current_generation(root) == before


def test_failed_write_leaves_previous_generation(tmp_path):
    root = tmp_path / "store"
    api.build(root, data=FIXTURE_DATA)
    before = store.current_generation(root)

    def boom(target):
        target.bulk_load(
            input=b"<http://a> <http://b> <http://c> .",
            format=ox.RdfFormat.N_TRIPLES,
        )
        raise RuntimeError("killed half-way")

    with pytest.raises(RuntimeError):
        store.write(root, boom, from_empty=True)
    assert store.current_generation(root) == before
    assert [p.name for p in (root / "generations").iterdir()] == [before.name]
    reader = store.open_reader(root)
    assert not any(True for _ in reader.quads_for_pattern(ox.NamedNode("http://a"), None, None))


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(CoopgraphError, match="no store here: run 'coopgraph build' first"):
        store.open_reader(tmp_path / "nothing")
