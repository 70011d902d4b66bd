"""Alignment measures: hand-computed values, invariants, and the align command."""

from __future__ import annotations

import csv
import io
import itertools

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import kendalltau

from coopgraph import api
from coopgraph.cli import main
from coopgraph.errors import UsageError
from coopgraph.metrics.alignment import alliance_portfolios, similarity

# three states over three positions: A and C agree everywhere, A and B differ twice
X = np.array([[3, 0, 3], [0, 3, 3], [3, 0, 3]])


def test_hand_computed_values():
    m = similarity(X, levels=4)
    # S: distances |3-0|/3 = 1, 1, 0 -> S = 1 - 2 * 2/3 = -1/3; squared distances the same
    assert m["s"][0, 1] == pytest.approx(-1 / 3)
    assert m["s2"][0, 1] == pytest.approx(-1 / 3)
    # kappa: D_o = (9 + 9 + 0) / 3 = 6; marginals {0: 1/3, 3: 2/3} for both,
    # D_e = 2 * 1/3 * 2/3 * 9 = 4 -> kappa = 1 - 6/4 = -0.5 (pi: same pooled marginal)
    assert m["kappa"][0, 1] == pytest.approx(-0.5)
    assert m["pi"][0, 1] == pytest.approx(-0.5)
    # tau-b: one discordant pair, one tie in each portfolio: -1 / sqrt(2 * 2)
    assert m["taub"][0, 1] == pytest.approx(-0.5)
    # Benati-Capurri A = S - E: independent positions with marginals {0: 1/3, 3: 2/3}
    # disagree (|3 - 0| / 3 = 1) with probability 2 * 1/3 * 2/3 = 4/9: E = 1 - 8/9
    assert m["bca"][0, 1] == pytest.approx(-1 / 3 - (1 - 8 / 9))
    for name in ("s", "s2", "kappa", "pi", "taub"):
        assert m[name][0, 2] == pytest.approx(1.0)


def test_an_unobserved_category_still_counts():
    """Only levels 0 and 3 occur, but the scale is 0-3: a 0-3 gap is the largest."""
    x = np.array([[3, 0], [0, 0]])
    assert similarity(x, levels=4)["s"][0, 1] == pytest.approx(0.0)  # 1 - 2 * (1 + 0)/2
    # on a scale of 0-5 the same gap is smaller
    assert similarity(x, levels=6)["s"][0, 1] == pytest.approx(1 - 2 * (3 / 5) / 2)
    # squared distances weigh the partial gap less than absolute ones
    assert similarity(x, levels=6)["s2"][0, 1] > similarity(x, levels=6)["s"][0, 1]


def test_states_without_alliances():
    states = ["A", "B", "C"]
    portfolios = alliance_portfolios(states, {})
    assert portfolios.tolist() == [[3, 0, 0], [0, 3, 0], [0, 0, 3]]
    m = similarity(portfolios, levels=4)
    assert m["s"][0, 1] == pytest.approx(1 - 2 * (2 / 3))
    assert np.allclose(np.diag(m["kappa"]), 1.0)


def test_ties_keep_the_highest_level():
    portfolios = alliance_portfolios(["A", "B"], {("A", "B"): 1, ("B", "A"): 3})
    assert portfolios.tolist() == [[3, 3], [3, 3]]


def test_tau_b_matches_scipy_with_ties():
    rng = np.random.default_rng(7)
    x = rng.integers(0, 4, size=(8, 30))
    m = similarity(x, levels=4)
    for i, j in itertools.combinations(range(8), 2):
        assert m["taub"][i, j] == pytest.approx(kendalltau(x[i], x[j]).statistic)


def test_missing_positions_are_left_out_pairwise():
    x = np.array([[0, 1, 2, -1, 0], [0, 2, 2, 1, -1], [2, -1, 0, 0, 0]])
    m = similarity(x, levels=3)
    for i, j in itertools.combinations(range(3), 2):
        both = (x[i] >= 0) & (x[j] >= 0)
        alone = similarity(np.stack([x[i][both], x[j][both]]), levels=3)
        for name in ("s", "s2", "kappa", "pi", "bca", "taub"):
            a, b = m[name][i, j], alone[name][0, 1]
            assert (np.isnan(a) and np.isnan(b)) or a == pytest.approx(b), name


def test_uniform_weights_give_the_unweighted_s():
    weights = np.full(3, 0.2)
    m = similarity(X, levels=4, weights=weights)
    assert np.allclose(m["s_w"], m["s"]) and np.allclose(m["s2_w"], m["s2"])
    heavy = similarity(X, levels=4, weights=np.array([0.0, 0.0, 1.0]))
    assert heavy["s_w"][0, 1] == pytest.approx(1.0)  # they agree on the only weighted state


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.int64, st.tuples(st.integers(2, 7), st.integers(2, 12)), elements=st.integers(-1, 3))
)
def test_invariants(x):
    m = similarity(x, levels=4)
    for name, values in m.items():
        finite = np.isfinite(values)
        assert np.allclose(values[finite], values.T[finite]), name  # symmetric
        assert np.all(values[finite] <= 1 + 1e-9), name  # at most 1
        assert np.all(values[finite] >= -1 - 1e-9) or name in ("kappa", "pi"), name
    # a state with itself: S is 1 wherever it has an observed position
    observed = (x >= 0).any(axis=1)
    assert np.allclose(np.diag(m["s"])[observed], 1.0)


def test_align_on_the_fixture(fixture_store):
    rows = api.align(fixture_store, 1999, 1999)
    by_pair = {(r["state1"], r["state2"]): r for r in rows}
    # 1999: FRA, GBR, POL, USA in NATO; Israel in no alliance; the GDR gone
    assert {s for pair in by_pair for s in pair} == {"FRA", "GBR", "ISR", "POL", "USA"}
    assert by_pair["GBR", "USA"]["s"] == pytest.approx(1.0)
    assert by_pair["GBR", "USA"]["kappa"] == pytest.approx(1.0)
    # Israel's only tie is to itself, every NATO member's are to the four: all differ
    assert by_pair["ISR", "USA"]["s"] == pytest.approx(-1.0)
    assert by_pair["ISR", "USA"]["n"] == 5
    directed = api.align(fixture_store, 1999, 1999, directed=True, dyads=[("USA", "GBR")])
    assert [(r["state1"], r["state2"]) for r in directed] == [("GBR", "USA"), ("USA", "GBR")]


def test_align_command(fixture_store):
    runner = CliRunner()
    out = runner.invoke(
        main,
        ["--store", str(fixture_store), "align", "--from", "1999", "--measure", "s,kappa",
         "--dyad", "USA,GBR", "--format", "csv"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert rows[0]["state1"] == "GBR" and rows[0]["ccode1"] == ""  # no COW code in the fixture
    assert list(rows[0])[:8] == ["year", "state1", "state2", "ccode1", "ccode2", "n", "s", "kappa"]
    assert api.align(fixture_store, 1999, 1999, dyads=[("USA", "GBR")])[0]["bca"] is not None
    bad = runner.invoke(main, ["--store", str(fixture_store), "align", "--from", "1999",
                               "--measure", "r2"])  # fmt: skip
    assert bad.exit_code == 2 and "unknown measure 'r2'" in bad.output
    backwards = runner.invoke(
        main, ["--store", str(fixture_store), "align", "--from", "2000", "--to", "1999"]
    )
    assert backwards.exit_code == 2 and "after --to" in backwards.output
    with pytest.raises(UsageError, match="cow-nmc"):
        api.align(fixture_store, 1999, 1999, measures=["s_w"])
