"""The one boundary between RDF and networkx.

Every projection runs named queries from the library and turns their rows into plain
Python: networkx graphs per year (the layers), the tables the analyses start from, and
the dated histories of the HTML views. No other package turns RDF into networkx.

- ``rows``: RDF terms into Python values, one library query's rows as dicts;
- ``layers``: the alliance, aid, arms, operations and votes layers of a year (and of
  every year of a span from one query), their multiplex and sums over windows;
- ``inputs``: the analyses' inputs: states by year with their COW codes, alliance ties,
  UN votes and capabilities;
- ``history``: every fact of a span as a dated edge, for the HTML views (their sentences
  are ``coopgraph.outputs.facts``').

The year mode is DESIGN.md's "in a year" (``coopgraph.dates.holds_in``): a fact counts
when it holds on any day of the year, as the COW and ATOP dyad-year files count. Nodes
are nations keyed by their coopgraph id (ISO 3166-1 alpha-3, or the former code of a
dissolved state).
"""

from coopgraph.project.history import (
    RELATIONS,
    active,
    cooperation_history,
    history_alliance_layer,
)
from coopgraph.project.inputs import (
    CG_NS,
    TIE_LEVELS,
    VOTE_LEVELS,
    StateYears,
    alliance_ties,
    capabilities,
    state_years,
    votes,
)
from coopgraph.project.layers import (
    COMMITMENT_WEIGHTS,
    aid_flows,
    aid_layer,
    aid_layers,
    alliance_layer,
    alliance_layers,
    flatten,
    flow_years,
    multiplex,
    operations_layer,
    operations_layers,
    votes_layer,
    window_sum,
    year_share,
)
from coopgraph.project.rows import rows

__all__ = [
    "CG_NS",
    "COMMITMENT_WEIGHTS",
    "RELATIONS",
    "TIE_LEVELS",
    "VOTE_LEVELS",
    "StateYears",
    "active",
    "aid_flows",
    "aid_layer",
    "aid_layers",
    "alliance_layer",
    "alliance_layers",
    "alliance_ties",
    "capabilities",
    "cooperation_history",
    "flatten",
    "flow_years",
    "history_alliance_layer",
    "multiplex",
    "operations_layer",
    "operations_layers",
    "rows",
    "state_years",
    "votes",
    "votes_layer",
    "window_sum",
    "year_share",
]
