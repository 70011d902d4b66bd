"""The command line starts without the analyses' libraries (issue 21).

Each check runs in a fresh interpreter, as a user's shell starts one, and lists the
packages it imported beyond what Python had loaded before coopgraph. ``import
coopgraph.cli``, ``coopgraph --help`` and ``coopgraph query -n alliance-members`` need
click and pyoxigraph, nothing more: networkx, numpy, scipy and rdflib (and the server,
charts and tables libraries) are imported by the commands that use them. Time is measured
by ``bench/bench_start.py``, never here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import ROOT

#: What the analyses, validation, the server and the writers import, never at start.
HEAVY = {
    "networkx", "numpy", "scipy", "rdflib", "pyshacl", "starlette", "uvicorn", "matplotlib",
    "pandas", "pyarrow",
}  # fmt: skip
#: The third-party packages a start may import.
ALLOWED = {"click", "pyoxigraph"}

#: Runs ``code`` after noting the modules Python loaded at its own start (site, .pth
#: files), then prints the top-level packages imported since that are not the standard
#: library's nor coopgraph's.
_PROBE = """
import json, sys
before = set(sys.modules)
try:
    exec(sys.argv[1])
except SystemExit as done:
    assert not done.code, done.code
new = {name.split(".")[0] for name in set(sys.modules) - before}
print(json.dumps(sorted(new - set(sys.stdlib_module_names) - {"coopgraph"})), file=sys.stderr)
"""


def _imported(code: str) -> set[str]:
    """The third-party packages ``code`` imports in a fresh interpreter."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def _main(*args: str) -> str:
    return f"from coopgraph.cli import main; main({list(args)!r})"


STARTS = {
    "import coopgraph.cli": "import coopgraph.cli",
    "import coopgraph.api": "from coopgraph import api",
    "coopgraph --help": _main("--help"),
    "coopgraph query --help": _main("query", "--help"),
}


@pytest.mark.parametrize("code", STARTS.values(), ids=STARTS.keys())
def test_the_command_line_starts_without_the_analyses_libraries(code):
    imported = _imported(code)
    assert not imported & HEAVY, imported & HEAVY
    assert imported <= ALLOWED, imported - ALLOWED


def test_a_library_query_imports_pyoxigraph_only(fixture_store):
    imported = _imported(_main("--store", str(fixture_store), "query", "-n", "alliance-members"))
    assert "pyoxigraph" in imported
    assert imported <= ALLOWED, imported - ALLOWED


def test_a_command_that_needs_networkx_still_imports_it(fixture_store):
    """The other side: the analyses are imported lazily, not left out."""
    code = _main("--store", str(fixture_store), "metrics", "--year", "1999", "--layer", "aid")
    assert "networkx" in _imported(code)
