"""Print constraints.txt: the installed version of everything coopgraph and its extras need.

Walks the requirements of ``coopgraph[test,parquet,plot,xlsx,bench]`` through the installed
distributions, so tools installed beside them (pip-audit, an editor's helpers) are left
out. Run from the venv the tests passed in:
``.venv/bin/python scripts/constraints.py > constraints.txt``.
"""

from __future__ import annotations

import re
from importlib import metadata

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


if __name__ == "__main__":
    print(HEADER)
    print("\n".join(pins()))
