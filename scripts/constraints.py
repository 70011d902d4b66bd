"""Print constraints.txt: the installed version of everything coopgraph and its extras need.

Walks the requirements of ``coopgraph[test,parquet,plot,xlsx,bench]`` through the installed
distributions, so tools installed beside them (pip-audit, an editor's helpers) are left
out. Run from the venv the tests passed in:
``.venv/bin/python scripts/constraints.py > constraints.txt``.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

import tomllib
from packaging.requirements import Requirement

HEADER = """\
# Versions coopgraph's tests passed with (Python 3.11, Linux x86_64, Nov 2026): the
# project with all its extras (test, parquet, plot, xlsx, bench) and what they pull in.
# CI installs with them:  pip install -e '.[test]' -c constraints.txt
# Regenerate from a venv where the tests pass (lists only what coopgraph[...] requires):
#   .venv/bin/python scripts/constraints.py > constraints.txt   (see docs/reliability.md)"""
EXTRAS = {"test", "parquet", "plot", "xlsx", "bench"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(root: str = "coopgraph", extras: set[str] = EXTRAS) -> list[str]:
    """``name==version`` of every installed distribution ``root[extras]`` needs."""
    dists = {_norm(d.metadata["Name"]): d for d in metadata.distributions()}
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(root, set(extras))]
    while todo:
        name, wanted = todo.pop()
        key = (_norm(name), frozenset(wanted))
        if key in seen or _norm(name) not in dists:
            continue
        seen.add(key)
        for text in dists[_norm(name)].requires or []:
            req = Requirement(text)
            if req.marker is None or any(
                req.marker.evaluate({"extra": e}) for e in (wanted or {""})
            ):
                todo.append((req.name, set(req.extras)))
    names = sorted({n for n, _ in seen} - {_norm(root)})
    return [f"{dists[n].metadata['Name']}=={dists[n].version}" for n in names]


LOWEST_HEADER = """\
# The lowest versions pyproject.toml allows for coopgraph's own requirements and its test
# extras (each lower bound as a pin); the tests pass with them too:
#   python3 -m venv /tmp/lowest
#   /tmp/lowest/bin/pip install -e '.[test]' -c constraints-lowest.txt
#   /tmp/lowest/bin/python -m pytest -n auto --dist loadfile
# Regenerate after changing a bound:
#   python scripts/constraints.py --lowest > constraints-lowest.txt"""


PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def lowest(pyproject: Path = PYPROJECT) -> list[str]:
    """``name==lower bound`` of each requirement of coopgraph and its ``test`` extra."""
    with pyproject.open("rb") as handle:
        project = tomllib.load(handle)["project"]
    pinned = {}
    for text in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        req = Requirement(text)
        floor = [spec.version for spec in req.specifier if spec.operator == ">="]
        if floor:
            pinned[_norm(req.name)] = f"{req.name}=={floor[0]}"
    return [pinned[name] for name in sorted(pinned)]


if __name__ == "__main__":
    if sys.argv[1:] == ["--lowest"]:
        print(LOWEST_HEADER)
        print("\n".join(lowest()))
    else:
        print(HEADER)
        print("\n".join(pins()))
