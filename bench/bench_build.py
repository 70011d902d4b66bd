"""``coopgraph build`` beside its floor: one bulk load of the same quads, alternating.

Run from the repository root::

    python bench/bench_build.py                     # 5 rounds
    python bench/bench_build.py --rounds 9
    python bench/bench_build.py --checkout ../main  # another checkout's coopgraph build

First, one ``coopgraph build`` into a scratch store and ``coopgraph export --format
nquads`` of it: the quads a build writes (ontology, shapes, nations, curated, meta), in one
file. Then, for each round, in this order:

- **coopgraph**: ``coopgraph --store NEW build`` as a child process, NEW a directory that
  does not exist yet (a first build on a fresh machine: nothing to skip): Python's start,
  the imports, reading data/, the load, SHACL validation, the switch and the printed
  counts;
- **floor**: a child ``python -c`` that imports pyoxigraph, opens a new store directory,
  ``bulk_load``s the exported file into it and flushes it.

Each child's wall time is measured around it (start to exit) and its peak RSS taken from
``os.wait4``. Printed: the median of each, the ratios coopgraph / floor, then the split of
the build's steps (``BuildReport.steps``: median over ``--split`` more builds, each in a
child that calls ``coopgraph.api.build`` and prints them; not for a checkout that lacks
them). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

FLOOR = (
    "import sys, pyoxigraph as ox\n"
    "store = ox.Store(sys.argv[1])\n"
    "store.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS)\n"
    "store.flush()\n"
)
HAS_STEPS = (
    "import dataclasses, coopgraph.build as b\n"
    "print('steps' in {f.name for f in dataclasses.fields(b.BuildReport)})\n"
)
SPLIT = (
    "import json, sys\n"
    "from coopgraph import api\n"
    "report = api.build(sys.argv[1])\n"
    "print(json.dumps(getattr(report, 'steps', {})))\n"
)


def run(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """Run ``command`` in ``cwd``; its wall seconds, peak RSS (MB) and standard output.

    ``cwd`` is not the repository: ``python -c`` and ``-m`` put the working directory
    first on ``sys.path``, before ``PYTHONPATH``, which names the checkout measured."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdout=out, stderr=err, cwd=cwd)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            sys.exit(f"failed ({child.returncode}): {' '.join(command)}\n{err.read().decode()}")
        return seconds, usage.ru_maxrss / 1024, out.read().decode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (5)")
    parser.add_argument("--split", type=int, default=3, help="builds timed per step (3)")
    parser.add_argument(
        "--checkout", type=Path, default=HERE, help="the coopgraph checkout to build with"
    )
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=str(args.checkout.resolve()))
    python = sys.executable
    coopgraph = [python, "-m", "coopgraph.cli"]
    work = Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        quads = work / "build.nq"
        run([*coopgraph, "--store", str(work / "first"), "build"], env, work)
        run([*coopgraph, "--store", str(work / "first"), "export", "--format", "nquads",
             "-o", str(quads)], env, work)  # fmt: skip
        lines = sum(1 for _ in quads.open("rb"))
        print(f"checkout: {args.checkout.resolve()}")
        print(f"quads a build writes: {lines:,} ({quads.stat().st_size / 1e6:.1f} MB of N-Quads)")
        timed: dict[str, list[tuple[float, float]]] = {"coopgraph": [], "floor": []}
        for round_ in range(args.rounds):
            target = work / f"build-{round_}"
            build = run([*coopgraph, "--store", str(target), "build"], env, work)
            timed["coopgraph"].append(build[:2])
            shutil.rmtree(target)
            target = work / f"floor-{round_}"
            floor = run([python, "-c", FLOOR, str(target), str(quads)], env, work)
            timed["floor"].append(floor[:2])
            shutil.rmtree(target)
            print(
                f"round {round_ + 1}: coopgraph {timed['coopgraph'][-1][0]:.2f} s "
                f"{timed['coopgraph'][-1][1]:.0f} MB, floor {timed['floor'][-1][0]:.2f} s "
                f"{timed['floor'][-1][1]:.0f} MB",
                file=sys.stderr,
            )
        medians = {
            name: (statistics.median(s for s, _ in runs), statistics.median(m for _, m in runs))
            for name, runs in timed.items()
        }
        (cs, cm), (fs, fm) = medians["coopgraph"], medians["floor"]
        print(f"\nmedians of {args.rounds} alternating rounds (wall time; peak RSS of the child)")
        print("| command | coopgraph | the floor | ratio | what is timed |")
        print("|---|---|---|---|---|")
        print(
            f"| `coopgraph build` | {cs:.2f} s, {cm:.0f} MB | {fs:.2f} s, {fm:.0f} MB | "
            f"{cs / fs:.2f}x time, {cm / fm:.2f}x memory | coopgraph: the whole command, "
            "first build into a new directory; floor: `python -c` importing pyoxigraph, one "
            "`Store.bulk_load` of the build's own N-Quads into a new directory, flush |"
        )
        steps: dict[str, list[float]] = {}
        has_steps = run([python, "-c", HAS_STEPS], env, work)[2].strip() == "True"
        for round_ in range(args.split if has_steps else 0):
            target = work / f"split-{round_}"
            out = run([python, "-c", SPLIT, str(target)], env, work)[2]
            for step, seconds in json.loads(out.strip().splitlines()[-1]).items():
                steps.setdefault(step, []).append(seconds)
            shutil.rmtree(target)
        if steps:
            print(f"\nsteps of the build (median of {args.split}, in-process timings, seconds):")
            for step, values in steps.items():
                print(f"  {step:<9} {statistics.median(values):.2f}")
        else:
            print("\n(this checkout's BuildReport has no steps)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
