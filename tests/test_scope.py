"""A command opens its store once (issue 19): the scope is opened at the top of each api
function and passed down, never reopened by path below it."""

from __future__ import annotations

import pytest

from coopgraph import api, location, queries
from coopgraph.scope import Scope


@pytest.fixture
def opens(monkeypatch):
    """Counts of store opens and library queries run while the test runs."""
    counted = {"opens": 0, "queries": 0}
    open_reader = location.LocalStore.reader
    run = queries.run

    def counting_reader(self):
        counted["opens"] += 1
        return open_reader(self)

    def counting_run(*args, **kwargs):
        counted["queries"] += 1
        return run(*args, **kwargs)

    monkeypatch.setattr(location.LocalStore, "reader", counting_reader)
    monkeypatch.setattr(queries, "run", counting_run)
    return counted


def test_a_decade_of_the_multiplex_opens_the_store_once(bundled_store, opens):
    rows = api.metrics(bundled_store, 1990, ["multiplex"], last=1999)
    assert {r["year"] for r in rows} == set(range(1990, 2000))
    assert opens["opens"] == 1


@pytest.mark.parametrize(
    "call",
    [
        lambda root: api.metrics(root, 1999),
        lambda root: api.align(root, 1990, 1990),
        lambda root: api.blocs(root, 1990, 1991),
        lambda root: api.bloc_changes(root, 1985, 1995),
        lambda root: api.dependence(root, 2000, 2005),
        lambda root: api.whatif(root, 1999, leave="POL", alliance="NATO"),
        lambda root: api.aidalign(root, "USA", 2000, 2002),
        lambda root: api.viz(root, "ego", "POL", first=1990, last=2000),
        lambda root: api.export(root, "nquads", sources=["curated"]),
        lambda root: api.void(root),
        lambda root: api.export_layer(root, "multiplex", 1999, "gexf"),
        lambda root: api.stats(root),
    ],
    ids=[
        "metrics",
        "align",
        "blocs",
        "changes",
        "dependence",
        "whatif",
        "aidalign",
        "viz",
        "export",
        "void",
        "export-layer",
        "stats",
    ],  # fmt: skip
)
def test_every_command_opens_the_store_once(bundled_store, opens, call):
    call(bundled_store)
    assert opens["opens"] == 1


def test_a_scope_passed_in_is_not_reopened(bundled_store, opens):
    scope = Scope.open(bundled_store, ["curated"])
    api.metrics(scope, 1999)
    api.viz(scope, "alliances", first=1998, last=1999)
    assert opens["opens"] == 1


def test_selecting_other_sources_shares_the_open_store(bundled_store, opens):
    scope = Scope.open(bundled_store, ["curated"])
    every = scope.select(None)
    assert every.graphs is None and scope.graphs is not None
    assert every.reader is scope.reader and every.states is scope.states
    with pytest.raises(api.CoopgraphError, match="source 'nope' is not loaded"):
        scope.select(["nope"])
    assert opens["opens"] == 1
