"""Time the yearly series analysts run: metrics, blocs and dependence over decades.

Usage::

    python bench/bench_series.py                  # builds a store from data/ in a temp dir
    python bench/bench_series.py --store STORE

Each series is what a command computes: ``coopgraph metrics --year 1950 --to 2020`` (the
alliance, aid and arms layers of 71 years, every centrality measure), ``coopgraph metrics
--layer operations --year 1990 --to 2020``, ``coopgraph blocs --from 1950 --to 1995`` and
``coopgraph dependence --from 2001 --to 2020``, through ``coopgraph.api``. Prints the
seconds each took and the rows it gave (the rows show that the work was done).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from coopgraph import api

SERIES = {
    "metrics 1950-2020 (alliances, aid, arms)": lambda root: api.metrics(root, 1950, last=2020),
    "metrics 1990-2020 (operations)": lambda root: api.metrics(
        root, 1990, ["operations"], last=2020
    ),
    "blocs 1950-1995 (alliances)": lambda root: api.blocs(root, 1950, 1995),
    "dependence 2001-2020 (aid)": lambda root: api.dependence(root, 2001, 2020),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="a built store (default: build data/)")
    args = parser.parse_args()
    temp = None
    root = args.store
    if root is None:
        temp = tempfile.mkdtemp(prefix="coopgraph-bench-")
        root = Path(temp) / "store"
        api.build(root)
    try:
        print(f"| {'series':42} | {'rows':>7} | {'seconds':>7} |")
        print(f"|{'-' * 44}|{'-' * 9}|{'-' * 9}|")
        for label, run in SERIES.items():
            started = time.perf_counter()
            rows = run(root)
            took = time.perf_counter() - started
            print(f"| {label:42} | {len(rows):>7} | {took:>7.1f} |", flush=True)
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)
    print(f"\nstore: {root}", file=sys.stderr)


if __name__ == "__main__":
    main()
