"""Derive data/participations-isaf.csv from NATO's ISAF "Key Facts and Figures" placemats.

What it derives: one participation in the NATO-led operation ISAF per contributing
nation, from the transcription of 70 placemats (29 January 2007 to 11 November 2014) by
J. Andrés Gannon and Daniel Kent (2020). Role is "contributor" for every nation (ISAF was
NATO-led; no nation is its lead). Start and end are the dates of the first and last
placemat listing the nation with more than 0 troops (day precision): the span the
placemats document, not the nation's whole ISAF service, which may have begun before
2007. peak_troops is the largest troop number on any placemat and peak_troops_date the
first placemat date with it. Nations listed only with 0 troops are left out and named.

Placemat names are mapped to ISO 3166-1 alpha-3 ids by the explicit table NATIONS; an
unmapped name stops the script with an error. The transcription names Montenegro
"Yugoslavia, Federal Republic of (Serbia-Montenegro)" (from 2010, 30-41 troops): Serbia
did not contribute to ISAF and Montenegro did, with about those numbers, so, as the data
folder's README argues, those rows are Montenegro (MNE), and the note column says so.

Run it from the work tree (Python 3 standard library only):

    python scripts/derive_isaf_participations.py [PLACEMAT_CSV] [-o data/participations-isaf.csv]

PLACEMAT_CSV defaults to
/work/shared/data/isaf_nato_placemats/isaf_placemats_2007_2014.csv when that file exists.
The script prints the counts and writes the rows sorted by operation, nation, start, so a
rerun on the same input gives the same bytes. Never edit the output by hand.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPERATION = "ISAF"
SOURCE_ID = "isaf-placemats-gannon-kent"
DEFAULT_INPUTS = (
    Path("/work/shared/data/isaf_nato_placemats/isaf_placemats_2007_2014.csv"),
    ROOT.parent / "shared/data/isaf_nato_placemats/isaf_placemats_2007_2014.csv",
)
DEFAULT_OUTPUT = ROOT / "data" / "participations-isaf.csv"

MONTENEGRO_AS_TRANSCRIBED = "Yugoslavia, Federal Republic of (Serbia-Montenegro)"

#: Placemat name (as transcribed) -> coopgraph nation id (ISO 3166-1 alpha-3).
NATIONS = {
    "Albania": "ALB",
    "Armenia": "ARM",
    "Australia": "AUS",
    "Austria": "AUT",
    "Azerbaijan": "AZE",
    "Bahrain": "BHR",
    "Belgium": "BEL",
    "Bulgaria": "BGR",
    "Canada": "CAN",
    "Croatia": "HRV",
    "Czech Republic": "CZE",
    "Denmark": "DNK",
    "El Salvador": "SLV",
    "Estonia": "EST",
    "Federation of Bosnia and Herzegovina": "BIH",  # the state, Bosnia and Herzegovina
    "Finland": "FIN",
    "France": "FRA",
    "Georgia": "GEO",
    "Germany": "DEU",
    "Greece": "GRC",
    "Hungary": "HUN",
    "Iceland": "ISL",
    "Ireland": "IRL",
    "Italy": "ITA",
    "Jordan": "JOR",
    "Korea, Republic of": "KOR",
    "Latvia": "LVA",
    "Lithuania": "LTU",
    "Luxembourg": "LUX",
    "Macedonia, Former Yugoslav Republic of": "MKD",
    "Malaysia": "MYS",
    "Mongolia": "MNG",
    "Netherlands": "NLD",
    "New Zealand": "NZL",
    "Norway": "NOR",
    "Poland": "POL",
    "Portugal": "PRT",
    "Romania": "ROU",
    "Singapore": "SGP",
    "Slovakia": "SVK",
    "Slovenia": "SVN",
    "Spain": "ESP",
    "Sweden": "SWE",
    "Switzerland": "CHE",
    "Tonga": "TON",
    "Turkey": "TUR",
    "Ukraine": "UKR",
    "United Arab Emirates": "ARE",
    "United Arab Emrates": "ARE",  # transcription misspelling
    "United Arab Erimates": "ARE",  # transcription misspelling
    "United Kingdom": "GBR",
    "United States": "USA",
    # Montenegro mislabelled by the transcription (see the module docstring).
    MONTENEGRO_AS_TRANSCRIBED: "MNE",
}

INPUT_COLUMNS = ("placemat_date", "country", "troops")
COLUMNS = [
    "operation", "nation", "role", "start", "end", "peak_troops", "peak_troops_date",
    "source", "note",
]  # fmt: skip


@dataclass
class Listing:
    """What the placemats say about one nation: troops by placemat date, names used."""

    troops: dict[str, list[int | None]] = field(default_factory=lambda: defaultdict(list))
    names: set[str] = field(default_factory=set)


def default_input() -> Path | None:
    """The first default input path that exists."""
    return next((path for path in DEFAULT_INPUTS if path.exists()), None)


def sha256(path: Path) -> str:
    """Hex SHA-256 of the file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_placemats(source: Path) -> tuple[int, list[str], dict[str, Listing], list[str]]:
    """Rows read, all placemat dates, each nation's listings, and unmapped names."""
    listings: dict[str, Listing] = defaultdict(Listing)
    dates: set[str] = set()
    unmapped: set[str] = set()
    read = 0
    with source.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in INPUT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SystemExit(f"{source}: missing columns {missing}")
        for line, row in enumerate(reader, start=2):
            read += 1
            date, name, text = row["placemat_date"], row["country"], row["troops"].strip()
            dates.add(date)
            if name not in NATIONS:
                unmapped.add(name)
                continue
            try:
                troops = int(text) if text else None  # empty: not known
            except ValueError:
                raise SystemExit(f"{source}:{line}: troops not an integer: {text!r}") from None
            listing = listings[NATIONS[name]]
            listing.troops[date].append(troops)
            listing.names.add(name)
    return read, sorted(dates), dict(listings), sorted(unmapped)


def span_note(nation: str, first: str, last: str, listing: Listing, dates: list[str]) -> str:
    """The note of a participation row: what its dates mean, gaps, and name mapping."""
    note = (
        f"Start and end: span of the NATO ISAF placemats ({dates[0]} to {dates[-1]}) listing "
        "this nation with troops; the nation may have contributed before its first "
        f"listing{' (before 2007)' if first == dates[0] else ''} or after its last."
    )
    between = [d for d in dates if first <= d <= last]
    without = [
        d for d in between if d not in listing.troops or all(t == 0 for t in listing.troops[d])
    ]
    if without:
        note += (
            f" Not listed or listed with 0 troops on {len(without)} of the {len(between)} "
            "placemats in that span."
        )
    if nation == "MNE" and MONTENEGRO_AS_TRANSCRIBED in listing.names:
        note += (
            f" The transcription names it '{MONTENEGRO_AS_TRANSCRIBED}'; Serbia did not "
            "contribute to ISAF and Montenegro did, with these numbers, so the rows are "
            "taken as Montenegro."
        )
    return note


def derive(
    listings: dict[str, Listing], dates: list[str]
) -> tuple[list[dict[str, str]], list[str]]:
    """The participation rows, and the nations listed only with 0 (or unknown) troops."""
    rows: list[dict[str, str]] = []
    zero_only: list[str] = []
    for nation, listing in sorted(listings.items()):
        # One value per placemat; a nation listed twice on one placemat gets the larger.
        per_date = {
            d: max(t for t in values if t is not None)
            for d, values in listing.troops.items()
            if any(t is not None for t in values)
        }
        with_troops = sorted(d for d, t in per_date.items() if t > 0)
        if not with_troops:
            zero_only.append(nation)
            continue
        peak = max(per_date[d] for d in with_troops)
        peak_date = min(d for d in with_troops if per_date[d] == peak)
        first, last = with_troops[0], with_troops[-1]
        rows.append(
            {
                "operation": OPERATION,
                "nation": nation,
                "role": "contributor",
                "start": first,
                "end": last,
                "peak_troops": str(peak),
                "peak_troops_date": peak_date,
                "source": SOURCE_ID,
                "note": span_note(nation, first, last, listing, dates),
            }
        )
    rows.sort(key=lambda r: (r["operation"], r["nation"], r["start"]))
    return rows, zero_only


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Derive data/participations-isaf.csv from the ISAF placemats CSV."
    )
    parser.add_argument(
        "source", nargs="?", type=Path, default=default_input(),
        help="isaf_placemats_2007_2014.csv (default: the shared copy when it exists)",
    )  # fmt: skip
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if args.source is None or not args.source.is_file():
        print(f"no placemat CSV at {args.source}; give its path as argument", file=sys.stderr)
        return 2

    read, dates, listings, unmapped = read_placemats(args.source)
    if unmapped:
        for name in unmapped:
            print(f"error: unmapped placemat name {name!r}; add it to NATIONS", file=sys.stderr)
        print("nothing written", file=sys.stderr)
        return 1
    rows, zero_only = derive(listings, dates)

    with args.output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    doubles = sorted(
        (date, nation)
        for nation, listing in listings.items()
        for date, values in listing.troops.items()
        if len(values) > 1
    )
    unknown = sorted(
        (date, nation)
        for nation, listing in listings.items()
        for date, values in listing.troops.items()
        if None in values
    )
    print(f"input:    {args.source}")
    print(f"sha256:   {sha256(args.source)}")
    print(f"read:     {read} rows, {len(dates)} placemats ({dates[0]} to {dates[-1]})")
    print(f"nations:  {len(listings)} listed, {len(rows)} with troops")
    print(f"written:  {len(rows)} rows to {args.output}")
    print(f"left out (only ever listed with 0 troops): {', '.join(zero_only) or 'none'}")
    for date, nation in unknown:
        print(f"note: {nation} on {date} has no troop number (ignored)")
    for date, nation in doubles:
        values = listings[nation].troops[date]
        print(f"note: {nation} listed {len(values)} times on {date} {values}; used the largest")
    return 0


if __name__ == "__main__":
    sys.exit(main())
