"""Each recipient's donors over a window of years: the table of ``coopgraph dependence``."""

from __future__ import annotations

from typing import Any

from coopgraph.analyses.layers import layer_series
from coopgraph.errors import UsageError
from coopgraph.metrics import dependence as dependence_metrics
from coopgraph.scope import Scope

DEPENDENCE_COLUMNS = [
    "recipient", "recipient_name", "donor", "donor_name", "from", "to", "unit", "amount",
    "share", "hhi", "donors",
]  # fmt: skip


def check_layer(name: str) -> None:
    """Refuse a layer dependence is not measured on, in one line."""
    if name not in ("aid", "arms"):
        raise UsageError("dependence is measured on the aid or the arms layer")


def dependence(
    scope: Scope,
    first: int,
    last: int | None = None,
    *,
    name: str = "aid",
    recipient: str | None = None,
) -> list[dict[str, Any]]:
    """Each recipient's donors over the window ``first``..``last``: amount, the donor's
    share and the recipient's Herfindahl-Hirschman index of donor concentration
    (``coopgraph.metrics.dependence``). ``name`` is the aid (USD) or arms (TIV) layer;
    ``recipient`` (an id, name or alias) keeps that recipient's rows only."""
    check_layer(name)
    only = scope.resolve(recipient, "nation", what="--recipient") if recipient else None
    last = last if last is not None else first
    amounts: dict[tuple[str, str], float] = {}
    labels: dict[str, str] = {}
    for graph in layer_series(scope, name, first, last).values():
        labels.update({n: d.get("label", n) for n, d in graph.nodes(data=True)})
        for donor, recipient, d in graph.edges(data=True):
            if d["amount"] > 0:
                amounts[donor, recipient] = amounts.get((donor, recipient), 0.0) + d["amount"]
    share = dependence_metrics.shares(amounts)
    index = dependence_metrics.hhi(amounts)
    donors: dict[str, int] = {}
    for _, recipient in amounts:
        donors[recipient] = donors.get(recipient, 0) + 1
    unit = "USD" if name == "aid" else "SIPRI-TIV (millions)"
    rows = [
        {
            "recipient": recipient,
            "recipient_name": labels.get(recipient, recipient),
            "donor": donor,
            "donor_name": labels.get(donor, donor),
            "from": first,
            "to": last,
            "unit": unit,
            "amount": amount,
            "share": share[donor, recipient],
            "hhi": index[recipient],
            "donors": donors[recipient],
        }
        for (donor, recipient), amount in amounts.items()
    ]
    if only is not None:
        rows = [row for row in rows if row["recipient"] == only]
    return sorted(rows, key=lambda r: (r["recipient"], -r["amount"], r["donor"]))
