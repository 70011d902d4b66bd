"""Benchmark the command line's start: two whole commands beside their floors, alternately.

    python bench/bench_start.py [--store DIR] [--rounds 15]

Each figure is the wall-clock time of one whole process, from its start to its exit with
its output read through a pipe, as a user at a shell waits for it:

- ``coopgraph --help`` against ``python -c "import pyoxigraph"``: a Python start with the
  one library every coopgraph command needs; and against ``import click, pyoxigraph``, to
  show what coopgraph adds to the libraries it stands on;
- ``coopgraph query -n alliance-members`` (the members of NATO on 1999-07-01, printed as
  the default table) against a raw pyoxigraph script that opens the same store generation
  read-only, runs the same query text (the parameters bound as coopgraph binds them) over
  the union of the named graphs, and prints each row.

The two sides of a pair run alternately (A, B, A, B ...) after one warm-up run of each, so
a busy moment of a shared machine falls on both; the medians and their ratio are printed,
of the wall-clock time and of the CPU time (user and system: waiting for a busy core does
not inflate it). Python may write bytecode (``__pycache__``), as an installed package
has it, even where PYTHONDONTWRITEBYTECODE is set. The store is built with ``coopgraph
build`` when DIR holds none (about 20 s). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The floor of ``coopgraph query``: pyoxigraph alone on the same store and query text.
FLOOR_QUERY = """\
import sys

import pyoxigraph as ox

store = ox.Store.read_only(sys.argv[1])
text = open(sys.argv[2], encoding="utf-8").read()
for row in store.query(text, use_default_graph_as_union=True):
    print("\\t".join("" if term is None else term.value for term in row))
"""


def coopgraph_command() -> list[str]:
    """How a user runs coopgraph: the console script beside this Python, else ``-m``."""
    script = Path(sys.executable).parent / "coopgraph"
    return [str(script)] if script.exists() else [sys.executable, "-m", "coopgraph.cli"]


def environment() -> dict[str, str]:
    """This environment with the repository first on PYTHONPATH (a worktree's coopgraph),
    and bytecode cached as an installed package has it: without PYTHONDONTWRITEBYTECODE,
    which would make every run compile coopgraph's modules again."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Seconds from the process's start to its exit, the CPU seconds it used (user and
    system), and what it printed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return seconds, cpu, done.stdout


def query_text(store: Path) -> tuple[str, Path]:
    """The text coopgraph runs for ``query -n alliance-members`` (parameters bound as
    ``queries.run`` binds them, NATO resolved as ``Scope.resolve`` does) and the current
    generation's directory."""
    sys.path.insert(0, str(ROOT))
    from coopgraph import queries
    from coopgraph.scope import Scope

    q = queries.load("alliance-members")
    scope = Scope.open(store)
    values = queries.resolve_names(q, {}, scope.resolve)
    text = queries.substitute(q.text, queries.bind(q, values))
    generation = store / "generations" / (store / "CURRENT").read_text().strip()
    return text, generation


def pair(
    label: str, ours: list[str], floor: list[str], rounds: int, env: dict[str, str]
) -> tuple[list[float], list[float], str, str]:
    """Median wall-clock and CPU seconds of ``ours`` and of ``floor``, run alternately
    ``rounds`` times each (after one warm-up run of each), and what each printed."""
    our_output = timed(ours, env)[2]
    floor_output = timed(floor, env)[2]
    our_runs, floor_runs = [], []
    for i in range(rounds):
        our_runs.append(timed(ours, env)[:2])
        floor_runs.append(timed(floor, env)[:2])
        print(f"  {label}: round {i + 1}/{rounds}", file=sys.stderr, end="\r")
    print(file=sys.stderr)
    medians = [[statistics.median(run[k] for run in runs) for k in (0, 1)]
               for runs in (our_runs, floor_runs)]  # fmt: skip
    return medians[0], medians[1], our_output, floor_output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a built store (default: build one in $TMPDIR)")
    parser.add_argument("--rounds", type=int, default=15, help="runs of each side (default 15)")
    args = parser.parse_args(argv)
    env = environment()
    coopgraph = coopgraph_command()
    with tempfile.TemporaryDirectory(prefix="bench-start-") as tmp:
        store = args.store or Path(tmp) / "store"
        if not (store / "CURRENT").exists():
            print(f"building {store} ...", file=sys.stderr)
            timed([*coopgraph, "--store", str(store), "build"], env)
        text, generation = query_text(store)
        query_file = Path(tmp) / "alliance-members.rq"
        query_file.write_text(text, encoding="utf-8")
        floor_script = Path(tmp) / "floor_query.py"
        floor_script.write_text(FLOOR_QUERY, encoding="utf-8")

        runs = [
            (
                "coopgraph --help",
                [*coopgraph, "--help"],
                'python -c "import pyoxigraph"',
                [sys.executable, "-c", "import pyoxigraph"],
            ),
            (
                "coopgraph --help",
                [*coopgraph, "--help"],
                'python -c "import click, pyoxigraph" (what coopgraph adds to its libraries)',
                [sys.executable, "-c", "import click, pyoxigraph"],
            ),
            (
                "coopgraph query -n alliance-members",
                [*coopgraph, "--store", str(store), "query", "-n", "alliance-members"],
                "pyoxigraph script: Store.read_only, the same query text, print the rows",
                [sys.executable, str(floor_script), str(generation), str(query_file)],
            ),
        ]
        print(f"{args.rounds} alternating runs of each side; Python {sys.version.split()[0]}, "
              f"{os.cpu_count()} cores; store {store}")  # fmt: skip
        print("| command | coopgraph | the floor | ratio | what is timed |")
        print("|---|---|---|---|---|")
        for label, ours, floor_label, floor in runs:
            mine, base, our_output, floor_output = pair(label, ours, floor, args.rounds, env)
            rows = ""
            if "query" in label:
                ours_rows = len(our_output.splitlines()) - 3  # header, rule, "(N rows)"
                floor_rows = len(floor_output.splitlines())
                rows = (
                    f"; {ours_rows} rows printed by each"
                    if ours_rows == floor_rows
                    else f"; !!! ROWS DIFFER: {ours_rows} and {floor_rows}"
                )
            (wall, cpu), (floor_wall, floor_cpu) = mine, base
            print(
                f"| `{label}` | {wall * 1000:.0f} ms (CPU {cpu * 1000:.0f} ms) | "
                f"{floor_wall * 1000:.0f} ms (CPU {floor_cpu * 1000:.0f} ms) | "
                f"{wall / floor_wall:.2f}x (CPU {cpu / floor_cpu:.2f}x) | whole process, "
                f"median of wall-clock (and of user + system CPU) time; the floor: "
                f"{floor_label}{rows} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
