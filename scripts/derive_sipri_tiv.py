"""Derive data/aid-sipri-tiv.csv: the main arms transfers of Russia, China, France, Germany
and the United Kingdom by recipient and year, in SIPRI trend-indicator values (TIV).

What it derives, from SIPRI's supplier -> recipient -> year TIV tables (1950-2021,
generated 28 July 2022) as 360info tidied them (report-arms-trade, CC BY 4.0):

- for each of the five suppliers, its ten largest recipients by TIV delivered 1992-2021,
  plus Russia's deliveries to Syria and Venezuela (the cases the project started from);
- one row per supplier x recipient x calendar year 1992-2021 with a delivery: type
  arms-transfer, unit SIPRI-TIV (millions), figure delivery. SIPRI writes 0 for a
  delivery under 0.5 million TIV: such rows carry amount 0 and estimate "true".

SIPRI's terms allow reuse with a credit line in non-commercial research and ask that no
more than a small part of the database be reproduced: this selection is about 1,200 of
the table's 21,324 rows. Sums or other calculations on it are coopgraph's, not SIPRI's.

Supplier and recipient names are mapped to nation ids through data/crosswalk.csv (names
with their years) and data/nations.csv labels; a name that maps to no nation stops the
script with an error. Run it from the work tree (Python 3 standard library only):

    python scripts/derive_sipri_tiv.py [TIV_CSV] [-o data/aid-sipri-tiv.csv] [--data data/]

TIV_CSV is sipri_tiv_dyad_year_1950_2021_360info.csv(.gz); it defaults to the shared copy
when that exists. The output is sorted by donor, recipient, start, so a rerun on the same
input gives the same bytes. Never edit the output by hand: rerun the script.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

from derive_common import nation_names, nation_of, open_text, sha256

ROOT = Path(__file__).resolve().parent.parent
SOURCE_ID = "sipri-tiv-tables"
SHARED = "shared/data/sipri_arms_transfers/sipri_tiv_dyad_year_1950_2021_360info.csv.gz"
DEFAULT_INPUTS = (Path("/work") / SHARED, ROOT.parent / SHARED)
DEFAULT_OUTPUT = ROOT / "data" / "aid-sipri-tiv.csv"

SUPPLIERS = ("Russia", "China", "France", "Germany", "United Kingdom")
TOP = 10
YEARS = range(1992, 2022)
#: (supplier, recipient) pairs taken whatever their rank.
ALSO = {("Russia", "Syria"), ("Russia", "Venezuela")}
COLUMNS = [
    "donor", "recipient", "start", "end", "fiscal_year", "type", "programme", "amount",
    "unit", "figure", "estimate", "source", "note",
]  # fmt: skip


def read(source: Path) -> list[dict[str, str]]:
    """The table's rows for the five suppliers in YEARS."""
    with open_text(source) as handle:
        reader = csv.DictReader(handle)
        needed = {"supplier", "recipient", "year", "value"}
        if not needed <= set(reader.fieldnames or []):
            raise SystemExit(f"{source}: missing columns {needed - set(reader.fieldnames or [])}")
        return [r for r in reader if r["supplier"] in SUPPLIERS and int(r["year"]) in YEARS]


def select(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The rows of each supplier's TOP recipients by TIV over YEARS, and of ALSO."""
    totals: dict[str, Counter] = {s: Counter() for s in SUPPLIERS}
    for r in rows:
        totals[r["supplier"]][r["recipient"]] += int(r["value"])
    chosen = {(s, rec) for s in SUPPLIERS for rec, _ in totals[s].most_common(TOP)} | ALSO
    return [r for r in rows if (r["supplier"], r["recipient"]) in chosen]


def derive(rows: list[dict[str, str]], data: Path) -> tuple[list[dict[str, str]], set[str]]:
    """Output rows, and the names that map to no nation."""
    names = nation_names(data)
    out, unknown = [], set()
    for r in rows:
        year = int(r["year"])
        donor = nation_of(names, r["supplier"], year)
        recipient = nation_of(names, r["recipient"], year)
        for name, nation in ((r["supplier"], donor), (r["recipient"], recipient)):
            if nation is None:
                unknown.add(f"{name} ({year})")
        if donor is None or recipient is None:
            continue
        below = r["value"] == "0"
        out.append(
            {
                "donor": donor,
                "recipient": recipient,
                "start": str(year),
                "end": str(year),
                "fiscal_year": "",
                "type": "arms-transfer",
                "programme": "",
                "amount": r["value"],
                "unit": "SIPRI-TIV",
                "figure": "delivery",
                "estimate": "true" if below else "",
                "source": SOURCE_ID,
                "note": "SIPRI: less than 0.5 million TIV" if below else "",
            }
        )
    out.sort(key=lambda r: (r["donor"], r["recipient"], r["start"]))
    return out, unknown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "source", nargs="?", type=Path,
        default=next((p for p in DEFAULT_INPUTS if p.exists()), None),
        help="the 360info TIV table, plain or .gz (default: the shared copy when it exists)",
    )  # fmt: skip
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    args = parser.parse_args(argv)
    if args.source is None or not args.source.is_file():
        print(f"no TIV table at {args.source}; give its path as argument", file=sys.stderr)
        return 2
    rows, unknown = derive(select(read(args.source)), args.data)
    if unknown:
        for name in sorted(unknown):
            print(f"error: SIPRI name {name} maps to no nation or to several", file=sys.stderr)
        print("nothing written", file=sys.stderr)
        return 1
    with args.output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"input:   {args.source}")
    print(f"sha256:  {sha256(args.source)}")
    print(f"written: {len(rows)} rows to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
