"""The W3C SPARQL 1.1 Protocol suite on ``coopgraph serve`` and on the Oxigraph server.

Usage::

    python bench/bench_protocol.py                       # this checkout
    python bench/bench_protocol.py --checkout ../main    # another checkout's coopgraph serve

One store holds the suite's data (data1.nt, data2.nt, data3.nt in the named graphs the
manifest names); ``coopgraph serve`` serves it, and ``oxigraph serve-read-only`` (PyPI
``oxigraph``, without ``--union-default-graph``) serves its current generation beside.
The runner (tests/protocol_suite.py) reads the manifest in ../shared/w3c_rdf_tests and
sends each test's requests to both; prints one line per test (pass, fail, or refused: a
read-only server refusing an update test), the totals per kind, and what each failure
answered. Nothing is asserted here: tests/test_serve_protocol.py asserts coopgraph's side.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import protocol_suite  # noqa: E402

COOPGRAPH = (
    "import sys\nfrom coopgraph.serve import run\n"
    "run(sys.argv[1], port=int(sys.argv[2]), access_log=False, log_level='warning')\n"
)
#: The totals printed: the 20 query tests (queries and bad query requests), the bad update
#: requests, and the update tests.
GROUPS = {
    "query tests": ("query", "bad query"),
    "bad update requests": ("bad update",),
    "update tests": ("update",),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def server(argv: list[str], probe: str, env: dict[str, str] | None = None, cwd=None):
    """A server process up until the block ends; ``probe`` answers once it listens."""
    process = subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"{argv[0]} exited: {process.stderr.read()[-2000:]}")
            with contextlib.suppress(httpx.TransportError):
                httpx.get(probe, params={"query": "ASK {}"}, timeout=2)
                break
            time.sleep(0.2)
        else:
            raise SystemExit(f"{argv[0]} did not start")
        yield
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--checkout",
        type=Path,
        default=ROOT,
        help="the coopgraph checkout whose 'coopgraph serve' to run (default: this one)",
    )
    options = parser.parse_args()
    if not protocol_suite.MANIFEST.exists():
        raise SystemExit(f"the W3C protocol tests are not at {protocol_suite.MANIFEST}")
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(oxigraph).exists():
        raise SystemExit("the oxigraph command is missing: pip install oxigraph")
    cases = protocol_suite.read()
    work = Path(tempfile.mkdtemp(prefix="cg-bench-protocol-"))
    try:
        generation = protocol_suite.build_store(work / "store", protocol_suite.graphs(cases))
        ports = free_port(), free_port()
        coopgraph_url = f"http://127.0.0.1:{ports[0]}/sparql"
        oxigraph_base = f"http://127.0.0.1:{ports[1]}"
        env = {**os.environ, "PYTHONPATH": str(options.checkout.resolve())}
        coopgraph_argv = [sys.executable, "-c", COOPGRAPH, str(work / "store"), str(ports[0])]
        oxigraph_argv = [oxigraph, "serve-read-only", "--location", str(generation)]
        oxigraph_argv += ["--bind", f"127.0.0.1:{ports[1]}"]
        with (
            server(coopgraph_argv, coopgraph_url, env, cwd=options.checkout),
            server(oxigraph_argv, oxigraph_base + "/query"),
        ):
            results = [
                (
                    case,
                    protocol_suite.run(case, coopgraph_url),
                    protocol_suite.run(case, oxigraph_base + "/query", oxigraph_base + "/update"),
                )
                for case in cases
            ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(results, options.checkout.resolve())


def report(results, checkout: Path) -> None:
    """Print the side-by-side table, the totals per kind and the failures' answers."""
    width = max(len(case.name) for case, _, _ in results)
    print(f"W3C SPARQL 1.1 Protocol suite ({len(results)} tests); coopgraph from {checkout}\n")
    print(f"{'test':<{width}}  {'coopgraph':<10} {'oxigraph':<10}")
    for case, ours, theirs in results:
        print(f"{case.name:<{width}}  {ours.verdict:<10} {theirs.verdict:<10}")
    print()
    for label, kinds in GROUPS.items():
        chosen = [(ours, theirs) for case, ours, theirs in results if case.kind in kinds]
        sides = zip(*chosen, strict=True)
        counts = [Counter(outcome.verdict for outcome in side) for side in sides]
        shown = [", ".join(f"{n} {verdict}" for verdict, n in sorted(c.items())) for c in counts]
        print(f"{label} ({len(chosen)}): coopgraph {shown[0]}; oxigraph {shown[1]}")
    failures = [
        (case.name, name, outcome.detail)
        for case, ours, theirs in results
        for name, outcome in (("coopgraph", ours), ("oxigraph", theirs))
        if outcome.verdict == "fail"
    ]
    if failures:
        print("\nfailures:")
        for test, name, detail in failures:
            print(f"  {test} on {name}: {detail}")


if __name__ == "__main__":
    main()
