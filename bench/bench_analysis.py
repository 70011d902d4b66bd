"""Benchmark the analysis layer: alignment for all dyad-years, centrality series.

    python bench/bench_analysis.py [--shared ../shared/data] [--first 1816] [--last 2018]

1. Builds a store from the bundled data and imports ATOP 5.1 (member-level file) and COW
   NMC 7.0 from ../shared/data into a temporary folder.
2. Times ``api.align`` for every dyad-year from ``--first`` to ``--last`` (default
   1816-2018) on ATOP's alliance portfolios with all eight measures (S, S squared, both
   capability-weighted, kappa, pi, Benati-Capurri A, tau-b), as one call, and its peak RSS.
3. Times ``api.metrics`` for the full yearly series 1946-2024 of every default layer
   (alliances, aid, arms) from the curated data, and of the operations layer.

Figures are printed, never asserted. The issue's target: the full dyad-year table of all
measures in under 60 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--first", type=int, default=1816)
    parser.add_argument("--last", type=int, default=2018)
    args = parser.parse_args(argv)
    if not args.shared.is_dir():
        print(f"no shared data folder at {args.shared}: nothing to measure", file=sys.stderr)
        return 2
    from coopgraph import api
    from coopgraph.metrics import alignment

    print(f"coopgraph analysis benchmark; Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="coopgraph-bench-analysis-") as tmp:
        root = Path(tmp) / "store"
        started = time.perf_counter()
        api.build(root)
        api.import_source(root, "atop", [args.shared / "atop_5.1" / "atop5_1m.csv.gz"])
        api.import_source(
            root, "cow-nmc", [args.shared / "cow_nmc_v7.0" / "cow_nmc_v7.0_abridged.csv.gz"]
        )
        print(f"store built and ATOP, COW NMC imported in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        rows = api.align(root, args.first, args.last, sources=["atop"])
        seconds = time.perf_counter() - started
        measures = [c for c in rows[0] if c in alignment.MEASURES]
        print(
            f"align {args.first}-{args.last} (ATOP, {len(measures)} measures: "
            f"{', '.join(measures)}): {len(rows):,} dyad-years in {seconds:.1f} s "
            f"({len(rows) / seconds:,.0f} dyad-years/s), peak RSS {peak_mb():,.0f} MB"
        )

        for layers in (("alliances", "aid", "arms"), ("operations",)):
            started = time.perf_counter()
            rows = api.metrics(root, 1946, list(layers), last=2024)
            seconds = time.perf_counter() - started
            print(
                f"metrics 1946-2024, layers {', '.join(layers)}: {len(rows):,} rows "
                f"(79 years) in {seconds:.1f} s, peak RSS {peak_mb():,.0f} MB"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
