"""Importer ``kiel``: the Kiel Institute's Ukraine Support Tracker (website data files).

Reads ``data_explorer.csv`` (``country, iso, year, month, total, financial, humanitarian,
military, commitments, to_be_allocated, gdp, pct_gdp``; one row per donor and month,
amounts in billions of current euros): government-to-government aid *allocations* to
Ukraine. Each row gives one ``cg:AidFlow`` per type with an amount above zero, from the
donor (resolved by name in the row's year) to Ukraine, for that month (start and end the
month's first and last day, month precision), the amount in euros (the file's billions
times 10^9, exact), unit EUR, figure allocation:

- military -> ``cg:MilitaryAssistance`` (Kiel does not split it by programme);
- humanitarian -> ``cg:HumanitarianAid``;
- financial (budget support, loans, guarantees) is not imported: coopgraph has no aid type
  for it (``cg:Financing`` means military financing such as FMF). A row that holds only
  financial aid is skipped (an empty list); the financial amounts left out are counted in
  ``ctx.state["financial_left_out"]`` (donor-months) and ``["financial_eur"]`` (euros).

A donor that is not a state ("EU (Commission and Council)") resolves to no nation: its
rows are rejected and reported as unresolved, never attributed to a member state. Rows
whose amounts are all zero are skipped.

Optionally ``release_info.csv`` (``release, period, date, label``) may be given with it:
it is read first (``order``), its row is skipped, and the release label becomes the
import's version and part of the source's title. The cg:Source node is written with the
first flow (so that the title can carry the release).

A flow's IRI is the donor, the month and the type, so the same file always gives the same
IRIs.

Citation: Trebesch, C. et al., "The Ukraine Support Tracker: Which countries help Ukraine
and how?", Kiel Working Paper No. 2218, Kiel Institute for the World Economy. Data source:
Kiel Institute for the World Economy - Ukraine Support Tracker. No licence is stated: do
not ship its files.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from coopgraph import ids
from coopgraph import ntriples as nt
from coopgraph.errors import CoopgraphError
from coopgraph.namespace import CG, PREFIXES
from coopgraph.paths import shown
from coopgraph.sources import (
    AMOUNT,
    YEAR,
    ImportContext,
    Importer,
    RowError,
    csv_rows,
    dataset_source,
    importer,
)

DCT = PREFIXES["dcterms"]
SOURCE_ID = "kiel-ukraine-support-tracker"
COLUMNS = ("country", "year", "month", "financial", "humanitarian", "military")
RELEASE_COLUMNS = ("release", "period", "date", "label")
#: Kiel's column -> (aid type slug for the IRI, ontology term); financial has none.
TYPES = {
    "military": ("military-assistance", CG.MilitaryAssistance),
    "humanitarian": ("humanitarian", CG.HumanitarianAid),
}
FINANCIAL = "financial"
BILLION = Decimal(10) ** 9
RECIPIENT = "UKR"


def _is_release(path: Path) -> bool:
    return path.name.split(".")[0] == "release_info"


def _amount(row: dict[str, str], column: str, line: int) -> Decimal:
    """A column's amount in euros (the file's billions times 10^9), within ``AMOUNT`` and
    not negative; 0 when empty; a RowError otherwise."""
    text = row[column].strip()
    if not text:
        return Decimal(0)
    value = AMOUNT.parse(text, column, line, unit=BILLION)
    if value < 0:
        raise RowError(f"{column}: {text} must be a non-negative number", line)
    return value


@importer("kiel")
class KielUkraineSupportTracker(Importer):
    """Kiel Ukraine Support Tracker: aid allocations to Ukraine by donor and month."""

    name = "kiel"
    title = "Kiel Institute Ukraine Support Tracker, allocations by donor and month"

    def order(self, files: list[Path]) -> list[Path]:
        """release_info.csv first, so its label is known before the data."""
        return sorted(files, key=lambda p: not _is_release(p))

    def header(self, ctx: ImportContext) -> list[str]:
        return []  # written with the first flow (see the module doc)

    def _source(self, ctx: ImportContext) -> list[str]:
        if ctx.state.get("source_written"):
            return []
        ctx.state["source_written"] = True
        label = ctx.state.get("release_label", "")
        return dataset_source(
            ctx,
            SOURCE_ID,
            title="Ukraine Support Tracker" + (f" ({label})" if label else ""),
            publisher="Kiel Institute for the World Economy",
            url="https://www.ifw-kiel.de/topics/war-against-ukraine/ukraine-support-tracker/",
            year=ctx.state.get("release_year", ""),
        )

    def read(self, raw: BinaryIO, path: Path, ctx: ImportContext) -> Iterator[list[str] | RowError]:
        if _is_release(path):
            yield from self._release(raw, path, ctx)
            return
        ctx.state.setdefault("financial_left_out", 0)
        ctx.state.setdefault("financial_eur", Decimal(0))
        seen: dict = ctx.state.setdefault("seen", {})
        for line, row in csv_rows(raw, path, COLUMNS):
            try:
                quads = self._row(line, row, ctx, seen)
            except RowError as error:
                yield error
                continue
            yield (self._source(ctx) + quads) if quads else quads

    def _release(self, raw: BinaryIO, path: Path, ctx: ImportContext) -> Iterator[list[str]]:
        rows = list(csv_rows(raw, path, RELEASE_COLUMNS))
        if len(rows) != 1 or "__error__" in rows[0][1]:
            raise CoopgraphError("expected one release row", path=shown(path), line=2)
        row = rows[0][1]
        ctx.state["release_label"] = row["label"].strip()
        date = row["date"].strip()
        if len(date) >= 4 and (date[:4].isascii() and date[:4].isdigit()):
            ctx.state["release_year"] = date[:4]
        yield []

    def _row(self, line: int, row: dict[str, str], ctx: ImportContext, seen: dict) -> list[str]:
        if "__error__" in row:
            raise RowError(row["__error__"], line)
        name = " ".join(row["country"].split())
        if not name:
            raise RowError("country: empty", line)
        try:
            year, month = int(row["year"]), int(row["month"])
            first = dt.date(year, month, 1)
        except (ValueError, OverflowError):  # OverflowError: a year past C's long
            raise RowError(f"not a year and month: '{row['year']}-{row['month']}'", line) from None
        YEAR.check(year, "year", line)
        last = first.replace(day=calendar.monthrange(year, month)[1])
        amounts = {column: _amount(row, column, line) for column in (*TYPES, FINANCIAL)}
        if not any(amounts.values()):
            return []
        donor = ctx.nation_by_name(name, year, line)
        receiver = ids.nation(RECIPIENT)
        if donor == receiver:
            raise RowError("Ukraine as its own donor", line)
        month_text = f"{year:04d}-{month:02d}"
        key = (ids.local_name(donor), month_text)
        if key in seen:
            raise RowError(
                f"a second row for {' '.join(key)} (the first is on line {seen[key]})", line
            )
        seen[key] = line
        if amounts[FINANCIAL]:
            ctx.state["financial_left_out"] += 1
            ctx.state["financial_eur"] += amounts[FINANCIAL]
        g = ctx.graph
        quads: list[str] = []
        for column, (slug, term) in TYPES.items():
            if not amounts[column] > 0:
                continue
            a = ids.fact("kiel", *key, slug)
            quads += [
                nt.quad(a, nt.RDF_TYPE, nt.iri(CG.AidFlow), g),
                nt.quad(a, CG.donor, nt.iri(donor), g),
                nt.quad(a, CG.recipient, nt.iri(receiver), g),
                nt.quad(a, CG.startDate, nt.date(first), g),
                nt.quad(a, CG.startPrecision, nt.iri(CG.Month), g),
                nt.quad(a, CG.endDate, nt.date(last), g),
                nt.quad(a, CG.endPrecision, nt.iri(CG.Month), g),
                nt.quad(a, CG.aidType, nt.iri(term), g),
                nt.quad(a, CG.amount, nt.decimal(amounts[column].normalize()), g),
                nt.quad(a, CG.unit, nt.iri(CG.EUR), g),
                nt.quad(a, CG.figure, nt.iri(CG.Allocation), g),
                nt.quad(a, DCT + "source", nt.iri(ids.source(SOURCE_ID)), g),
            ]
        return quads

    def version(self, ctx: ImportContext) -> str:
        return ctx.state.get("release_label", "")
