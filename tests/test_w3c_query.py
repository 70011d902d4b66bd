"""The W3C SPARQL 1.1 query-evaluation tests through ``coopgraph import rdf`` and ``coopgraph
query`` with the test's dataset (``tests/w3c_harness.py``).

One test per qualifying manifest entry, named by the entry (``aggregates/agg01`` for
``...data-sparql11/aggregates/manifest#agg01``). The tests that coopgraph does not pass are
listed, each with its reason, in docs/w3c-query-results.md: this file reads that table and
expects exactly those to fail (strict xfail), so the table and the outcomes cannot drift
apart. The data of each distinct dataset is imported once (a store per dataset, shared by
the tests that query it; queries only read). ``bench/w3c_query.py`` prints the counts
beside raw pyoxigraph's.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from . import w3c_harness as harness
from .conftest import ROOT

if not harness.SUITE.is_dir():
    pytest.skip(
        f"the W3C SPARQL test suite is not at {harness.SUITE} (../shared/w3c_rdf_tests is absent)",
        allow_module_level=True,
    )

TABLE = ROOT / "docs" / "w3c-query-results.md"
CASES, SKIPPED = harness.cases()
BY_IRI = {case.iri: case for case in CASES}
_ROW = re.compile(r"^\| `([^`]+)` \| (passes|fails) \| (passes|fails) \| (.+) \|$")


def documented() -> dict[str, tuple[str, str, str]]:
    """The table of docs/w3c-query-results.md: test id -> (raw pyoxigraph, coopgraph,
    reason), each outcome 'passes' or 'fails'."""
    rows = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line.strip())
        if match:
            rows[match.group(1)] = (match.group(2), match.group(3), match.group(4))
    return rows


DOCUMENTED = documented()


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """The store of a case's dataset, imported by ``coopgraph import rdf`` on first use."""
    made: dict[tuple, Path] = {}

    def store(case: harness.Case) -> Path:
        key = (case.data, case.graph_data)
        if key not in made:
            root = tmp_path_factory.mktemp("w3c") / "store"
            harness.build_store(case, root)
            made[key] = root
        return made[key]

    return store


@pytest.mark.parametrize(
    "test_iri", sorted(BY_IRI, key=lambda i: BY_IRI[i].id), ids=lambda i: BY_IRI[i].id
)
def test_query_evaluation(test_iri, stores, request):
    case = BY_IRI[test_iri]
    if case.id in DOCUMENTED and DOCUMENTED[case.id][1] == "fails":
        request.applymarker(pytest.mark.xfail(reason=DOCUMENTED[case.id][2], strict=True))
    outcome = harness.query_coopgraph(case, stores(case))
    assert outcome.passed, f"{case.id} ({case.name}): {outcome.detail}"


def test_table_names_qualifying_tests_and_counts_them():
    """Every row of the table names a test that qualifies, and the counts it states are
    the table's own."""
    ids = {case.id for case in CASES}
    assert set(DOCUMENTED) <= ids, sorted(set(DOCUMENTED) - ids)
    text = TABLE.read_text(encoding="utf-8")
    raw_fails = sum(1 for raw, _, _ in DOCUMENTED.values() if raw == "fails")
    ours_fails = sum(1 for _, ours, _ in DOCUMENTED.values() if ours == "fails")
    stated = (
        f"{len(CASES)} tests qualify: raw pyoxigraph passes {len(CASES) - raw_fails}, "
        f"coopgraph {len(CASES) - ours_fails}"
    )
    assert stated in " ".join(text.split()), stated


def test_raw_pyoxigraph_outcomes_are_the_tables():
    """Raw pyoxigraph fails exactly the tests the table says it fails (2 s: in memory)."""
    failing = {case.id for case in CASES if not harness.run_raw(case).passed}
    listed = {test for test, (raw, _, _) in DOCUMENTED.items() if raw == "fails"}
    assert failing == listed
