"""Importers ``sipri`` and ``sipri-tiv``: the SIPRI Arms Transfers Database.

``sipri`` reads the trade register as SIPRI exports it (``trade-register.csv``, Latin-1,
plain or gzip-compressed): preamble lines (notes and "Data generated: 13 Mar 2025 ...")
before the header, one record per deal. Three columns with blank header names hold '?'
when the year of order, the number ordered or the number delivered is uncertain; they
are named here after the column they qualify. A ``Comments`` field with an unquoted line
break splits its record over two lines, the second starting with ","; such a line is
joined back to the short record before it.

Each deal becomes a ``cg:AidFlow`` of type ``cg:ArmsTransfer`` from the supplier (donor)
to the recipient, with the designation as programme, the weapon description as
``cg:weaponCategory``, the year of order, the delivery years as written, the numbers
ordered and delivered, TIV per unit and of the order, the TIV of the weapons delivered as
its amount (``cg:SipriTIV``, figure ``cg:Delivery``; SIPRI's 0 means less than 0.5 million,
written with ``cg:estimate true``), the first and last delivery years as start and end (year
precision; a deal with nothing delivered yet starts in its year of order and has no end),
one ``cg:uncertain`` per '?' and the comments as note. Both parties are resolved by name in
the start year (the state that delivered: SIPRI lists post-1991 deliveries of Soviet-era
orders under "Russia"); a non-state party ("Hezbollah (Lebanon)*", "NATO**", "unknown
supplier(s)") resolves to no state and is rejected and reported, never invented. The
export has no deal id: a deal's IRI is supplier, recipient, year of order, designation and
a running number among the file's deals with the same four, so the same file always
gives the same IRIs.

``sipri-tiv`` reads 360info's tidy table of SIPRI's TIV tables
(``sipri_tiv_dyad_year_1950_2021_360info.csv``: supplier, recipient, year, value,
supplier_cown, recipient_cown, ...): one ``cg:AidFlow`` per supplier, recipient and
year with the value in SIPRI TIV (0: less than 0.5 million, an estimate). A party is
resolved by its COW code when the row has one, else by its name; 360info gives some
non-state actors their country's code ("Hezbollah (Lebanon)*": 660), so a name SIPRI marks
as non-state ('*') or an organisation ('**'), or "Unknown ...", is rejected whatever its
code; and where the code and the name resolve to two different states (365 in 1991: the
USSR and Russia are both in the COW system that year) the name decides.

Citation: "Information from the SIPRI Arms Transfers Database,
https://www.sipri.org/databases/armstransfers" (with the generation date); the TIV table
as tidied by 360info (https://github.com/360-info/report-arms-trade, CC BY 4.0).
SIPRI's terms allow non-commercial use only: do not ship its files.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from coopgraph import dates, ids
from coopgraph import ntriples as nt
from coopgraph.errors import CoopgraphError
from coopgraph.namespace import CG, PREFIXES
from coopgraph.paths import shown
from coopgraph.sources import (
    COUNT,
    ENDS_MID_RECORD,
    TIV,
    ImportContext,
    Importer,
    Records,
    RowError,
    csv_rows,
    dataset_source,
    importer,
)

DCT = PREFIXES["dcterms"]
#: The trade register's named columns (the three '?' columns have blank names).
REGISTER_COLUMNS = (
    "Recipient", "Supplier", "Year of order", "Number ordered", "Weapon designation",
    "Weapon description", "Number delivered", "Year(s) of delivery", "Comments",
    "SIPRI TIV per unit", "SIPRI TIV for total order", "SIPRI TIV of delivered weapons",
)  # fmt: skip
#: The columns a '?' column may qualify (it follows the column it qualifies).
FLAGGED = ("Year of order", "Number ordered", "Number delivered")
FLAG = " ?"  # suffix of the name given to a blank '?' column
TIV_COLUMNS = ("supplier", "recipient", "year", "value", "supplier_cown", "recipient_cown")
GENERATED = re.compile(r"^\s*Data generated:\s*(.+?)\s*$")
YEAR = re.compile(r"\b(\d{4})\b")
LESS_THAN_HALF = "less than 0.5 million TIV"


def is_non_state(name: str) -> bool:
    """True for the parties SIPRI marks as non-state (``*``), organisations (``**``) or
    leaves unknown ("unknown supplier(s)")."""
    return name.rstrip().endswith("*") or name.strip().casefold().startswith("unknown")


def _reject_non_state(name: str, ctx: ImportContext, line: int) -> None:
    if is_non_state(name):
        ctx.unresolved[name] += 1
        raise RowError(
            f"'{name}' is not a state (a non-state actor, organisation or unknown)", line
        )


def _decimal(value: str, column: str, line: int) -> Decimal | None:
    """A TIV within ``TIV`` (0..10^6), None when empty, or a RowError."""
    value = value.strip()
    return TIV.parse(value, column, line) if value else None


def _year(value: str, column: str, line: int) -> int:
    value = value.strip()
    if not re.fullmatch(r"\d{4}", value):
        raise RowError(f"{column}: '{value}' is not a year", line)
    try:
        return dates.check_year(int(value))
    except ValueError as error:  # year 0000 has no date
        raise RowError(f"{column}: {error}", line) from None


def _year_span(quads: list[str], subject: str, first: int, last: int | None, g: str) -> None:
    quads.append(nt.quad(subject, CG.startDate, nt.date(dt.date(first, 1, 1)), g))
    quads.append(nt.quad(subject, CG.startPrecision, nt.iri(CG.Year), g))
    if last is not None:
        quads.append(nt.quad(subject, CG.endDate, nt.date(dt.date(last, 12, 31)), g))
        quads.append(nt.quad(subject, CG.endPrecision, nt.iri(CG.Year), g))


def register_records(
    raw: BinaryIO, path: Path, state: dict
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) for each deal of a trade-register export, split records repaired.

    Preamble lines before the header are read for the generation date (``state
    ["generated"]``); the blank '?' columns are named after the column before them
    (``"Year of order ?"``). A record of the wrong length yields ``{"__error__": ...}``.
    A file without the header raises CoopgraphError.
    """
    records = Records(raw, path, "latin-1")
    header: list[str] | None = None
    pending: tuple[int, list[str]] | None = None
    for start, fields in records:
        if header is None:
            header = _header(fields, state)
            continue
        if not any(f.strip() for f in fields):
            continue  # a blank line holds no record
        if (
            pending is not None
            and len(pending[1]) < len(header)
            and not fields[0].strip()
            and len(pending[1]) + len(fields) - 1 <= len(header)
        ):
            # the rest of a record whose Comments broke the line: join it back
            pending[1][-1] += fields[0]
            pending[1].extend(fields[1:])
            continue
        if pending is not None:
            yield _record(header, *pending)
        pending = (start, fields)
    if header is None:
        raise CoopgraphError(
            "not a SIPRI trade register: no header line with " + ", ".join(REGISTER_COLUMNS[:3]),
            path=shown(path),
            line=1,
        )
    why = records.cut_short(len(header), len(pending[1]) if pending else None)
    if why:
        line = pending[0] if pending else records.lines.number
        yield line, {"__error__": f"{ENDS_MID_RECORD}: {why} (truncated?)"}
    elif pending is not None:
        yield _record(header, *pending)


def _header(fields: list[str], state: dict) -> list[str] | None:
    """The header with the '?' columns named, or None for a preamble line."""
    names = [f.strip() for f in fields]
    if not all(c in names for c in REGISTER_COLUMNS):
        found = GENERATED.match(",".join(fields))
        if found:
            state["generated"] = found.group(1)
        return None
    for i, name in enumerate(names):
        if not name and i and names[i - 1] in FLAGGED:
            names[i] = names[i - 1] + FLAG
    return names


def _record(header: list[str], line: int, fields: list[str]) -> tuple[int, dict[str, str]]:
    if len(fields) != len(header):
        return line, {"__error__": f"expected {len(header)} fields, found {len(fields)}"}
    return line, dict(zip(header, fields, strict=True))


def _version(generated: str) -> str:
    """ "13 Mar 2025 10:02:49 AM" -> "2025-03-13" (the text as given if not a date)."""
    for form in ("%d %b %Y %I:%M:%S %p", "%d %b %Y %H:%M:%S", "%d %b %Y"):
        try:
            return dt.datetime.strptime(generated, form).date().isoformat()
        except ValueError:
            continue
    return generated


@importer("sipri")
class SipriTradeRegister(Importer):
    """SIPRI Arms Transfers Database, trade register export (trade-register.csv)."""

    name = "sipri"
    title = "SIPRI Arms Transfers Database, trade register"
    source_id = "sipri-arms-transfers"

    def header(self, ctx: ImportContext) -> list[str]:
        return dataset_source(
            ctx,
            "sipri-arms-transfers",
            title="SIPRI Arms Transfers Database (trade register)",
            publisher="Stockholm International Peace Research Institute (SIPRI)",
            url="https://www.sipri.org/databases/armstransfers",
        )

    def read(self, raw: BinaryIO, path: Path, ctx: ImportContext) -> Iterator[list[str] | RowError]:
        deals = ctx.state.setdefault("deals", Counter())
        for line, row in register_records(raw, path, ctx.state):
            try:
                yield self._row(line, row, ctx, deals)
            except RowError as error:
                yield error

    def _row(self, line: int, row: dict[str, str], ctx: ImportContext, deals: Counter) -> list[str]:
        if "__error__" in row:
            raise RowError(row["__error__"], line)
        recipient, supplier = row["Recipient"].strip(), row["Supplier"].strip()
        if not recipient or not supplier:
            raise RowError("a deal needs a recipient and a supplier", line)
        ordered = _year(row["Year of order"], "Year of order", line)
        delivery_text = " ".join(row["Year(s) of delivery"].split())
        delivered_years = [
            _year(y, "Year(s) of delivery", line) for y in YEAR.findall(delivery_text)
        ]
        if delivery_text and not delivered_years:
            raise RowError(f"Year(s) of delivery: '{delivery_text}' holds no year", line)
        per_unit = _decimal(row["SIPRI TIV per unit"], "SIPRI TIV per unit", line)
        order_tiv = _decimal(row["SIPRI TIV for total order"], "SIPRI TIV for total order", line)
        delivered_tiv = _decimal(
            row["SIPRI TIV of delivered weapons"], "SIPRI TIV of delivered weapons", line
        )
        first = min(delivered_years) if delivered_years else ordered
        last = max(delivered_years) if delivered_years else None
        for name in (supplier, recipient):
            _reject_non_state(name, ctx, line)
        donor = ctx.nation_by_name(supplier, first, line)
        receiver = ctx.nation_by_name(recipient, first, line)
        if donor == receiver:
            raise RowError(f"supplier and recipient are the same state ({supplier})", line)
        designation = " ".join(row["Weapon designation"].split())
        key = (ids.local_name(donor), ids.local_name(receiver), str(ordered), designation)
        deals[key] += 1
        a = ids.fact("arms-deal", *key, str(deals[key]))
        g = ctx.graph
        quads = [
            nt.quad(a, nt.RDF_TYPE, nt.iri(CG.AidFlow), g),
            nt.quad(a, CG.donor, nt.iri(donor), g),
            nt.quad(a, CG.recipient, nt.iri(receiver), g),
            nt.quad(a, CG.aidType, nt.iri(CG.ArmsTransfer), g),
            nt.quad(a, CG.orderYear, nt.integer(ordered), g),
        ]
        _year_span(quads, a, first, last, g)
        texts = (
            (CG.programme, designation),
            (CG.weaponCategory, " ".join(row["Weapon description"].split())),
            (CG.deliveryYears, delivery_text),
            (CG.note, row["Comments"].strip()),
        )
        quads += [nt.quad(a, p, nt.literal(v), g) for p, v in texts if v]
        for column, predicate in (
            ("Number ordered", CG.numberOrdered),
            ("Number delivered", CG.numberDelivered),
        ):
            if row[column].strip().isascii() and row[column].strip().isdigit():
                count = COUNT.check(int(row[column]), column, line)
                quads.append(nt.quad(a, predicate, nt.integer(count), g))
        for predicate, value in ((CG.tivPerUnit, per_unit), (CG.tivOrder, order_tiv)):
            if value is not None:
                quads.append(nt.quad(a, predicate, nt.decimal(value), g))
        if delivered_tiv is not None:
            quads.append(nt.quad(a, CG.amount, nt.decimal(delivered_tiv), g))
            quads.append(nt.quad(a, CG.unit, nt.iri(CG.SipriTIV), g))
            quads.append(nt.quad(a, CG.figure, nt.iri(CG.Delivery), g))
            if delivered_tiv == 0:
                quads.append(nt.quad(a, CG.estimate, nt.boolean(True), g))
        for column in FLAGGED:
            if row.get(column + FLAG, "").strip() == "?":
                quads.append(nt.quad(a, CG.uncertain, nt.literal(column), g))
        quads.append(nt.quad(a, DCT + "source", nt.iri(ids.source(self.source_id)), g))
        return quads

    def version(self, ctx: ImportContext) -> str:
        generated = ctx.state.get("generated")
        return _version(generated) if generated else ""


@importer("sipri-tiv")
class SipriTivTables(Importer):
    """SIPRI TIV by supplier, recipient and year, 1950-2021, as tidied by 360info."""

    name = "sipri-tiv"
    title = "SIPRI TIV tables by supplier, recipient and year"
    source_id = "sipri-tiv-tables"

    def header(self, ctx: ImportContext) -> list[str]:
        return dataset_source(
            ctx,
            "sipri-tiv-tables",
            title="SIPRI Arms Transfers Database, TIV tables by supplier, recipient and year",
            publisher="Stockholm International Peace Research Institute (SIPRI)",
            url="https://www.sipri.org/databases/armstransfers",
        )

    def read(self, raw: BinaryIO, path: Path, ctx: ImportContext) -> Iterator[list[str] | RowError]:
        seen = ctx.state.setdefault("seen", {})
        for line, row in csv_rows(raw, path, TIV_COLUMNS):
            try:
                yield self._row(line, row, ctx, seen)
            except RowError as error:
                yield error

    def _nation(
        self, row: dict[str, str], side: str, year: int, ctx: ImportContext, line: int
    ) -> str:
        name, code = row[side].strip(), row[side + "_cown"].strip()
        if not name:
            raise RowError(f"{side}: empty", line)
        _reject_non_state(name, ctx, line)
        if code in ("", "NA"):
            return ctx.nation_by_name(name, year, line)
        try:
            number = int(code)
        except ValueError:
            raise RowError(f"{side}_cown: '{code}' is not a COW code", line) from None
        by_code = ctx.nation_by_cow(number, year, line)
        by_name = ctx.resolver.name(name, year)
        return ids.nation(by_name) if by_name and ids.nation(by_name) != by_code else by_code

    def _row(self, line: int, row: dict[str, str], ctx: ImportContext, seen: dict) -> list[str]:
        if "__error__" in row:
            raise RowError(row["__error__"], line)
        year = _year(row["year"], "year", line)
        value = _decimal(row["value"], "value", line)
        if value is None:
            raise RowError("value: empty", line)
        donor = self._nation(row, "supplier", year, ctx, line)
        receiver = self._nation(row, "recipient", year, ctx, line)
        if donor == receiver:
            raise RowError(f"supplier and recipient are the same state ({row['supplier']})", line)
        key = (ids.local_name(donor), ids.local_name(receiver), str(year))
        if key in seen:
            raise RowError(
                f"a second value for {' '.join(key)} (the first is on line {seen[key]})", line
            )
        seen[key] = line
        a = ids.fact("arms-tiv", *key)
        g = ctx.graph
        quads = [
            nt.quad(a, nt.RDF_TYPE, nt.iri(CG.AidFlow), g),
            nt.quad(a, CG.donor, nt.iri(donor), g),
            nt.quad(a, CG.recipient, nt.iri(receiver), g),
            nt.quad(a, CG.aidType, nt.iri(CG.ArmsTransfer), g),
            nt.quad(a, CG.amount, nt.decimal(value), g),
            nt.quad(a, CG.unit, nt.iri(CG.SipriTIV), g),
            nt.quad(a, CG.figure, nt.iri(CG.Delivery), g),
        ]
        _year_span(quads, a, year, year, g)
        if value == 0:
            quads.append(nt.quad(a, CG.estimate, nt.boolean(True), g))
            quads.append(nt.quad(a, CG.note, nt.literal(LESS_THAN_HALF), g))
        quads.append(nt.quad(a, DCT + "source", nt.iri(ids.source(self.source_id)), g))
        return quads

    def version(self, ctx: ImportContext) -> str:
        return ""
