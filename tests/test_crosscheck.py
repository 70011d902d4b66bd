"""Cross-checks of the curated data against ATOP, COW and the ISAF placemats."""

from __future__ import annotations

import csv
import sys

import pytest

from coopgraph import crosscheck
from coopgraph.crosscheck import Span
from coopgraph.paths import PROJECT_ROOT, data_dir

sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
import crosscheck as script  # noqa: E402  (scripts/crosscheck.py)

#: The agreement reached when the data last changed; a drop fails the test. Raise these
#: when a correction raises the figures (scripts/crosscheck.py prints them).
FLOORS = {
    ("alliances", "atop"): (1.000, 0.905, 0.975),
    ("alliances", "cow"): (0.874, 0.890, 0.818),
    ("states", "cow-states"): (0.990, 0.995, 1.000),
    ("isaf", "isaf-placemats"): (1.000, 1.000, 1.000),
}


def test_compare_counts_members_starts_and_ends():
    ours = {
        ("A", "X"): Span(1950, None),
        ("A", "Y"): Span(1950, 1960),
        ("A", "Z"): Span(1950, None),
        ("A", "LATE"): Span(2015, None),  # after the dataset's last year: not expected
    }
    theirs = {
        ("A", "X"): Span(1949, None),  # a year apart: agrees
        ("A", "Y"): Span(1955, None),  # start 5 years apart, and open in the dataset
        ("A", "W"): Span(1950, None),
    }
    result = crosscheck.compare("alliances", "atop", ours, theirs, last_year=2012)
    assert (result.ours, result.theirs, result.both) == (3, 3, 2)
    assert result.members == pytest.approx(2 / 4)
    assert (result.same_start, result.same_end) == (1, 1)
    kinds = {(d.nation, d.difference) for d in result.differences}
    assert kinds == {("Y", "start"), ("Y", "end"), ("Z", "only-coopgraph"), ("W", "only-dataset")}


def test_an_end_after_the_datasets_last_year_counts_as_open():
    result = crosscheck.compare(
        "alliances", "cow", {("A", "X"): Span(1950, 2020)}, {("A", "X"): Span(1950, None)}, 2012
    )
    assert result.differences == [] and result.ends == 1.0


def test_successor_states_are_one_member_for_the_datasets():
    identity = crosscheck.successions(data_dir())
    assert identity["SUN"] == identity["RUS"]  # COW 365
    assert identity["GMY"] == identity["DEU"]  # COW 255: the German Reich, unified Germany
    assert "USA" not in identity


def test_differences_file_is_sorted_and_complete():
    path = data_dir() / crosscheck.DIFFERENCES_FILE
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == crosscheck.DIFFERENCE_COLUMNS
        rows = list(reader)
    keys = [tuple(r[c] for c in crosscheck.DIFFERENCE_COLUMNS[:-1]) for r in rows]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert all(r["explanation"] for r in rows)


@pytest.fixture(scope="module")
def results(request):
    shared = PROJECT_ROOT.parent / "shared" / "data"
    if not shared.is_dir():
        pytest.skip(f"research datasets not found at {shared} (see README, 'The data')")
    return script.run(shared, data_dir())


def test_every_difference_is_explained(results):
    missing = crosscheck.unexplained(data_dir(), results)
    assert missing == [], "explain these in data/checks/differences.csv: " + "; ".join(
        f"{d.key} ours {d.ours} theirs {d.theirs}" for d in missing
    )
    assert crosscheck.stale(data_dir(), results) == []


def test_agreement_does_not_drop(results):
    assert {(r.check, r.dataset) for r in results} == set(FLOORS)
    for r in results:
        members, starts, ends = FLOORS[r.check, r.dataset]
        got = (round(r.members, 3), round(r.starts, 3), round(r.ends, 3))
        print(r.check, r.dataset, "members, starts, ends:", got)
        assert got[0] >= members and got[1] >= starts and got[2] >= ends, (r.check, r.dataset)


def test_nato_members_agree_with_both_datasets(results):
    """The best-documented alliance: every NATO member to 2012 in ATOP and COW alike."""
    for r in results:
        if r.check == "alliances":
            nato = [d for d in r.differences if d.organisation == "NATO"]
            allowed = {"start"} if r.dataset == "atop" else {"only-coopgraph"}
            assert {d.difference for d in nato} <= allowed
