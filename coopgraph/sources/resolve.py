"""One identity per nation: resolve the codes and names other datasets use to nation IRIs.

A ``Resolver`` reads the ``nations`` graph of the store (the curated crosswalk): COW state
numbers with their years, COW abbreviations, ISO 3166 codes, labels, and the names other
datasets use (with their years where a name changed hands, e.g. "Vietnam"). Importers ask
it for a nation and get the coopgraph id, or None: they report what they could not
resolve and never invent a node (DESIGN.md, "Identity").
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from coopgraph import dates, ids, queries
from coopgraph.names import normalise


class Resolver:
    """Nation ids from COW codes (by year) and from names (by year where it matters)."""

    def __init__(self, store: ox.Store):
        self._cow: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
        self._names: dict[str, set[str]] = defaultdict(set)
        self._dated: dict[str, list[tuple[int, int, str]]] = defaultdict(list)

        def select(name: str):
            return queries.run(store, queries.internal(name), graphs=[ids.graph("nations")])

        for row in select("cow-codes"):
            first = int(row["from"].value) if row["from"] else 0
            last = int(row["to"].value) if row["to"] else 9999
            self._cow[int(row["code"].value)].append((first, last, row["id"].value))
        for row in select("state-names"):
            self._names[normalise(row["name"].value)].add(row["id"].value)
        for row in select("dated-names"):
            first = int(row["from"].value) if row["from"] else 0
            last = int(row["to"].value) if row["to"] else 9999
            self._dated[normalise(row["name"].value)].append((first, last, row["id"].value))
        self.sources = frozenset(row["s"].value for row in select("sources"))
        self.nations = {n for spans in self._cow.values() for _, _, n in spans} | {
            n for found in self._names.values() for n in found
        }

    def __bool__(self) -> bool:
        return bool(self.nations)

    def cow(self, code: int, year: int | None = None) -> str | None:
        """The nation a COW state number stands for in ``year``.

        Without a year, or when the year falls between the code's spells (COW leaves Japan
        out of the system 1945-1952), the nearest spell counts; a code that stands for
        several states (365: the USSR, then Russia) needs the year.
        """
        spans = self._cow.get(code)
        if not spans:
            return None
        if year is None:
            nations = {n for _, _, n in spans}
            return nations.pop() if len(nations) == 1 else None
        return min(spans, key=lambda s: max(s[0] - year, year - s[1], 0))[2]

    def name(self, name: str, year: int | None = None) -> str | None:
        """The one nation ``name`` stands for (in ``year`` when names changed hands)."""
        key = normalise(name)
        if year is not None:
            spans = self._dated.get(key, [])
            dated = {n for first, last, n in spans if dates.holds_in(first, last, year)}
            if dated:
                return dated.pop() if len(dated) == 1 else None
        found = self._names.get(key, set())
        if not found and year is None:
            found = {n for _, _, n in self._dated.get(key, [])}
        return next(iter(found)) if len(found) == 1 else None
