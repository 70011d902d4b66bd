"""Does military aid align a recipient's UN votes with its donor's? The table of
``coopgraph aidalign``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from coopgraph import project
from coopgraph.analyses.alignment import align
from coopgraph.errors import UsageError
from coopgraph.metrics import dependence as dependence_metrics
from coopgraph.scope import Scope

AIDALIGN_COLUMNS = [
    "donor", "recipient", "recipient_name", "year", "ccode1", "ccode2", "aid", "unit",
    "aid_constant_2020",
    "donor_share", "votes", "s", "kappa", "pi", "event", "kappa_before", "kappa_after",
    "kappa_change",
]  # fmt: skip
#: Years before and after an aid event over which alignment is averaged.
EVENT_YEARS = 3


def check_years(first: int, last: int) -> None:
    """Refuse a span that ends before it starts, in one line."""
    if first > last:
        raise UsageError(f"--from {first} is after --to {last}")


def aidalign(
    scope: Scope,
    donor: str,
    first: int,
    last: int,
    *,
    vote_sources: Sequence[str] = ("unvotes",),
    recipient: str | None = None,
) -> list[dict[str, Any]]:
    """Does military aid align a recipient's UN votes with its donor's?

    One row per recipient and year ``first``..``last`` in which the recipient received aid
    from ``donor`` or voted: the aid (current USD, from the aid layer of ``sources``, and
    in constant 2020 USD where the source gives it: the Greenbook import), the
    donor's share of the recipient's aid in that year among the donors the graph holds, and
    the recipient's UN voting alignment with the donor that year (S, Cohen's kappa and
    Scott's pi, see ``coopgraph.metrics.alignment``; ``votes`` = roll calls both voted on).
    ``event`` marks the years aid starts (none the year before), stops (none this year
    after some the year before) or rises (at least doubles); for those years
    ``kappa_before`` and ``kappa_after`` are the mean kappa over the ``EVENT_YEARS`` years
    before and after, and ``kappa_change`` their difference: the change in alignment after
    aid starts, rises or stops. ccode1 (donor), ccode2 (recipient) and year join the table
    with peacesciencer-style dyad-years. ``donor`` and ``recipient`` (only that recipient's
    rows) are ids, names or aliases (``Scope.resolve``).
    """
    check_years(first, last)
    states = scope.states
    donor = scope.resolve(donor, "nation", what="--donor")
    only = scope.resolve(recipient, "nation", what="--recipient") if recipient else None
    span = range(first - EVENT_YEARS, last + EVENT_YEARS + 1)
    layers = project.aid_layers(scope.reader, span[0], span[-1], graphs=scope.graphs)
    aid: dict[tuple[str, int], float] = {}
    constant: dict[tuple[str, int], float] = {}
    share: dict[tuple[str, int], float] = {}
    for year, graph in layers.items():
        amounts = {(d, r): data["amount"] for d, r, data in graph.edges(data=True)}
        shares = dependence_metrics.shares(amounts)
        for (d, r), amount in amounts.items():
            if d == donor and amount > 0:
                aid[r, year] = amount
                constant[r, year] = graph[d][r].get("amount_constant", 0.0)
                share[r, year] = shares.get((d, r), 0.0)
    kappa: dict[tuple[str, int], dict[str, Any]] = {}
    try:
        voting = align(
            scope,
            max(span[0], 1946),
            min(span[-1], 2100),
            basis="votes",
            measures=["s", "kappa", "pi"],
            sources=vote_sources,
            dyads=[(donor, other) for other in states.iris if other != donor],
        )
    except UsageError:
        voting = []  # no UN votes imported: the table holds the aid alone
    for row in voting:
        if donor in (row["state1"], row["state2"]):
            other = row["state2"] if row["state1"] == donor else row["state1"]
            kappa[other, row["year"]] = row

    def mean_kappa(recipient: str, years: range) -> float | None:
        values = [kappa[recipient, y]["kappa"] for y in years if (recipient, y) in kappa]
        values = [v for v in values if v is not None]
        return sum(values) / len(values) if values else None

    recipients = sorted({r for r, _ in aid} | {r for r, _ in kappa})
    if only is not None:
        recipients = [r for r in recipients if r == only]
    rows = []
    for recipient in recipients:
        for year in range(first, last + 1):
            now, before = aid.get((recipient, year), 0.0), aid.get((recipient, year - 1), 0.0)
            vote = kappa.get((recipient, year))
            if not now and vote is None:
                continue
            event = aid_event(now, before)
            row = {
                "donor": donor,
                "recipient": recipient,
                "recipient_name": states.labels.get(recipient, recipient),
                "year": year,
                "ccode1": states.ccode(donor, year),
                "ccode2": states.ccode(recipient, year),
                "aid": now,
                "unit": "USD",
                "aid_constant_2020": constant.get((recipient, year)) or None,
                "donor_share": share.get((recipient, year)),
                "votes": vote["n"] if vote else None,
                "s": vote["s"] if vote else None,
                "kappa": vote["kappa"] if vote else None,
                "pi": vote["pi"] if vote else None,
                "event": event,
                "kappa_before": None,
                "kappa_after": None,
                "kappa_change": None,
            }
            if event:
                earlier = mean_kappa(recipient, range(year - EVENT_YEARS, year))
                later = mean_kappa(recipient, range(year + 1, year + EVENT_YEARS + 1))
                row["kappa_before"], row["kappa_after"] = earlier, later
                if earlier is not None and later is not None:
                    row["kappa_change"] = later - earlier
            rows.append(row)
    return rows


def aid_event(now: float, before: float) -> str:
    """What happened to a recipient's aid this year against the year before: ``start``
    (none before), ``stop`` (none now after some), ``rise`` (at least doubled), or ''.

    >>> [aid_event(5, 0), aid_event(0, 5), aid_event(10, 5), aid_event(9, 5), aid_event(0, 0)]
    ['start', 'stop', 'rise', '', '']
    """
    if now and not before:
        return "start"
    if before and not now:
        return "stop"
    if before and now >= 2 * before:
        return "rise"
    return ""
