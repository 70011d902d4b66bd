"""The outputs of coopgraph's commands, pinned byte for byte (issue 19's refactor).

Every command below runs through the CLI on one store: the bundled data/ with the fixture
samples of five published datasets imported beside it (so the vote, capability, Greenbook
and SIPRI paths run). Each output's SHA-256 and size are recorded in
tests/golden/commands.txt; tests/test_outputs_unchanged.py runs them again and compares.
A change to an output that is meant must be recorded on purpose:

    python -m tests.golden_commands --write

Left out: what holds the time of an import (``sources``, the ``meta`` graph in exports).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "commands.txt"
IMPORTS = ROOT / "tests" / "fixtures" / "import"

#: (source, files) imported into the golden store after the build.
SOURCES = [
    ("unvotes", ["unvotes/rollcalls.csv", "unvotes/votes.csv", "unvotes/issues.csv"]),
    ("cow-nmc", ["cow-nmc/NMC-70-abridged.csv"]),
    ("greenbook", ["greenbook/us_foreignaid_greenbook_data.csv"]),
    ("sipri-tiv", ["sipri/sipri-tiv.csv"]),
    ("atop", ["atop/atop5_1m.csv"]),
]

CSV = ["--format", "csv"]
#: Each command's arguments after ``coopgraph --store STORE``; "OUT" is an output file
#: whose bytes are the output (else stdout is).
COMMANDS: list[list[str]] = [
    ["query", "-n", "alliance-members", "-p", "alliance=NATO", "-p", "date=1999-07-01", *CSV],
    ["query", "-n", "aid-by-pair", "-p", "from=2000", "-p", "to=2010", *CSV],
    ["query", "-n", "dual-memberships", "--sources", "curated,atop", *CSV],
    ["metrics", "--year", "1999", *CSV],
    ["metrics", "--from", "1990", "--to", "1999", "--layer", "multiplex", *CSV],
    ["metrics", "--year", "2005", "--layer", "aid", "--window", "3", "--top", "10", *CSV],
    ["metrics", "--date", "1999-03-11", "--layer", "alliances", "--by", "strength", *CSV],
    ["metrics", "--year", "1985", "--layer", "alliances", "--weights", "defence=2", *CSV],
    ["metrics", "--year", "1952", "--layer", "alliances", "--sources", "atop", *CSV],
    ["metrics", "--year", "1990", "--layer", "votes", *CSV],
    ["metrics", "--year", "2003", "--layer", "operations", "--metric", "degree,katz", *CSV],
    ["align", "--from", "1990", "--to", "1991", *CSV],
    ["align", "--from", "1990", "--to", "1992", "--basis", "votes", *CSV],
    ["align", "--from", "1950", "--measure", "s,s_w", "--dyad", "USA,GBR", *CSV],
    ["blocs", "--year", "1999", *CSV],
    ["blocs", "--changes", "1985", "1995", *CSV],
    ["blocs", "--year", "2005", "--layer", "aid", "--method", "greedy", *CSV],
    ["dependence", "--from", "2000", "--to", "2010", *CSV],
    ["dependence", "--from", "1985", "--to", "2015", "--layer", "arms",
     "--sources", "sipri-tiv", *CSV],
    ["whatif", "--year", "1999", "--leave", "POL", "--from", "NATO", *CSV],
    ["whatif", "--year", "2005", "--stop-aid", "USA", "--top", "20", *CSV],
    ["aidalign", "--donor", "USA", "--from", "1988", "--to", "2003",
     "--sources", "greenbook", *CSV],
    ["aidalign", "--donor", "USA", "--from", "1988", "--to", "2003", "--sources", "greenbook",
     "--plot", "OUT.html"],
    ["stats", *CSV],
    ["export", "--format", "nquads", "--sources", "curated"],
    ["export", "--format", "turtle", "--sources", "unvotes"],
    ["export", "--void"],
    ["export", "--layer", "alliances", "--year", "1999", "--format", "graphml",
     "-o", "OUT.graphml"],
    ["export", "--layer", "alliances", "--year", "1999", "--format", "gexf", "-o", "OUT.gexf"],
    ["export", "--layer", "alliances", "--year", "1999", "--format", "edges-csv",
     "-o", "OUT.csv"],
    ["viz", "-o", "OUT.html"],
    ["viz", "alliances", "--from", "1985", "--to", "1995", "-o", "OUT.html"],
    ["viz", "aid", "--from", "2000", "--to", "2010", "-o", "OUT.html"],
    ["viz", "operation", "ISAF", "--size-by", "pagerank", "-o", "OUT.html"],
    ["viz", "ego", "POL", "--from", "1990", "--to", "2010", "-o", "OUT.html"],
    ["viz", "blocs", "--from", "1985", "--to", "1995", "--method", "greedy", "-o", "OUT.html"],
]  # fmt: skip


def build_store(root: Path) -> None:
    """The golden store: data/ built, the fixture samples imported."""
    from coopgraph import api

    api.build(root)
    for name, files in SOURCES:
        api.import_source(root, name, [IMPORTS / f for f in files])


def output(root: Path, args: list[str], tmp: Path) -> bytes:
    """The bytes a command writes (its OUT file, or stdout); a failure raises."""
    from click.testing import CliRunner

    from coopgraph.cli import main

    target = next((tmp / ("out" + Path(a).suffix) for a in args if a.startswith("OUT")), None)
    argv = ["--store", str(root), *[str(target) if a.startswith("OUT") else a for a in args]]
    result = CliRunner().invoke(main, argv, catch_exceptions=False)
    if result.exit_code != 0:
        raise AssertionError(f"coopgraph {key(args)}: exit {result.exit_code}: {result.stderr}")
    return target.read_bytes() if target is not None else result.stdout_bytes


def key(args: list[str]) -> str:
    return " ".join(args)


def digest(data: bytes) -> str:
    return f"{hashlib.sha256(data).hexdigest()} {len(data)}"


def read_golden() -> dict[str, str]:
    """command -> "sha256 size", from tests/golden/commands.txt."""
    found = {}
    for line in GOLDEN.read_text().splitlines():
        if line and not line.startswith("#"):
            sha, size, command = line.split(" ", 2)
            found[command] = f"{sha} {size}"
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="record the outputs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "store"
        build_store(root)
        lines = [
            "# SHA-256, bytes and arguments of each command's output on the golden store",
            "# (tests/golden_commands.py; regenerate: python -m tests.golden_commands --write)",
        ]
        golden = read_golden() if GOLDEN.exists() else {}
        changed = 0
        for command in COMMANDS:
            found = digest(output(root, command, Path(tmp)))
            lines.append(f"{found} {key(command)}")
            if golden.get(key(command)) != found:
                changed += 1
                print(f"changed: {key(command)}", file=sys.stderr)
        if args.write:
            GOLDEN.write_text("\n".join(lines) + "\n")
        print(f"{len(COMMANDS)} commands, {changed} changed", file=sys.stderr)


if __name__ == "__main__":
    main()
