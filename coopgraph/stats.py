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

Only the data graphs are counted, not the ontology, shapes or build metadata.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from coopgraph import ids

COLUMNS = ["section", "class", "item", "count"]

_NOT_DATA = ", ".join(f"<{ids.graph(name)}>" for name in ids.NON_DATA_GRAPHS)
_PREFIXES = """
PREFIX cg: <https://w3id.org/coopgraph/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

CLASSES = (
    _PREFIXES
    + f"""
SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE {{
  GRAPH ?g {{ ?x a ?class }}
  FILTER (?g NOT IN ({_NOT_DATA}) && STRSTARTS(STR(?class), STR(cg:)))
}} GROUP BY ?class"""
)

PER_SOURCE = (
    _PREFIXES
    + f"""
SELECT ?class ?source (COUNT(DISTINCT ?x) AS ?n) WHERE {{
  GRAPH ?g {{ ?x dcterms:source ?s ; a ?class }}
  FILTER (?g NOT IN ({_NOT_DATA}) && STRSTARTS(STR(?class), STR(cg:)))
  BIND (REPLACE(STR(?s), "^.*/", "") AS ?source)
}} GROUP BY ?class ?source"""
)

PER_DECADE = (
    _PREFIXES
    + f"""
SELECT ?class ?decade (COUNT(DISTINCT ?x) AS ?n) WHERE {{
  GRAPH ?g {{ ?x a ?class }}
  ?class <http://www.w3.org/2000/01/rdf-schema#subClassOf> cg:Fact .
  FILTER (?g NOT IN ({_NOT_DATA}))
  OPTIONAL {{ ?x cg:startDate ?start }}
  BIND (COALESCE(STR(FLOOR(YEAR(?start) / 10) * 10), "undated") AS ?decade)
}} GROUP BY ?class ?decade"""
)

UNSOURCED = (
    _PREFIXES
    + f"""
SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE {{
  GRAPH ?g {{ ?x a ?class }}
  ?class <http://www.w3.org/2000/01/rdf-schema#subClassOf> cg:Fact .
  FILTER (?g NOT IN ({_NOT_DATA}))
  FILTER NOT EXISTS {{ ?x dcterms:source ?s }}
}} GROUP BY ?class"""
)

MISSING = (
    _PREFIXES
    + """
SELECT ?code WHERE {
  ?x a cg:State ; skos:notation ?code .
  FILTER NOT EXISTS { ?x PROPERTY ?id }
} ORDER BY ?code"""
)


def _local(term: Any) -> str:
    return ids.local_name(term.value)


def stats(reader: ox.Store) -> list[dict[str, Any]]:
    """The rows described in the module docstring, sorted within each section."""

    def select(text: str) -> list[ox.QuerySolution]:
        return list(reader.query(text, use_default_graph_as_union=True))

    rows: list[dict[str, Any]] = []

    def add(section: str, cls: str, item: str, count: int) -> None:
        rows.append({"section": section, "class": cls, "item": item, "count": count})

    for r in sorted(select(CLASSES), key=lambda r: _local(r["class"])):
        add("classes", _local(r["class"]), "", int(r["n"].value))
    for r in sorted(select(PER_SOURCE), key=lambda r: (_local(r["class"]), r["source"].value)):
        add("sources", _local(r["class"]), r["source"].value, int(r["n"].value))

    def decade(r: ox.QuerySolution) -> str:
        value = r["decade"].value
        return value if value == "undated" else f"{int(float(value))}s"

    for r in sorted(select(PER_DECADE), key=lambda r: (_local(r["class"]), decade(r))):
        add("decades", _local(r["class"]), decade(r), int(r["n"].value))
    unsourced = sorted(select(UNSOURCED), key=lambda r: _local(r["class"]))
    for r in unsourced:
        add("unsourced", _local(r["class"]), "", int(r["n"].value))
    if not unsourced:
        add("unsourced", "Fact", "", 0)
    for section, prop in (("no-cow-code", "cg:cowCode"), ("no-wikidata", "cg:wikidata")):
        codes = [r["code"].value for r in select(MISSING.replace("PROPERTY", prop))]
        add(section, "State", " ".join(codes), len(codes))
    return rows
