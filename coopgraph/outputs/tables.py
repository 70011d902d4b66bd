"""Tables: SPARQL results and metric rows as aligned text, CSV, TSV or JSON.

SELECT and ASK results in CSV, TSV, JSON and XML are written by Oxigraph's own
serialisers (the SPARQL 1.1 Query Results formats); graph results (CONSTRUCT, DESCRIBE)
as Turtle or N-Triples. The aligned text table is for people at a terminal.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import pyoxigraph as ox

from coopgraph.namespace import PREFIXES

RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
_SHORT = sorted(
    ((prefix, iri) for prefix, iri in PREFIXES.items() if prefix not in ("cgid", "cgg")),
    key=lambda item: -len(item[1]),
)
_SHORT = [("cgid", PREFIXES["cgid"]), ("cgg", PREFIXES["cgg"]), *_SHORT]


def show_term(term: Any) -> str:
    """A term as a person reads it: prefixed IRIs, a literal's plain value."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, iri in _SHORT:
            if term.value.startswith(iri):
                return f"{prefix}:{term.value[len(iri) :]}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def aligned(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A plain text table with columns padded to their widest cell.

    >>> print(aligned(["code", "n"], [["NATO", "16"], ["WARSAW-PACT", "7"]]))
    code         n
    -----------  --
    NATO         16
    WARSAW-PACT  7
    """
    rows = [list(r) for r in rows]
    widths = [len(h) for h in header]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    lines = [line(header), "  ".join("-" * w for w in widths)]
    lines += [line(row) for row in rows]
    return "\n".join(lines)


def query_result(result: Any, fmt: str) -> str:
    """Render a pyoxigraph query result in ``fmt``; raises ValueError for a bad pairing."""
    if isinstance(result, ox.QueryTriples):
        if fmt == "table":
            fmt = "turtle"
        if fmt not in GRAPH_FORMATS:
            raise ValueError(
                f"a CONSTRUCT or DESCRIBE result is a graph: use --format "
                f"{', '.join(GRAPH_FORMATS)}"
            )
        prefixes = PREFIXES if fmt == "turtle" else None
        return ox.serialize(result, format=GRAPH_FORMATS[fmt], prefixes=prefixes).decode()
    if fmt in GRAPH_FORMATS:
        raise ValueError(
            f"a SELECT or ASK result is a table: use --format table, {', '.join(RESULT_FORMATS)}"
        )
    if isinstance(result, ox.QueryBoolean):
        if fmt == "table":
            return "true\n" if bool(result) else "false\n"
        return result.serialize(format=RESULT_FORMATS[fmt]).decode()
    if fmt == "table":
        header = [v.value for v in result.variables]
        body = [[show_term(solution[v]) for v in header] for solution in result]
        return aligned(header, body) + f"\n({len(body)} row{'s' if len(body) != 1 else ''})\n"
    return result.serialize(format=RESULT_FORMATS[fmt]).decode()


def records(rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str]) -> str:
    """Plain records (metric tables) as an aligned table, CSV, TSV or JSON (``json`` and
    ``csv`` imported here: a query's result, on every ``coopgraph query``, needs neither)."""
    import csv
    import json

    if fmt == "json":
        return json.dumps([{c: row.get(c) for c in columns} for row in rows], indent=2) + "\n"
    if fmt in ("csv", "tsv"):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
        return buffer.getvalue()
    return (
        aligned(columns, [[_cell(row.get(c), pretty=True) for c in columns] for row in rows]) + "\n"
    )


def _cell(value: Any, pretty: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}" if pretty else repr(round(value, 10))
    return str(value)
