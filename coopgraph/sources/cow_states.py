"""Importer ``cow-states``: the Correlates of War State System Membership list (states2016).

Each row is one spell of a state's membership of the international system (a state that
left and re-entered has several). It becomes a ``cg:SystemMembership`` node in the
``cow-states`` graph: the state (resolved by its COW code in the spell's first year), the
COW code, start and end dates (day precision; COW's end of 31 December of its last year,
2016 for version 2016, means the state was still in the system: no end is written) and
the dataset as source.

Citation: Correlates of War Project. 2017. "State System Membership List, v2016."
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from coopgraph import ids
from coopgraph import ntriples as nt
from coopgraph.namespace import CG, PREFIXES
from coopgraph.sources import (
    YEAR,
    ImportContext,
    Importer,
    RowError,
    csv_rows,
    dataset_source,
    importer,
)

DCT = PREFIXES["dcterms"]
COLUMNS = ("stateabb", "ccode", "statenme", "styear", "stmonth", "stday", "endyear",
           "endmonth", "endday", "version")  # fmt: skip


@importer("cow-states")
class CowStates(Importer):
    """COW State System Membership list (states2016.csv)."""

    name = "cow-states"
    title = "Correlates of War State System Membership List"
    source_id = "cow-state-system"

    def header(self, ctx: ImportContext) -> list[str]:
        return dataset_source(
            ctx,
            self.source_id,
            title=self.title,
            publisher="Correlates of War Project",
            url="https://correlatesofwar.org/data-sets/state-system-membership/",
        )

    def read(self, raw: BinaryIO, path: Path, ctx: ImportContext) -> Iterator[list[str] | RowError]:
        versions = ctx.state.setdefault("versions", set())
        for line, row in csv_rows(raw, path, COLUMNS, encoding="latin-1"):
            try:
                yield self._row(line, row, ctx, versions)
            except RowError as error:
                yield error

    def _row(self, line: int, row: dict[str, str], ctx: ImportContext, versions: set) -> list[str]:
        if "__error__" in row:
            raise RowError(row["__error__"], line)
        try:
            code = int(row["ccode"])
            start = dt.date(int(row["styear"]), int(row["stmonth"]), int(row["stday"]))
            end = dt.date(int(row["endyear"]), int(row["endmonth"]), int(row["endday"]))
        except (ValueError, OverflowError) as error:  # OverflowError: a year past C's long
            raise RowError(f"not a COW code or date: {error}", line) from None
        YEAR.check(start.year, "styear", line)
        YEAR.check(end.year, "endyear", line)
        if end < start:
            raise RowError(f"spell ends ({end}) before it starts ({start})", line)
        versions.add(row["version"].strip())
        nation = ctx.nation_by_cow(code, start.year, line)
        g = ctx.graph
        m = ids.fact("cow-system", str(code), start.isoformat())
        quads = [
            nt.quad(m, nt.RDF_TYPE, nt.iri(CG.SystemMembership), g),
            nt.quad(m, CG.state, nt.iri(nation), g),
            nt.quad(m, CG.code, nt.integer(code), g),
            nt.quad(m, CG.startDate, nt.date(start), g),
            nt.quad(m, CG.startPrecision, nt.iri(CG.Day), g),
            nt.quad(m, DCT + "source", nt.iri(ids.source(self.source_id)), g),
        ]
        still = end.month == 12 and end.day == 31 and str(end.year) == row["version"].strip()
        if not still:
            quads.append(nt.quad(m, CG.endDate, nt.date(end), g))
            quads.append(nt.quad(m, CG.endPrecision, nt.iri(CG.Day), g))
        return quads

    def version(self, ctx: ImportContext) -> str:
        return ", ".join(sorted(ctx.state.get("versions", set())))
