"""Aid dependence: how concentrated a recipient's donors are, and each donor's share.

Input: aid amounts per (donor, recipient) summed over a window of years (one unit: the
aid layer's current US dollars, or the arms layer's SIPRI TIV; never mixed).

- share: :math:`s_{dr} = a_{dr} / \\sum_{d'} a_{d'r}`, the donor's share of what the
  recipient received in the window;
- Herfindahl-Hirschman index of donor concentration: :math:`HHI_r = \\sum_d s_{dr}^2`,
  from :math:`1/n` (n equal donors) to 1 (a single donor) (Hirschman 1945, *National
  Power and the Structure of Foreign Trade*; Herfindahl 1950), the measure of dependence
  on a few suppliers used for arms imports (e.g. Kinsella 1998, "Arms transfer dependence
  and foreign policy conflict", Journal of Peace Research 35(1), 7-23).

Shares are only as complete as the donors the graph holds: with the curated data that is
mostly US aid, so a share of 1 means "all the aid coopgraph knows of", which the table says.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any


def shares(amounts: Mapping[tuple[Any, Any], float]) -> dict[tuple[Any, Any], float]:
    """(donor, recipient) -> the donor's share of the recipient's total.

    >>> shares({("USA", "EGY"): 3.0, ("RUS", "EGY"): 1.0})[("USA", "EGY")]
    0.75
    """
    totals: dict[Any, float] = defaultdict(float)
    for (_, recipient), amount in amounts.items():
        totals[recipient] += amount
    return {
        (donor, recipient): amount / totals[recipient]
        for (donor, recipient), amount in amounts.items()
        if totals[recipient] > 0
    }


def hhi(amounts: Mapping[tuple[Any, Any], float]) -> dict[Any, float]:
    """Recipient -> Herfindahl-Hirschman index of its donors' shares.

    >>> hhi({("USA", "EGY"): 3.0, ("RUS", "EGY"): 1.0})["EGY"]
    0.625
    >>> hhi({("USA", "ISR"): 5.0})["ISR"]
    1.0
    """
    index: dict[Any, float] = defaultdict(float)
    for (_, recipient), share in shares(amounts).items():
        index[recipient] += share * share
    return dict(index)
