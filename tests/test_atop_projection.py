"""The alliance projection checked against ATOP's own directed dyad-year file.

ATOP's member-level file is imported and projected into yearly alliance ties by the same
code the metrics use (``project.alliance_ties``); ATOP's dyad-year file (peacesciencer's
copy of atop5_1ddyr) lists the dyad-years that share an alliance. Both sides are compared
as undirected dyad-years of COW identities (the USSR and Russia, which COW numbers 365,
are one), from 1816 (the start of the COW state system) to 2018. Every difference must be
explained in data/checks/differences.csv (check "atop-dyad-years").
"""

from __future__ import annotations

import csv
import gzip

from coopgraph import api, crosscheck, project, store
from coopgraph.paths import data_dir
from coopgraph.sources.resolve import Resolver

#: Dyad-years both hold / dyad-years either holds, as reached; a drop fails.
FLOOR = 0.99996


def test_atop_projection_matches_atops_dyad_years(shared_data, tmp_path):
    folder = shared_data / "atop_5.1"
    root = tmp_path / "store"
    api.build(root)
    api.import_source(root, "atop", [folder / "atop5_1m.csv.gz"])
    reader = store.open_reader(root)
    levels = dict.fromkeys(project.TIE_LEVELS, 1)
    ties = project.alliance_ties(
        reader, range(1816, 2019), graphs=api.scope(root, ["atop"]), levels=levels
    )
    identity = crosscheck.successions(data_dir())

    def dyad(a: str, b: str, year: int) -> tuple[str, str, int]:
        a, b = identity.get(a, a), identity.get(b, b)
        return (min(a, b), max(a, b), year)

    ours = {dyad(a, b, year) for year, table in ties.items() for a, b in table}
    resolve = Resolver(reader)
    theirs = set()
    with gzip.open(folder / "atop5_1_ddyr_peacesciencer.csv.gz", "rt") as handle:
        for row in csv.DictReader(handle):
            year = int(row["year"])
            if year < 1816:
                continue
            a = resolve.cow(int(row["ccode1"]), year)
            b = resolve.cow(int(row["ccode2"]), year)
            assert a is not None and b is not None, row  # every ccode resolves
            if identity.get(a, a) != identity.get(b, b):
                theirs.add(dyad(a, b, year))
    agreement = len(ours & theirs) / len(ours | theirs)
    print(
        f"ATOP dyad-years: coopgraph {len(ours):,}, ATOP {len(theirs):,}, agreement {agreement:.5f}"
    )
    assert agreement >= FLOOR
    found = {(f"{a}-{b}-{y}", "only-coopgraph") for a, b, y in ours - theirs} | {
        (f"{a}-{b}-{y}", "only-dataset") for a, b, y in theirs - ours
    }
    explained = {
        (key[3], key[4]) for key in crosscheck.explained(data_dir()) if key[0] == "atop-dyad-years"
    }
    assert found == explained, f"unexplained: {found - explained}; stale: {explained - found}"
