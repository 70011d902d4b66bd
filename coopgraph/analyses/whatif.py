"""What if a state left an alliance, or a donor stopped its aid: the table of
``coopgraph whatif``."""

from __future__ import annotations

from typing import Any

from coopgraph import project
from coopgraph.errors import UsageError
from coopgraph.metrics import blocs as bloc_metrics
from coopgraph.metrics.centrality import centrality_table
from coopgraph.scope import Scope

WHATIF_COLUMNS = [
    "code", "nation", "measure", "before", "after", "change", "bloc_before", "bloc_after",
]  # fmt: skip
WHATIF_MEASURES = ("strength", "betweenness", "eigenvector", "pagerank")


def whatif(
    scope: Scope,
    year: int,
    *,
    leave: str | None = None,
    alliance: str | None = None,
    stop_aid: str | None = None,
) -> list[dict[str, Any]]:
    """Every state's centrality and bloc in ``year`` before and after a change: ``leave``
    leaves ``alliance`` (alliance layer), or donor ``stop_aid`` gives no aid (aid layer).
    One row per state and measure (strength, betweenness, eigenvector, PageRank), sorted
    by the size of the change. States and alliances are ids, names or aliases
    (``Scope.resolve``); the alliance is checked first, so a misspelt one is named as such."""
    reader, graphs = scope.reader, scope.graphs
    if leave and alliance:
        alliance = scope.resolve(alliance, "organisation", what="--from")
        leave = scope.resolve(leave, "nation", what="--leave")
        before = project.alliance_layer(reader, year, graphs=graphs)
        if leave not in before:
            raise UsageError(f"'{leave}' is in no alliance in {year}")
        members = {
            row["code"]
            for row in project.rows(reader, "memberships-in-year", graphs, year=year)
            if row["alliance_id"] == alliance
        }
        if leave not in members:
            raise UsageError(f"'{leave}' is no member of '{alliance}' in {year}")
        after = project.alliance_layer(reader, year, graphs=graphs, leave={(alliance, leave)})
    elif stop_aid:
        stop_aid = scope.resolve(stop_aid, "nation", what="--stop-aid")
        before = project.aid_layer(reader, year, graphs=graphs)
        if stop_aid not in before:
            raise UsageError(f"'{stop_aid}' gives or gets no aid in {year}")
        after = before.copy()
        after.remove_edges_from(list(after.out_edges(stop_aid)))
    else:
        raise UsageError("say what changes: --leave STATE --from ALLIANCE, or --stop-aid DONOR")
    table_before, table_after = centrality_table(before), centrality_table(after)
    bloc_before = bloc_metrics.membership(bloc_metrics.blocs(before))
    bloc_after = bloc_metrics.membership(bloc_metrics.blocs(after))
    rows = []
    for node in before:
        for measure in WHATIF_MEASURES:
            old = table_before[node][measure]
            new = table_after.get(node, {}).get(measure, 0.0)
            rows.append(
                {
                    "code": node,
                    "nation": before.nodes[node].get("label", node),
                    "measure": measure,
                    "before": old,
                    "after": new,
                    "change": new - old,
                    "bloc_before": bloc_before.get(node),
                    "bloc_after": bloc_after.get(node),
                }
            )
    return sorted(rows, key=lambda r: (-abs(r["change"]), r["code"], r["measure"]))
