"""What the store holds: counts per class, per source and per decade, and the gaps.

Each row of ``stats`` counts the things of one class in one bucket of one section:

- ``classes``: nodes per class (states, alliances, operations, sources and each kind of fact);
- ``sources``: facts (anything with a ``dcterms:source``) per class and source id;
- ``decades``: facts per class and the decade they start in (``undated`` for a fact
  without a start date of its own, such as a participation for the whole operation);
- ``unsourced``: facts without a source, per class (a row with 0 when there are none:
  every fact must carry one, and the SHACL shape S01 refuses a build otherwise);
- ``no-cow-code`` and ``no-wikidata``: states without that identifier, their ids in
  ``item``.

Only the data graphs are counted, not the ontology, shapes or build metadata
(``ids.NON_DATA_GRAPHS``). The queries are ``queries/internal/stats-*.rq``.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from coopgraph import ids, queries
from coopgraph.namespace import CG

COLUMNS = ["section", "class", "item", "count"]
#: Identifier properties whose absence ``stats`` reports, by section.
_IDENTIFIERS = (("no-cow-code", CG.cowCode), ("no-wikidata", CG.wikidata))


def _local(term: Any) -> str:
    return ids.local_name(term.value)


def stats(reader: ox.Store) -> list[dict[str, Any]]:
    """The rows described in the module docstring, sorted within each section."""
    not_data = {name: ids.graph(name) for name in ids.NON_DATA_GRAPHS}

    def select(name: str, params: dict[str, str]) -> list[ox.QuerySolution]:
        return list(queries.run(reader, queries.internal(name), params))

    rows: list[dict[str, Any]] = []

    def add(section: str, cls: str, item: str, count: int) -> None:
        rows.append({"section": section, "class": cls, "item": item, "count": count})

    classes = select("stats-classes", not_data)
    for r in sorted(classes, key=lambda r: _local(r["class"])):
        add("classes", _local(r["class"]), "", int(r["n"].value))
    per_source = select("stats-per-source", not_data)
    for r in sorted(per_source, key=lambda r: (_local(r["class"]), r["source"].value)):
        add("sources", _local(r["class"]), r["source"].value, int(r["n"].value))

    def decade(r: ox.QuerySolution) -> str:
        value = r["decade"].value
        return value if value == "undated" else f"{int(float(value))}s"

    per_decade = select("stats-per-decade", not_data)
    for r in sorted(per_decade, key=lambda r: (_local(r["class"]), decade(r))):
        add("decades", _local(r["class"]), decade(r), int(r["n"].value))
    unsourced = sorted(select("stats-unsourced", not_data), key=lambda r: _local(r["class"]))
    for r in unsourced:
        add("unsourced", _local(r["class"]), "", int(r["n"].value))
    if not unsourced:
        add("unsourced", "Fact", "", 0)
    for section, prop in _IDENTIFIERS:
        codes = [r["code"].value for r in select("states-missing", {"property": str(prop)})]
        add(section, "State", " ".join(codes), len(codes))
    return rows
