"""SIGKILL build, import and remove many times at random moments; report the outcomes.

The store must reopen after every kill as it was before the write or as after it, never
anything else (DESIGN.md, "The store"). Uses the fork server of tests/kill_harness.py:
coopgraph is imported once and each command runs in a forked child killed after a delay
drawn over the command's own running time. Figures are printed, never asserted.

    .venv/bin/python bench/bench_kill.py --runs 100 --seed 1
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.kill_harness import ForkServer, kill_loop  # noqa: E402

FIXTURE_DATA = ROOT / "tests" / "fixtures" / "data"
COW_STATES = ROOT / "tests" / "fixtures" / "import" / "cow-states" / "states.csv"


def main() -> None:
    """Run the kill loops and print runs, kills and the states the store was left in."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="kills per loop")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--validate", action="store_true", help="builds run SHACL too")
    options = parser.parse_args()
    rng = random.Random(options.seed)
    work = Path(tempfile.mkdtemp(prefix="cg-bench-kill-"))
    server = ForkServer()
    try:
        smaller = work / "data-b"
        shutil.copytree(FIXTURE_DATA, smaller)
        aid = smaller / "aid.csv"
        aid.write_text("".join(aid.read_text(encoding="utf-8").splitlines(True)[:2]))
        check = [] if options.validate else ["--no-validate"]
        started = time.perf_counter()
        runs = kill_loop(
            server,
            work / "store",
            ["build", *check, "--data", str(smaller)],
            ["build", *check, "--data", str(FIXTURE_DATA)],
            options.runs,
            work,
            rng,
        )
        runs += kill_loop(
            server,
            work / "store",
            ["import", "cow-states", str(COW_STATES)],
            ["remove", "cow-states"],
            options.runs,
            work,
            rng,
        )
        seconds = time.perf_counter() - started
    finally:
        server.close()
        shutil.rmtree(work, ignore_errors=True)
    table = Counter((r.command, "killed" if r.killed else "finished", r.state) for r in runs)
    print(f"{len(runs)} runs in {seconds:.1f} s (seed {options.seed})")
    print(f"{'command':8} {'run':9} {'store left':10} {'runs':>5}")
    for (command, how, state), n in sorted(table.items()):
        print(f"{command:8} {how:9} {state:10} {n:>5}")
    bad = sum(n for (_, _, state), n in table.items() if state == "neither")
    print(f"half-written stores: {bad}")


if __name__ == "__main__":
    main()
