"""Importer ``greenbook``: USAID's U.S. Overseas Loans and Grants (the "Greenbook").

Reads the Greenbook as a CSV (``us_foreignaid_greenbook_data.csv``, plain or gzipped: the
single sheet of USAID's ``us_foreignaid_greenbook.xlsx``, Aug 2022 release, FY1946-FY2020,
header ``Fiscal Year, Region, Country, Assistance Category, Publication Row, Funding
Agency, Funding Account Name, Obligations (Historical Dollars), Obligations (Constant
Dollars)``). Economic rows are skipped; each Military row (one recipient, fiscal year and
funding account) becomes one ``cg:AidFlow``:

- donor USA; recipient the Greenbook's country resolved by name in the year the fiscal
  year ends (the crosswalk carries the Greenbook's names with years: "Vietnam" is RVN to
  1975 and VNM from 1976, "Serbia and Montenegro, Former" YUG to 2003 and SCG 2003-2006).
  A name that two states share in that year (YUG and SCG in 2003) goes to the state that
  holds it the year after, the one existing at the fiscal year's end (SCG in FY2003).
  Regional buckets ("Asia (not specified)") and places that are not states ("China (Hong
  Kong)") hold no state: the row is skipped, never resolved;
- the fiscal year as start and end dates (day precision) and as ``cg:fiscalYear`` text:
  FY1977 onward 1 October - 30 September, earlier years 1 July - 30 June, and "1976.9"
  the transition quarter "1976TQ", 1 July - 30 September 1976;
- the aid type from the programme group (Publication Row), with "Other Military
  Assistance" split by account as in ``scripts/derive_greenbook_aid.py`` (the tables are
  copied here): security-forces funds, excess defence articles (equipment), the rest
  military-assistance. A programme group with no type rejects the row, naming the group
  and the account;
- the funding account name as ``cg:programme``;
- "Obligations (Historical Dollars)" as the amount, current USD, figure obligation. A
  negative obligation (a de-obligation) keeps its sign and is flagged: ``cg:note
  "de-obligation"`` and ``cg:estimate false``; the curated build's SHACL shape S03
  (amounts >= 0) checks only the curated graph. FMF direct loans (account "Foreign
  Military Financing, Direct Loan Program Account") carry ``cg:note "loan"``, so loans
  can be told from grants. Both notes together read "loan; de-obligation".

"Obligations (Constant Dollars)" is kept beside it as ``cg:amountConstant`` (constant
2020 US dollars): a flow has one amount in one unit (S03: ``sh:maxCount 1``), and a
second flow per row in USD-2020 would double every sum that does not filter on the unit.

A flow's IRI is the recipient, fiscal year, account and a running number among the
file's rows with the same three (two Greenbook names can map to one state), so the same
file always gives the same IRIs.

Citation: USAID, U.S. Overseas Loans and Grants (Greenbook), Aug 2022 release
(https://foreignassistance.gov/reports). U.S. Government work, public domain.
"""

from __future__ import annotations

import datetime as dt
import gzip
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
    AMOUNT,
    READ_ERRORS,
    ImportContext,
    Importer,
    RowError,
    csv_rows,
    dataset_source,
    importer,
    open_workbook,
)

DCT = PREFIXES["dcterms"]
SOURCE_ID = "usaid-greenbook"
COLUMNS = (
    "Fiscal Year",
    "Country",
    "Assistance Category",
    "Publication Row",
    "Funding Account Name",
    "Obligations (Historical Dollars)",
)
MILITARY = "Military"
#: Greenbook countries that are not states (regions are recognised by "(not specified)").
NOT_STATES = frozenset({"China (Hong Kong)"})

# The next four tables are copied from scripts/derive_greenbook_aid.py (keep them equal).
#: Greenbook programme group (Publication Row) -> coopgraph aid type.
PROGRAMME_TYPES = {
    "Foreign Military Financing": "financing",
    "International Military Education and Training": "training",
    "Peace Keeping Operations": "peacekeeping",
    "Cooperative Threat Reduction": "threat-reduction",
    "Drug Interdiction and Counter-Drug": "counter-drug",
    "Other Military Assistance": "military-assistance",
}
OTHER_MILITARY = "Other Military Assistance"
SECURITY_FORCES_ACCOUNTS = frozenset(
    {
        "Afghanistan Security Forces Fund",
        "Iraq Security Forces Fund",
        "Iraq Train and Equip Fund, Army",
    }
)
EQUIPMENT_ACCOUNTS = frozenset({"Excess Defense Articles"})

#: coopgraph aid type -> ontology term (as in coopgraph.sources.curated.AID_TYPES).
TYPE_TERMS = {
    "financing": CG.Financing,
    "training": CG.Training,
    "equipment": CG.Equipment,
    "peacekeeping": CG.PeacekeepingAid,
    "threat-reduction": CG.ThreatReduction,
    "counter-drug": CG.CounterDrug,
    "security-forces": CG.SecurityForces,
    "military-assistance": CG.MilitaryAssistance,
}
#: Funding accounts that are loans, not grants.
LOAN_ACCOUNTS = frozenset({"Foreign Military Financing, Direct Loan Program Account"})
LOAN = "loan"
DEOBLIGATION = "de-obligation"


def aid_type(group: str, account: str) -> str | None:
    """The coopgraph aid type of one account in a programme group; None if the group is
    unknown."""
    if group not in PROGRAMME_TYPES:
        return None
    if group == OTHER_MILITARY:
        if account in SECURITY_FORCES_ACCOUNTS:
            return "security-forces"
        if account in EQUIPMENT_ACCOUNTS:
            return "equipment"
    return PROGRAMME_TYPES[group]


def fiscal_period(text: str, line: int) -> tuple[str, int, dt.date, dt.date]:
    """(label, year, first day, last day) of a Greenbook fiscal year, or a RowError."""
    text = text.strip()
    if text in ("1976.9", "1976.90"):
        return "1976TQ", 1976, dt.date(1976, 7, 1), dt.date(1976, 9, 30)
    if text.endswith(".0"):  # a float column written by a spreadsheet
        text = text[:-2]
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise RowError(f"Fiscal Year: '{text}' is not a fiscal year", line)
    year = int(text)
    if not dates.MIN_YEAR <= year <= dates.MAX_YEAR:  # year 0000 has no date
        raise RowError(f"Fiscal Year: {text} is outside {dates.MIN_YEAR}-{dates.MAX_YEAR}", line)
    if year >= 1977:
        return text, year, dt.date(year - 1, 10, 1), dt.date(year, 9, 30)
    return text, year, dt.date(year - 1, 7, 1), dt.date(year, 6, 30)


def recipient(ctx: ImportContext, name: str, year: int, line: int) -> str:
    """The nation IRI of a Greenbook country in fiscal ``year`` (see the module doc)."""
    resolver = ctx.resolver
    if resolver.name(name, year) is None:
        before, after = resolver.name(name, year - 1), resolver.name(name, year + 1)
        if before and after and before != after:  # changed hands during the year
            return ids.nation(after)
    return ctx.nation_by_name(name, year, line)


@importer("greenbook")
class Greenbook(Importer):
    """USAID Greenbook, military assistance obligations by recipient, year and account."""

    name = "greenbook"
    title = "USAID U.S. Overseas Loans and Grants (Greenbook), military assistance"

    def header(self, ctx: ImportContext) -> list[str]:
        return dataset_source(
            ctx,
            SOURCE_ID,
            title="U.S. Overseas Loans and Grants (Greenbook), FY1946-2020, Aug 2022 release",
            publisher="U.S. Agency for International Development (USAID)",
            url="https://foreignassistance.gov/reports",
            year="2022",
        )

    def read(self, raw: BinaryIO, path: Path, ctx: ImportContext) -> Iterator[list[str] | RowError]:
        keys: Counter = ctx.state.setdefault("keys", Counter())
        years: set = ctx.state.setdefault("years", set())
        rows = xlsx_rows(raw, path) if _is_xlsx(raw) else csv_rows(raw, path, COLUMNS)
        for line, row in rows:
            try:
                yield self._row(line, row, ctx, keys, years)
            except RowError as error:
                yield error

    def _row(
        self, line: int, row: dict[str, str], ctx: ImportContext, keys: Counter, years: set
    ) -> list[str]:
        if "__error__" in row:
            raise RowError(row["__error__"], line)
        if row["Assistance Category"].strip() != MILITARY:
            return []
        label, year, first, last = fiscal_period(row["Fiscal Year"], line)
        years.add(year)
        country = " ".join(row["Country"].split())
        if not country:
            raise RowError("Country: empty", line)
        if "(not specified)" in country or country in NOT_STATES:
            return []
        group = " ".join(row["Publication Row"].split())
        account = " ".join(row["Funding Account Name"].split())
        kind = aid_type(group, account)
        if kind is None:
            raise RowError(
                f"unmapped programme group '{group}' (funding account '{account}'): "
                "no coopgraph aid type",
                line,
            )
        text = row["Obligations (Historical Dollars)"].strip()
        try:
            amount = int(text)
        except ValueError:
            raise RowError(
                f"Obligations (Historical Dollars): '{text[:40]}' is not an integer", line
            ) from None
        AMOUNT.check(amount, "Obligations (Historical Dollars)", line)
        receiver = recipient(ctx, country, year, line)
        key = (ids.local_name(receiver), label, account)
        keys[key] += 1
        a = ids.fact("greenbook", *key, str(keys[key]))
        g = ctx.graph
        quads = [
            nt.quad(a, nt.RDF_TYPE, nt.iri(CG.AidFlow), g),
            nt.quad(a, CG.donor, nt.iri(ids.nation("USA")), g),
            nt.quad(a, CG.recipient, nt.iri(receiver), g),
            nt.quad(a, CG.startDate, nt.date(first), g),
            nt.quad(a, CG.startPrecision, nt.iri(CG.Day), g),
            nt.quad(a, CG.endDate, nt.date(last), g),
            nt.quad(a, CG.endPrecision, nt.iri(CG.Day), g),
            nt.quad(a, CG.fiscalYear, nt.literal(label), g),
            nt.quad(a, CG.aidType, nt.iri(TYPE_TERMS[kind]), g),
            nt.quad(a, CG.programme, nt.literal(account), g),
            nt.quad(a, CG.amount, nt.decimal(Decimal(amount)), g),
            nt.quad(a, CG.unit, nt.iri(CG.USD), g),
            nt.quad(a, CG.figure, nt.iri(CG.Obligation), g),
        ]
        constant = (row.get("Obligations (Constant Dollars)") or "").strip()
        if constant:
            value = AMOUNT.parse(constant, "Obligations (Constant Dollars)", line)
            quads.append(nt.quad(a, CG.amountConstant, nt.decimal(value), g))
        notes = []
        if account in LOAN_ACCOUNTS:
            notes.append(LOAN)
        if amount < 0:
            notes.append(DEOBLIGATION)
            quads.append(nt.quad(a, CG.estimate, nt.boolean(False), g))
        if notes:
            quads.append(nt.quad(a, CG.note, nt.literal("; ".join(notes)), g))
        quads.append(nt.quad(a, DCT + "source", nt.iri(ids.source(SOURCE_ID)), g))
        return quads

    def version(self, ctx: ImportContext) -> str:
        years = ctx.state.get("years")
        return f"FY{min(years)}-FY{max(years)}" if years else ""


def _is_xlsx(raw: BinaryIO) -> bool:
    """True when the file (gunzipped if need be) is a zip archive, as an .xlsx is.

    A broken gzip stream is not a workbook: False, and ``csv_rows`` reports it with its
    location."""
    start = raw.read(4)
    if start[:2] == b"\x1f\x8b":
        raw.seek(0)
        try:
            with gzip.GzipFile(fileobj=raw) as unzipped:
                start = unzipped.read(4)
        except READ_ERRORS:
            start = b""
    raw.seek(0)
    return start == b"PK\x03\x04"


def xlsx_rows(raw: BinaryIO, path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(spreadsheet row, row) of the Greenbook workbook as published (plain or gzipped):
    the header is the first row starting with "Fiscal Year" (USAID puts a title block
    above it). Needs openpyxl (``pip install 'coopgraph[xlsx]'``); the workbook is checked
    within the reading limits first (``coopgraph.sources.open_workbook``)."""
    workbook = open_workbook(raw, path)
    header: list[str] | None = None
    try:
        for number, values in enumerate(workbook.active.iter_rows(values_only=True), start=1):
            cells = ["" if v is None else _text(v) for v in values]
            if header is None:
                if cells and cells[0].strip() == "Fiscal Year":
                    header = [c.strip() for c in cells]
                    missing = [c for c in COLUMNS if c not in header]
                    if missing:
                        raise CoopgraphError(
                            f"not the Greenbook: missing column(s) {', '.join(missing)}",
                            path=shown(path),
                            line=number,
                        )
                continue
            if not any(cells):
                continue
            yield number, dict(zip(header, cells, strict=False))
    except CoopgraphError:
        raise
    except Exception as error:  # openpyxl reads the sheet as it goes: a broken row
        raise CoopgraphError(f"cannot read the workbook: {error}", path=shown(path)) from None
    if header is None:
        raise CoopgraphError("no header row starting with 'Fiscal Year'", path=shown(path))


def _text(value: object) -> str:
    """A cell as the CSV rendering writes it (whole numbers without a decimal point)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
