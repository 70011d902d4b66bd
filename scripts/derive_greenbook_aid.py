"""Derive data/aid-us-greenbook.csv from USAID's Greenbook (public domain).

What it derives: US military assistance obligations (Assistance Category "Military") to
Israel, Egypt, Afghanistan, Iraq, Jordan and Ukraine, every fiscal year FY1946-FY2020,
one row per recipient x fiscal year x Greenbook programme group ("Publication Row"),
the amount being the sum over that group's funding accounts in current US dollars.
Net sums that are zero or negative (de-obligations) are not aid flows and are left out;
the script says how many and their total.

Run it on the published file (the CSV rendering or the original workbook's CSV, plain or
gzip-compressed):

    python scripts/derive_greenbook_aid.py \\
        ../shared/data/usaid_greenbook_1946_2020/us_foreignaid_greenbook_data.csv.gz

It prints rows read and written and the input's SHA-256, and writes the file in the
format of docs/data-format.md, sorted, so a rerun gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INPUT = (
    ROOT.parent / "shared/data/usaid_greenbook_1946_2020/us_foreignaid_greenbook_data.csv.gz"
)
DEFAULT_OUTPUT = ROOT / "data" / "aid-us-greenbook.csv"
SOURCE_ID = "usaid-greenbook"

#: Greenbook country name -> coopgraph nation id.
RECIPIENTS = {
    "Israel": "ISR",
    "Egypt": "EGY",
    "Afghanistan": "AFG",
    "Iraq": "IRQ",
    "Jordan": "JOR",
    "Ukraine": "UKR",
}

#: Greenbook programme group -> coopgraph aid type (docs/data-format.md).
PROGRAMMES = {
    "Foreign Military Financing": "financing",
    "International Military Education and Training": "training",
    "Peace Keeping Operations": "peacekeeping",
    "Cooperative Threat Reduction": "threat-reduction",
    "Drug Interdiction and Counter-Drug": "counter-drug",
    "Other Military Assistance": "military-assistance",
}
SECURITY_FORCES_FUNDS = ("Afghanistan Security Forces Fund", "Iraq Security Forces Fund")

COLUMNS = [
    "donor", "recipient", "start", "end", "fiscal_year", "type", "programme", "amount",
    "unit", "figure", "estimate", "source", "note",
]  # fmt: skip


def open_text(path: Path):
    """The file as text, gunzipped when its name ends in .gz."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


def fiscal_period(year_text: str) -> tuple[str, str, str]:
    """(fiscal_year label, first day, last day) of a US fiscal year as the Greenbook writes it.

    FY1977 onward runs 1 October to 30 September; before, 1 July to 30 June; "1976.9" is
    the transition quarter, July-September 1976.
    """
    if year_text in ("1976.9", "1976.90"):
        return "1976TQ", "1976-07-01", "1976-09-30"
    year = int(float(year_text))
    if year >= 1977:
        return str(year), f"{year - 1}-10-01", f"{year}-09-30"
    return str(year), f"{year - 1}-07-01", f"{year}-06-30"


def aid_type(group: str, accounts: set[str]) -> str:
    """The coopgraph type of a programme group, refined by its accounts."""
    if group not in PROGRAMMES:
        raise SystemExit(f"unmapped Greenbook programme group: {group!r}")
    if group == "Other Military Assistance":
        if all(a.startswith(SECURITY_FORCES_FUNDS) for a in accounts):
            return "security-forces"
        if all(a == "Excess Defense Articles" for a in accounts):
            return "equipment"
    return PROGRAMMES[group]


def derive(source: Path) -> tuple[list[dict[str, str]], dict[str, object]]:
    """The derived rows and a summary of what was read."""
    totals: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    accounts: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    read = 0
    with open_text(source) as handle:
        for row in csv.DictReader(handle):
            read += 1
            if row["Assistance Category"] != "Military" or row["Country"] not in RECIPIENTS:
                continue
            key = (row["Country"], row["Fiscal Year"], row["Publication Row"])
            totals[key] += Decimal(row["Obligations (Historical Dollars)"])
            accounts[key].add(row["Funding Account Name"])
    rows, dropped, dropped_total = [], 0, Decimal(0)
    for (country, year_text, group), amount in totals.items():
        if amount <= 0:
            dropped += 1
            dropped_total += amount
            continue
        label, first, last = fiscal_period(year_text)
        names = "; ".join(sorted(accounts[(country, year_text, group)]))
        rows.append(
            {
                "donor": "USA",
                "recipient": RECIPIENTS[country],
                "start": first,
                "end": last,
                "fiscal_year": label,
                "type": aid_type(group, accounts[(country, year_text, group)]),
                "programme": f"{group} ({names})",
                "amount": str(amount),
                "unit": "USD",
                "figure": "obligation",
                "estimate": "",
                "source": SOURCE_ID,
                "note": "",
            }
        )
    rows.sort(key=lambda r: (r["donor"], r["recipient"], r["start"], r["type"], r["programme"]))
    summary = {
        "read": read,
        "written": len(rows),
        "dropped": dropped,
        "dropped_total": dropped_total,
    }
    return rows, summary


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_INPUT)
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if not args.source.exists():
        print(f"{args.source}: no such file (give the Greenbook CSV as argument)", file=sys.stderr)
        return 1
    rows, summary = derive(args.source)
    with args.output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(
        f"read {summary['read']:,} rows from {args.source.name} (sha256 {sha256(args.source)}); "
        f"wrote {summary['written']:,} aid records to {args.output}; left out "
        f"{summary['dropped']} zero or negative net sums "
        f"(total {summary['dropped_total']:,} USD)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
