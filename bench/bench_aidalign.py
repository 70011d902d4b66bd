"""Benchmark ``coopgraph aidalign``: US military aid against UN voting alignment.

    python bench/bench_aidalign.py [--shared ../shared/data] [--first 1946] [--last 2015]

Builds the bundled data in a temporary folder, imports the Greenbook and the UN votes
from ../shared/data, then times ``api.aidalign`` for the USA over the span (the issue's
target: 1946-2015 in under 30 s on a 2-core machine) and prints its peak RSS. Figures are
printed, never asserted.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--first", type=int, default=1946)
    parser.add_argument("--last", type=int, default=2015)
    args = parser.parse_args(argv)
    if not args.shared.is_dir():
        print(f"no shared data folder at {args.shared}: nothing to measure", file=sys.stderr)
        return 2
    from coopgraph import api

    votes = args.shared / "un_votes_voeten"
    greenbook = args.shared / "usaid_greenbook_1946_2020" / "us_foreignaid_greenbook_data.csv.gz"
    with tempfile.TemporaryDirectory(prefix="coopgraph-bench-aidalign-") as tmp:
        root = Path(tmp) / "store"
        started = time.perf_counter()
        api.build(root)
        api.import_source(
            root,
            "unvotes",
            [votes / "un_votes_1946_2015.csv.gz", votes / "un_roll_calls_1946_2015.csv.gz"],
        )
        api.import_source(root, "greenbook", [greenbook])
        print(
            f"store built, UN votes and Greenbook imported in {time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        rows = api.aidalign(root, "USA", args.first, args.last, sources=["greenbook"])
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"aidalign USA {args.first}-{args.last}: {len(rows):,} recipient-years in "
            f"{seconds:.1f} s, peak RSS {peak:,.0f} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
