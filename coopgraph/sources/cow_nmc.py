"""Importer ``cow-nmc``: the Correlates of War National Material Capabilities data (v7.0).

Each row is one state-year. It becomes a ``cg:CapabilityObservation`` node in the
``cow-nmc`` graph: the state (resolved by its COW code in that year), the year, the six
components (military expenditure and personnel, iron and steel production, primary
energy consumption, total and urban population) and the composite index (CINC), each as
``xsd:decimal``, and the dataset as source. A missing value (COW writes -9; copies that
recoded it, such as peacesciencer's, leave the cell empty) is left out.

The published file is ``NMC-70-abridged.csv`` (``stateabb,ccode,year,milex,milper,irst,
pec,tpop,upop,cinc,version``), plain or gzipped; ``stateabb`` and ``version`` may be
absent (the version is then not known from the file).

Citation: Singer, J. David, Stuart Bremer, and John Stuckey. 1972. "Capability
Distribution, Uncertainty, and Major Power War, 1820-1965." In Bruce Russett (ed.),
*Peace, War, and Numbers*, 19-48. Beverly Hills: Sage. (National Material Capabilities,
v7.0.)
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO

from coopgraph import ids
from coopgraph import ntriples as nt
from coopgraph.namespace import CG, PREFIXES
from coopgraph.sources import (
    CAPABILITY,
    SHARE,
    YEAR,
    ImportContext,
    Importer,
    RowError,
    csv_rows,
    dataset_source,
    importer,
)

DCT = PREFIXES["dcterms"]
#: The measures, in the file's order, with the property each becomes.
MEASURES = {
    "milex": CG.milex,
    "milper": CG.milper,
    "irst": CG.irst,
    "pec": CG.pec,
    "tpop": CG.tpop,
    "upop": CG.upop,
    "cinc": CG.cinc,
}
COLUMNS = ("ccode", "year", *MEASURES)
#: COW's code for a missing value.
MISSING = Decimal(-9)


@importer("cow-nmc")
class CowNmc(Importer):
    """COW National Material Capabilities, abridged (NMC-70-abridged.csv)."""

    name = "cow-nmc"
    title = "Correlates of War National Material Capabilities (v7.0)"
    source_id = "cow-nmc-7-0"

    def header(self, ctx: ImportContext) -> list[str]:
        return dataset_source(
            ctx,
            self.source_id,
            title="National Material Capabilities v7.0",
            publisher="Correlates of War Project",
            url="https://correlatesofwar.org/data-sets/national-material-capabilities/",
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
            year = int(row["year"])
        except ValueError as error:
            raise RowError(f"not a COW code or year: {error}", line) from None
        YEAR.check(year, "year", line)
        values = {column: _measure(row[column], column, line) for column in MEASURES}
        version = row.get("version", "").strip()
        if version:
            versions.add(version)
        nation = ctx.nation_by_cow(code, year, line)
        g = ctx.graph
        o = ids.fact("capability", str(code), str(year))
        quads = [
            nt.quad(o, nt.RDF_TYPE, nt.iri(CG.CapabilityObservation), g),
            nt.quad(o, CG.state, nt.iri(nation), g),
            nt.quad(o, CG.year, nt.integer(year), g),
        ]
        for column, prop in MEASURES.items():
            value = values[column]
            if value is not None:
                quads.append(nt.quad(o, prop, nt.decimal(value), g))
        quads.append(nt.quad(o, DCT + "source", nt.iri(ids.source(self.source_id)), g))
        return quads

    def version(self, ctx: ImportContext) -> str:
        return ", ".join(sorted(ctx.state.get("versions", set())))


def _measure(text: str, column: str, line: int) -> Decimal | None:
    """A measure's value, or None when missing (-9 or an empty cell); RowError when it is
    not a number or lies outside its range (``CAPABILITY``; ``SHARE`` for CINC)."""
    text = text.strip()
    if not text:
        return None
    try:
        if Decimal(text) == MISSING:
            return None
    except InvalidOperation:
        raise RowError(f"{column} is not a number: '{text[:40]}'", line) from None
    return (SHARE if column == "cinc" else CAPABILITY).parse(text, column, line)
