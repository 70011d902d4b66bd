"""Print how far the curated data agree with ATOP, COW and the ISAF placemats.

    python scripts/crosscheck.py [--shared ../shared/data] [--data data/]

Reads the published files under ``--shared`` (the layout of the project's shared data
folder: atop_5.1/atop5_1m.csv.gz, cow_alliances_v4.1/alliance_v4.1_by_member.csv,
cow_state_system_2016/states2016.csv, isaf_nato_placemats/isaf_placemats_2007_2014.csv),
prints one line of agreement figures per check and dataset, then every difference with
its explanation from data/checks/differences.csv, or UNEXPLAINED. Exits 1 when a
difference is unexplained or an explanation is stale. See coopgraph/crosscheck.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from coopgraph import crosscheck
from coopgraph.paths import PROJECT_ROOT


def run(shared: Path, data: Path) -> list[crosscheck.Agreement]:
    """Every check whose published file exists under ``shared``."""
    atop = shared / "atop_5.1" / "atop5_1m.csv.gz"
    cow = shared / "cow_alliances_v4.1" / "alliance_v4.1_by_member.csv"
    states = shared / "cow_state_system_2016" / "states2016.csv"
    placemats = shared / "isaf_nato_placemats" / "isaf_placemats_2007_2014.csv"
    results = crosscheck.alliances(
        data, atop if atop.exists() else None, cow if cow.exists() else None
    )
    if states.exists():
        results.append(crosscheck.states(data, states))
    if placemats.exists():
        results.append(crosscheck.isaf(data, placemats))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=PROJECT_ROOT.parent / "shared" / "data")
    parser.add_argument("--data", type=Path, default=PROJECT_ROOT / "data")
    args = parser.parse_args(argv)
    if not args.shared.is_dir():
        print(f"no shared data folder at {args.shared}", file=sys.stderr)
        return 2
    results = run(args.shared, args.data)
    print(
        f"{'check':<10} {'dataset':<15} {'scope':>5} {'ours':>5} {'theirs':>6} {'both':>5} "
        f"{'members':>8} {'starts':>7} {'ends':>6}"
    )
    for r in results:
        print(
            f"{r.check:<10} {r.dataset:<15} {r.scope:>5} {r.ours:>5} {r.theirs:>6} "
            f"{r.both:>5} {r.members:>8.1%} {r.starts:>7.1%} {r.ends:>6.1%}"
        )
    known = crosscheck.explained(args.data)
    print()
    for r in results:
        for d in r.differences:
            why = known.get(d.key, "UNEXPLAINED")
            print(
                f"{d.check} {d.dataset} {d.organisation} {d.nation} {d.difference} "
                f"(ours {d.ours or '-'}, theirs {d.theirs or '-'}): {why}"
            )
    missing = crosscheck.unexplained(args.data, results)
    old = crosscheck.stale(args.data, results)
    for key in old:
        print(f"stale explanation (no such difference now): {','.join(key)}")
    return 1 if missing or old else 0


if __name__ == "__main__":
    sys.exit(main())
