"""The W3C SPARQL 1.1 Protocol suite against ``coopgraph serve``, read from its manifest.

tests/protocol_suite.py reads the manifest (../shared/w3c_rdf_tests) and runs each test's
requests; its table must cover every test of the manifest, or the run fails. Every query
test and every bad-request test passes; the update tests are refused as read-only with a
4xx. bench/bench_protocol.py runs the same suite on the Oxigraph server beside.
"""

from __future__ import annotations

import pytest

from tests import protocol_suite
from tests.test_serve import Server

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

CASES = (
    {case.name: case for case in protocol_suite.read()} if protocol_suite.MANIFEST.exists() else {}
)
ABSENT = f"the W3C protocol tests are not at {protocol_suite.MANIFEST} (../shared/w3c_rdf_tests)"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    if not CASES:
        pytest.skip(ABSENT)
    root = tmp_path_factory.mktemp("protocol-store")
    protocol_suite.build_store(root, protocol_suite.graphs(list(CASES.values())))
    server = Server(root)
    yield server
    server.stop()


def test_the_table_covers_every_test_of_the_manifest():
    if not CASES:
        pytest.skip(ABSENT)
    kinds = [case.kind for case in CASES.values()]
    assert set(CASES) == set(protocol_suite.TABLE)  # read() refuses any difference
    assert (kinds.count("query"), kinds.count("bad query")) == (13, 7)  # the 20 query tests
    assert (kinds.count("update"), kinds.count("bad update")) == (7, 7)


@pytest.mark.parametrize("name", list(CASES) or ["suite-absent"])
def test_protocol(served, name):
    case = CASES[name]
    outcome = protocol_suite.run(case, served.url + "/sparql")
    if case.kind == "update":
        assert outcome.verdict == "refused", outcome.detail
        assert "read-only" in outcome.detail
    else:
        assert outcome.verdict == "pass", f"{case.title}: {outcome.detail}"
