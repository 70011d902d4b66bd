"""Derive data/participations-isaf.csv from NATO's ISAF placemats (Gannon & Kent 2020).

NATO's "ISAF: Key Facts and Figures" placemats (70 issues, 29 January 2007 to 11 November
2014) list each troop-contributing nation and its troops. For every nation listed with
troops, this script writes one participation in ISAF: the first and last placemat dates
listing it with troops (the span the placemats document; a nation may have contributed
before 2007 or after its last listing), its peak troop number and the first date of that
peak. Nations listed only with 0 troops are left out and named on stderr.

    python scripts/derive_isaf_participations.py \\
        ../shared/data/isaf_nato_placemats/isaf_placemats_2007_2014.csv

The transcription names Montenegro "Yugoslavia, Federal Republic of (Serbia-Montenegro)"
from 2010: Serbia did not contribute to ISAF and Montenegro did, with the 30-41 troops
listed, so those rows are Montenegro (MNE), as the dataset's README argues; the note
column of that row says so.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INPUT = ROOT.parent / "shared/data/isaf_nato_placemats/isaf_placemats_2007_2014.csv"
DEFAULT_OUTPUT = ROOT / "data" / "participations-isaf.csv"
SOURCE_ID = "isaf-placemats-gannon-kent"
MONTENEGRO_AS_TRANSCRIBED = "Yugoslavia, Federal Republic of (Serbia-Montenegro)"

#: Placemat spelling -> coopgraph nation id. An unknown spelling stops the script.
NATIONS = {
    "Albania": "ALB", "Armenia": "ARM", "Australia": "AUS", "Austria": "AUT",
    "Azerbaijan": "AZE", "Bahrain": "BHR", "Belgium": "BEL", "Bulgaria": "BGR",
    "Canada": "CAN", "Croatia": "HRV", "Czech Republic": "CZE", "Denmark": "DNK",
    "El Salvador": "SLV", "Estonia": "EST", "Federation of Bosnia and Herzegovina": "BIH",
    "Finland": "FIN", "France": "FRA", "Georgia": "GEO", "Germany": "DEU", "Greece": "GRC",
    "Hungary": "HUN", "Iceland": "ISL", "Ireland": "IRL", "Italy": "ITA", "Jordan": "JOR",
    "Korea, Republic of": "KOR", "Latvia": "LVA", "Lithuania": "LTU", "Luxembourg": "LUX",
    "Macedonia, Former Yugoslav Republic of": "MKD", "Malaysia": "MYS", "Mongolia": "MNG",
    "Netherlands": "NLD", "New Zealand": "NZL", "Norway": "NOR", "Poland": "POL",
    "Portugal": "PRT", "Romania": "ROU", "Singapore": "SGP", "Slovakia": "SVK",
    "Slovenia": "SVN", "Spain": "ESP", "Sweden": "SWE", "Switzerland": "CHE", "Tonga": "TON",
    "Turkey": "TUR", "Ukraine": "UKR", "United Arab Emirates": "ARE",
    "United Arab Emrates": "ARE", "United Arab Erimates": "ARE", "United Kingdom": "GBR",
    "United States": "USA", MONTENEGRO_AS_TRANSCRIBED: "MNE",
}  # fmt: skip

COLUMNS = [
    "operation", "nation", "role", "start", "end", "peak_troops", "peak_troops_date",
    "source", "note",
]  # fmt: skip
SPAN_NOTE = (
    "Dates are the first and last NATO ISAF placemats (issued 2007-01-29 to 2014-11-11) "
    "listing this nation with troops; it may have contributed before or after them."
)


def derive(source: Path) -> tuple[list[dict[str, str]], list[str]]:
    """The participation rows and the names listed only with zero troops."""
    seen: dict[str, dict[str, object]] = {}
    listed: set[str] = set()
    with source.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            name = row["country"]
            if name not in NATIONS:
                raise SystemExit(f"{source}:{line}: unmapped placemat name {name!r}")
            nation = NATIONS[name]
            listed.add(nation)
            if not row["troops"] or int(row["troops"]) <= 0:
                continue
            troops, date = int(row["troops"]), row["placemat_date"]
            record = seen.setdefault(
                nation, {"first": date, "last": date, "peak": troops, "peak_date": date}
            )
            record["first"] = min(record["first"], date)
            record["last"] = max(record["last"], date)
            if troops > record["peak"] or (troops == record["peak"] and date < record["peak_date"]):
                record["peak"], record["peak_date"] = troops, date
    rows = []
    for nation, record in sorted(seen.items()):
        note = SPAN_NOTE
        if nation == "MNE":
            note += (
                f" The placemats' transcription names it {MONTENEGRO_AS_TRANSCRIBED!r}; "
                "Serbia did not contribute to ISAF and Montenegro did."
            )
        rows.append(
            {
                "operation": "ISAF",
                "nation": nation,
                "role": "contributor",
                "start": str(record["first"]),
                "end": str(record["last"]),
                "peak_troops": str(record["peak"]),
                "peak_troops_date": str(record["peak_date"]),
                "source": SOURCE_ID,
                "note": note,
            }
        )
    return rows, sorted(listed - set(seen))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_INPUT)
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if not args.source.exists():
        print(f"{args.source}: no such file (give the placemat CSV as argument)", file=sys.stderr)
        return 1
    rows, zero_only = derive(args.source)
    with args.output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(
        f"wrote {len(rows)} ISAF participations to {args.output}; listed only with 0 troops: "
        f"{', '.join(zero_only) or 'none'}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
