"""Benchmark the importers on the full published files: rows/s and peak memory.

    python bench/bench_import.py [--shared ../shared/data] [--only unvotes,atop]

Builds a store from the bundled data in a temporary folder, then runs each importer in
its own process (so each gets its own peak RSS, measured with getrusage) on the full
files of ../shared/data, one after the other into the same store, and prints a table:
rows read, imported, rejected and skipped, triples, seconds, rows/s, peak RSS. Figures
are printed, never asserted. The issue's target: the UN votes file (about 1.07 million
votes) in under 60 s with peak memory under 1.5 GB on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: source -> files under the shared data folder, in the order the importer takes them.
RUNS = {
    "cow-states": ["cow_state_system_2016/states2016.csv"],
    "cow-alliances": ["cow_alliances_v4.1/alliance_v4.1_by_member.csv"],
    "atop": ["atop_5.1/atop5_1m.csv.gz", "atop_5.1/atop5_1a.csv"],
    "cow-nmc": ["cow_nmc_v7.0/cow_nmc_v7.0_abridged.csv.gz"],
    "sipri": ["sipri_arms_transfers/sipri_trade_register_2025-03-13.csv.gz"],
    "sipri-tiv": ["sipri_arms_transfers/sipri_tiv_dyad_year_1950_2021_360info.csv.gz"],
    "greenbook": ["usaid_greenbook_1946_2020/us_foreignaid_greenbook_data.csv.gz"],
    "kiel": [
        "kiel_ukraine_support_tracker/data_explorer.csv",
        "kiel_ukraine_support_tracker/release_info.csv",
    ],
    "unvotes": [
        "un_votes_voeten/un_votes_1946_2015.csv.gz",
        "un_votes_voeten/un_roll_calls_1946_2015.csv.gz",
        "un_votes_voeten/un_roll_call_descriptions_unvotes.csv.gz",
        "un_votes_voeten/un_roll_call_issues_unvotes.csv.gz",
    ],
}


def worker(store: str, source: str, files: list[str]) -> None:
    """Import in this process and print one JSON line with the figures."""
    from coopgraph import api

    started = time.perf_counter()
    report = api.import_source(Path(store), source, [Path(f) for f in files])
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "source": source,
                "read": report.rows_read,
                "imported": report.rows_imported,
                "rejected": report.rows_rejected,
                "skipped": report.rows_skipped,
                "unresolved": sum(report.unresolved.values()),
                "names": len(report.unresolved),
                "triples": report.triples,
                "seconds": seconds,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--only", help="comma-separated sources (default: all)")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker[0], args.worker[1], args.worker[2:])
        return 0
    if not args.shared.is_dir():
        print(f"no shared data folder at {args.shared}: nothing to measure", file=sys.stderr)
        return 2
    from coopgraph import api
    from coopgraph.sources import importers

    known = importers()
    chosen = args.only.split(",") if args.only else list(RUNS)
    print(f"coopgraph import benchmark; {platform.python_version()}, {platform.machine()}")
    with tempfile.TemporaryDirectory(prefix="coopgraph-bench-import-") as tmp:
        store = Path(tmp) / "store"
        api.build(store)
        print("| source | rows read | imported | rejected | skipped | unresolved rows (names) "
              "| triples | seconds | rows/s | peak RSS MB |")  # fmt: skip
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for source in chosen:
            files = [args.shared / f for f in RUNS[source]]
            if source not in known or not all(f.exists() for f in files):
                print(f"| {source} | not run: importer or files missing | | | | | | | | |")
                continue
            out = subprocess.run(
                [sys.executable, __file__, "--worker", str(store), source, *map(str, files)],
                capture_output=True,
                text=True,
            )
            if out.returncode:
                print(
                    f"| {source} | failed: {out.stderr.strip().splitlines()[-1]} | | | | | | | | |"
                )
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"| {source} | {r['read']:,} | {r['imported']:,} | {r['rejected']:,} | "
                f"{r['skipped']:,} | {r['unresolved']:,} ({r['names']}) | {r['triples']:,} | "
                f"{r['seconds']:.1f} | {r['read'] / r['seconds']:,.0f} | {r['peak_mb']:,.0f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
