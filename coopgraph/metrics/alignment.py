"""Foreign-policy similarity of every pair of states, vectorised over all dyads of a year.

Input: a portfolio matrix ``X`` of shape (n states, k positions) holding ordinal
categories ``0 .. L-1`` and ``-1`` where a position is missing. For alliance portfolios
``X[i, k]`` is state i's tie to third state k (0 none, 1 entente or consultation, 2
neutrality or non-aggression, 3 defence pact, as Signorino and Ritter code them), with
each state's tie to itself coded at the top level; for UN votes it is state i's vote on
roll call k (0 yes, 1 abstain, 2 no; absent or not a member: -1).

Everything is computed from the pairwise contingency tables ``T[a, b, i, j]`` = number
of positions k observed for both i and j where i is in category a and j in category b,
one matrix product per pair of categories (``T[a, b] = A_a @ A_b.T`` with ``A_a`` the
indicator matrix of category a), so a year of 200 states costs a few dozen BLAS calls,
not a Python loop over 20,000 dyads.

Measures (N_ij = positions observed for both; d_max = L - 1):

- ``s`` and ``s2``: Signorino and Ritter's S (1999, "Tau-b or not tau-b", International
  Studies Quarterly 43: 115-144) with absolute and squared distances,
  ``S = 1 - 2 * sum_k w_k delta_k / sum_k w_k``, ``delta_k = |x_ik - x_jk| / d_max`` (or
  its square); ``w_k = 1``, or for the weighted variants ``s_w``/``s2_w`` the share of
  third state k in the year's capabilities (COW CINC), as Signorino and Ritter propose.
- ``kappa``: Cohen's kappa with quadratic weights (Häge 2011, "Choice or circumstance?
  Adjusting measures of foreign policy similarity for chance agreement", Political
  Analysis 19: 287-305), ``kappa = 1 - D_o / D_e`` with observed disagreement
  ``D_o = sum_ab T_ab (a - b)^2 / N`` and expected disagreement from each state's own
  marginal distribution ``D_e = sum_ab r_a c_b (a - b)^2 / N^2``.
- ``pi``: Scott's pi with quadratic weights (Häge 2011), as kappa but with the expected
  disagreement from the pooled marginal ``p_a = (r_a + c_a) / 2N``:
  ``D_e = sum_ab p_a p_b (a - b)^2``.
- ``bca``: Benati and Capurri's alignment index (2026, "The Alignment index and its
  application to voting at the United Nations General Assembly", Quality & Quantity,
  doi:10.1007/s11135-026-02814-x), a chance-corrected S: the unweighted S with absolute
  distances minus the S expected if the two states took their positions independently,
  ``A = S - E``, ``E = 1 - 2 * sum_ab r_a c_b |a - b| / (d_max N^2)``.
- ``taub``: Kendall's tau-b of the two portfolios (Bueno de Mesquita 1975, "Measuring
  systemic polarity", Journal of Conflict Resolution 19: 187-216),
  ``tau_b = (C - D) / sqrt((n0 - n1)(n0 - n2))`` with C and D the concordant and
  discordant pairs of positions, n0 = N(N-1)/2 and n1, n2 the pairs tied in each
  portfolio.

A measure whose denominator is zero (two states with no observed position in common, or
no variation at all) is NaN: undefined, not zero.

>>> import numpy as np
>>> X = np.array([[3, 0, 3], [0, 3, 3], [3, 0, 3]])
>>> m = similarity(X, levels=4)
>>> float(m["s"][0, 2]), float(m["kappa"][0, 2])
(1.0, 1.0)
>>> round(float(m["s"][0, 1]), 4)
-0.3333
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MEASURES = ("s", "s2", "s_w", "s2_w", "kappa", "pi", "bca", "taub")


def contingency(X: np.ndarray, levels: int, weights: np.ndarray | None = None) -> np.ndarray:
    """``T[a, b, i, j]``: positions (weighted by ``weights`` over k, if given) observed for
    both i and j with i in category a and j in category b."""
    indicators = np.stack([np.equal(X, a).astype(np.float64) for a in range(levels)])
    right = indicators if weights is None else indicators * weights[np.newaxis, np.newaxis, :]
    return np.einsum("aik,bjk->abij", indicators, right, optimize=True)


def similarity(
    X: np.ndarray,
    *,
    levels: int,
    weights: np.ndarray | None = None,
    measures: Sequence[str] = MEASURES,
) -> dict[str, np.ndarray]:
    """Each measure of ``measures`` as an (n, n) matrix over the rows of ``X``.

    ``weights`` (length k, e.g. CINC shares of the third states) is needed for ``s_w``
    and ``s2_w``; without it those are left out.
    """
    X = np.asarray(X)
    a = np.arange(levels, dtype=np.float64)
    gap = np.abs(a[:, None] - a[None, :])
    d_max = max(levels - 1, 1)
    T = contingency(X, levels)
    N = T.sum(axis=(0, 1))
    out: dict[str, np.ndarray] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, power, table, total in (
            ("s", 1, T, N),
            ("s2", 2, T, N),
        ):
            if name in measures:
                dist = np.einsum("ab,abij->ij", (gap / d_max) ** power, table)
                out[name] = np.where(total > 0, 1 - 2 * dist / total, np.nan)
        if weights is not None and ({"s_w", "s2_w"} & set(measures)):
            Tw = contingency(X, levels, np.asarray(weights, dtype=np.float64))
            Nw = Tw.sum(axis=(0, 1))
            for name, power in (("s_w", 1), ("s2_w", 2)):
                if name in measures:
                    dist = np.einsum("ab,abij->ij", (gap / d_max) ** power, Tw)
                    out[name] = np.where(Nw > 0, 1 - 2 * dist / Nw, np.nan)
        square = gap**2
        observed = np.einsum("ab,abij->ij", square, T) / N
        rows = T.sum(axis=1)  # r_a: i's marginal over the jointly observed positions
        cols = T.sum(axis=0)  # c_b: j's marginal
        if "kappa" in measures:
            expected = np.einsum("ab,aij,bij->ij", square, rows, cols) / N**2
            out["kappa"] = 1 - observed / expected
        if "pi" in measures:
            pooled = (rows + cols) / (2 * N)
            expected = np.einsum("ab,aij,bij->ij", square, pooled, pooled)
            out["pi"] = 1 - observed / expected
        if "bca" in measures:
            s_obs = 1 - 2 * np.einsum("ab,abij->ij", gap / d_max, T) / N
            s_exp = 1 - 2 * np.einsum("ab,aij,bij->ij", gap / d_max, rows, cols) / N**2
            out["bca"] = s_obs - s_exp
        if "taub" in measures:
            concordant = np.zeros(N.shape)
            discordant = np.zeros(N.shape)
            for x in range(levels):
                for y in range(levels):
                    above = T[x + 1 :, y + 1 :].sum(axis=(0, 1))
                    below = T[x + 1 :, :y].sum(axis=(0, 1))
                    concordant += T[x, y] * above
                    discordant += T[x, y] * below
            pairs = N * (N - 1) / 2
            tied_i = (rows * (rows - 1) / 2).sum(axis=0)
            tied_j = (cols * (cols - 1) / 2).sum(axis=0)
            out["taub"] = (concordant - discordant) / np.sqrt((pairs - tied_i) * (pairs - tied_j))
    for name in out:
        out[name] = np.where(np.isfinite(out[name]), out[name], np.nan)
    return out


def alliance_portfolios(
    states: Sequence[str], ties: dict[tuple[str, str], int], top: int = 3
) -> np.ndarray:
    """The (n, n) alliance portfolio matrix: ``ties[(a, b)]`` (either order) is the tie
    level of two states; each state's tie to itself is ``top``."""
    index = {s: i for i, s in enumerate(states)}
    X = np.zeros((len(states), len(states)), dtype=np.int64)
    np.fill_diagonal(X, top)
    for (a, b), level in ties.items():
        if a in index and b in index and a != b:
            i, j = index[a], index[b]
            X[i, j] = X[j, i] = max(X[i, j], level)
    return X
