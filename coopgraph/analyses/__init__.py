"""The analyses behind coopgraph's tables, one module per table.

Each is a plain function of an open ``coopgraph.scope.Scope`` and its parameters that
returns tidy rows (a list of dicts): ``layers`` (the networkx layers of a year or a
span), ``metrics`` (centrality per layer, year and nation), ``alignment`` (foreign-policy
similarity of dyads), ``blocs`` (communities and who changed bloc), ``dependence`` (each
recipient's donors), ``whatif`` (centrality before and after a change) and ``aidalign``
(aid against UN voting alignment). The measures themselves, with their formulas and
papers, are in ``coopgraph.metrics``; ``coopgraph.api`` opens the scope and calls these.
"""
