"""Derive data/aid-us-greenbook.csv from USAID's Greenbook (U.S. Overseas Loans and Grants).

What it derives: all US military assistance (Greenbook "Assistance Category" ==
Military, August 2022 release, FY1946-FY2020) to recipient states, one row per
recipient x fiscal year x programme group ("Publication Row") and aid type.

A Greenbook country is mapped to a coopgraph nation through data/crosswalk.csv (rows of
scheme "name", with their years) or the nation's label in data/nations.csv.
Regions ("Asia (not specified)", ...) and the places in NOT_STATES are not states and are
skipped; any other name that maps to no nation stops the script with an error.

The amount is the sum of "Obligations (Historical Dollars)" over that group's funding
accounts: current US dollars, figure "obligation". Net sums that are zero or negative
(de-obligations) are not aid flows and are left out; the script prints how many and
their total. The programme column names the group and, in brackets, its funding
accounts; the type column maps the group to a coopgraph aid type (docs/data-format.md),
and a group it cannot map stops the script with an error.

Run it from the work tree (Python 3 standard library only):

    python scripts/derive_greenbook_aid.py [GREENBOOK_CSV] [-o OUT.csv] [--data data/]

GREENBOOK_CSV is the Greenbook CSV, plain or gzip-compressed; it defaults to
/work/shared/data/usaid_greenbook_1946_2020/us_foreignaid_greenbook_data.csv.gz when that
file exists. The script prints rows read, rows written and the input's SHA-256, and
writes the rows sorted by donor, recipient, start, type, programme, so a rerun on the
same input gives the same bytes. Never edit the output by hand: rerun the script.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

from derive_common import Names, nation_names, nation_of, open_text, sha256

ROOT = Path(__file__).resolve().parent.parent
SOURCE_ID = "usaid-greenbook"
DEFAULT_INPUTS = (
    Path("/work/shared/data/usaid_greenbook_1946_2020/us_foreignaid_greenbook_data.csv.gz"),
    ROOT.parent / "shared/data/usaid_greenbook_1946_2020/us_foreignaid_greenbook_data.csv.gz",
)
DEFAULT_OUTPUT = ROOT / "data" / "aid-us-greenbook.csv"

#: Greenbook countries that are not states (regions are recognised by "(not specified)").
NOT_STATES = frozenset({"China (Hong Kong)"})

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
#: "Other Military Assistance" mixes very different money, so its accounts are split
#: into their own rows by type: funds that train and equip a recipient's security forces
#: (ASFF, ISFF and the Iraq Train and Equip Fund), excess defence articles (equipment),
#: and the rest (military-assistance). Typing a whole group by its accounts would hide
#: USD 79 bn of security-forces money among small O&M or EDA amounts.
SECURITY_FORCES_ACCOUNTS = frozenset(
    {
        "Afghanistan Security Forces Fund",
        "Iraq Security Forces Fund",
        "Iraq Train and Equip Fund, Army",
    }
)
EQUIPMENT_ACCOUNTS = frozenset({"Excess Defense Articles"})

INPUT_COLUMNS = (
    "Fiscal Year",
    "Country",
    "Assistance Category",
    "Publication Row",
    "Funding Account Name",
    "Obligations (Historical Dollars)",
)
COLUMNS = [
    "donor", "recipient", "start", "end", "fiscal_year", "type", "programme", "amount",
    "unit", "figure", "estimate", "source", "note",
]  # fmt: skip

Key = tuple[str, str, str, str]  # (recipient id, fiscal year text, Publication Row, type)


def fiscal_period(year_text: str) -> tuple[str, str, str]:
    """(fiscal_year label, first day, last day) of a Greenbook fiscal year.

    FY1977 onward runs 1 October of the previous year to 30 September; earlier years
    run 1 July to 30 June; "1976.9" is the transition quarter, July-September 1976.
    """
    text = year_text.strip()
    if text in ("1976.9", "1976.90"):
        return "1976TQ", "1976-07-01", "1976-09-30"
    if not text.isdigit():
        raise ValueError(f"unexpected fiscal year {year_text!r}")
    year = int(text)
    if year >= 1977:
        return text, f"{year - 1}-10-01", f"{year}-09-30"
    return text, f"{year - 1}-07-01", f"{year}-06-30"


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


def read_groups(
    source: Path, names: Names
) -> tuple[int, dict[Key, int], dict[Key, set[str]], set[str]]:
    """Rows read; per (recipient, year, group, type) the net obligations and the accounts;
    and the Greenbook countries that map to no nation."""
    totals: dict[Key, int] = defaultdict(int)
    accounts: dict[Key, set[str]] = defaultdict(set)
    unknown: set[str] = set()
    read = 0
    with open_text(source) as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in INPUT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SystemExit(f"{source}: missing columns {missing}")
        for line, row in enumerate(reader, start=2):
            read += 1
            country = row["Country"]
            if row["Assistance Category"] != "Military":
                continue
            if "(not specified)" in country or country in NOT_STATES:
                continue
            nation = nation_of(names, country, int(row["Fiscal Year"][:4]))
            if nation is None:
                unknown.add(f"{country} (FY{row['Fiscal Year']})")
                continue
            try:
                amount = int(row["Obligations (Historical Dollars)"])
            except ValueError:
                raise SystemExit(
                    f"{source}:{line}: obligations not an integer: "
                    f"{row['Obligations (Historical Dollars)']!r}"
                ) from None
            group, account = row["Publication Row"], row["Funding Account Name"]
            kind = aid_type(group, account) or ""
            key = (nation, row["Fiscal Year"], group, kind)
            totals[key] += amount
            accounts[key].add(row["Funding Account Name"])
    return read, totals, accounts, unknown


def derive(
    totals: dict[Key, int], accounts: dict[Key, set[str]]
) -> tuple[list[dict[str, str]], list[Key], list[str]]:
    """The output rows, the keys left out as zero or negative, and unmapped groups."""
    rows: list[dict[str, str]] = []
    left_out: list[Key] = []
    unmapped: set[str] = set()
    for key, amount in totals.items():
        recipient, year_text, group, kind = key
        if not kind:
            unmapped.add(group)
            continue
        if amount <= 0:
            left_out.append(key)
            continue
        label, first, last = fiscal_period(year_text)
        rows.append(
            {
                "donor": "USA",
                "recipient": recipient,
                "start": first,
                "end": last,
                "fiscal_year": label,
                "type": kind,
                "programme": f"{group} ({'; '.join(sorted(accounts[key]))})",
                "amount": str(amount),
                "unit": "USD",
                "figure": "obligation",
                "estimate": "",
                "source": SOURCE_ID,
                "note": "",
            }
        )
    rows.sort(key=lambda r: (r["donor"], r["recipient"], r["start"], r["type"], r["programme"]))
    return rows, sorted(left_out), sorted(unmapped)


def default_input() -> Path | None:
    """The first default input path that exists."""
    return next((path for path in DEFAULT_INPUTS if path.exists()), None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Derive data/aid-us-greenbook.csv from USAID's Greenbook CSV."
    )
    parser.add_argument(
        "source", nargs="?", type=Path, default=default_input(),
        help="Greenbook CSV, plain or .gz (default: the shared copy when it exists)",
    )  # fmt: skip
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--data", type=Path, default=ROOT / "data",
        help="folder with nations.csv and crosswalk.csv to map country names (default data/)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.source is None or not args.source.is_file():
        print(f"no Greenbook CSV at {args.source}; give its path as argument", file=sys.stderr)
        return 2

    read, totals, accounts, unknown = read_groups(args.source, nation_names(args.data))
    rows, left_out, unmapped = derive(totals, accounts)
    if unknown:
        for country in sorted(unknown):
            print(
                f"error: Greenbook country {country} maps to no nation or to several: "
                "add it to data/nations.csv or as a name in data/crosswalk.csv",
                file=sys.stderr,
            )
        print("nothing written", file=sys.stderr)
        return 1
    if unmapped:
        for group in unmapped:
            print(f"error: unmapped Greenbook Publication Row {group!r}", file=sys.stderr)
        print("nothing written", file=sys.stderr)
        return 1

    with args.output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    print(f"input:   {args.source}")
    print(f"sha256:  {sha256(args.source)}")
    print(f"read:    {read} rows")
    print(f"written: {len(rows)} rows to {args.output}")
    dropped_total = sum(totals[key] for key in left_out)
    print(
        f"left out: {len(left_out)} zero or negative net sums (de-obligations), "
        f"total {dropped_total} USD"
    )
    for key in left_out:
        recipient, year_text, group, kind = key
        print(f"  {recipient} FY{year_text} {group} ({kind}): {totals[key]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
