"""Latency of every library query with its defaults on the bundled data.

    python bench/bench_queries.py [--repeat 5]

Builds the bundled data into a temporary store, runs each query of the library once to
warm the caches, then ``--repeat`` times, and prints the median and the slowest run per
query, slowest first. Figures are printed, never asserted (timing is no test).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    from coopgraph import api, queries

    with tempfile.TemporaryDirectory(prefix="coopgraph-bench-queries-") as tmp:
        root = Path(tmp) / "store"
        api.build(root)
        results = []
        for name, query in queries.library().items():
            api.query(root, query, {}, "csv")
            runs = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                out = api.query(root, query, {}, "csv")
                runs.append(time.perf_counter() - started)
            results.append((statistics.median(runs), max(runs), name, out.count("\n") - 1))
    print("| query | rows | median ms | slowest ms |")
    print("|---|---:|---:|---:|")
    for median, slowest, name, count in sorted(results, reverse=True):
        print(f"| {name} | {count:,} | {median * 1000:,.1f} | {slowest * 1000:,.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
