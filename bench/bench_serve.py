"""Benchmark the coopgraph SPARQL endpoint against the raw Oxigraph server on the same data.

Usage::

    python bench/bench_serve.py                     # builds a store from data/ in a temp dir
    python bench/bench_serve.py --store STORE --seconds 30 --clients 8 --workers 2

For each server and each query, ``--clients`` threads (one keep-alive connection each)
send the query back to back for ``--seconds``; prints queries/s, p50 and p99 latency and
errors, and the coopgraph endpoint's thread count and RSS (gateway and workers, from
/proc) before and after. The Oxigraph server is ``oxigraph serve-read-only`` (PyPI
package ``oxigraph``) on the current generation of the same store, union default graph.
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from coopgraph import api, queries, store
from coopgraph.namespace import PREFIXES


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_up(port: int, process: subprocess.Popen, path: str) -> None:
    started = time.monotonic()
    while time.monotonic() - started < 60:
        if process.poll() is not None:
            raise SystemExit(f"server exited: {process.stdout.read().decode()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path + "?" + urlencode({"query": "ASK {}"}))
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("server did not start")


def proc_stats(pid: int) -> tuple[int, int]:
    """(threads, RSS in kB) of one process."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["Threads"]), int(fields.get("VmRSS", "0 kB").split()[0])


def children(pid: int) -> list[int]:
    """Every descendant of ``pid``: the forkserver, the workers it forked, the tracker."""
    found, todo = [], [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            try:
                new = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found += new
            todo += new
    return found


def footprint(pid: int) -> str:
    threads, rss = proc_stats(pid)
    workers = [proc_stats(c) for c in children(pid)]
    worker_rss = sum(r for _, r in workers)
    return (
        f"gateway {threads} threads, {rss / 1024:.0f} MB RSS; "
        f"{len(workers)} descendant processes (workers, forkserver, tracker), "
        f"{worker_rss / 1024:.0f} MB RSS in all"
    )


def hammer(port: int, path: str, query: str, clients: int, seconds: float) -> dict:
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    statuses: dict[int, int] = {}
    target = path + "?" + urlencode({"query": query})
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = latencies[index]
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                conn.request("GET", target, headers={"Accept": "application/sparql-results+json"})
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = -1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine.append(time.perf_counter() - started)
            if status != 200:
                errors[index] += 1
                statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    every = sorted(x for mine in latencies for x in mine)
    n = len(every)
    return {
        "n": n,
        "qps": n / elapsed,
        "p50": statistics.median(every) * 1000 if every else float("nan"),
        "p99": every[min(n - 1, int(n * 0.99))] * 1000 if every else float("nan"),
        "errors": sum(errors),
        "statuses": statuses,
    }


def library_text(name: str, values: dict[str, str]) -> str:
    query = queries.library()[name]
    return queries.substitute(query.text, queries.bind(query, values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="a built store (default: build data/)")
    parser.add_argument("--seconds", type=float, default=30.0, help="per server and query")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="coopgraph endpoint workers")
    args = parser.parse_args()

    if shutil.which("oxigraph") is None:
        raise SystemExit("the oxigraph command is missing: pip install oxigraph")
    temp = None
    root = args.store
    if root is None:
        temp = tempfile.mkdtemp(prefix="coopgraph-bench-")
        root = Path(temp) / "store"
        started = time.monotonic()
        api.build(root)
        print(f"built a store from data/ in {time.monotonic() - started:.1f} s", file=sys.stderr)
    generation = store.current_generation(root)
    triples = sum(c.triples for c in store.counts(store.open_reader(root)))

    prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
    bench_queries = {
        "trivial (SELECT * LIMIT 1)": "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
        "alliance-members NATO 1999-07-01": library_text(
            "alliance-members", {"alliance": "NATO", "date": "1999-07-01"}
        ),
        "aid-by-pair": library_text("aid-by-pair", {}),
    }

    cg_port, ox_port = free_port(), free_port()
    code = (
        "import sys\nfrom coopgraph.serve import run\n"
        "run(sys.argv[1], port=int(sys.argv[2]), workers=int(sys.argv[3]), "
        "access_log=False, log_level='warning')\n"
    )
    coopgraph_server = subprocess.Popen(
        [sys.executable, "-c", code, str(root), str(cg_port), str(args.workers)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    oxigraph_server = subprocess.Popen(
        [
            "oxigraph",
            "serve-read-only",
            "--location",
            str(generation),
            "--bind",
            f"127.0.0.1:{ox_port}",
            "--union-default-graph",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    rows = []
    try:
        wait_up(cg_port, coopgraph_server, "/sparql")
        wait_up(ox_port, oxigraph_server, "/query")
        before = footprint(coopgraph_server.pid)
        for label, text in bench_queries.items():
            for server, port, path, query in (
                ("coopgraph", cg_port, "/sparql", text),
                ("oxigraph", ox_port, "/query", prologue + text),
            ):
                result = hammer(port, path, query, args.clients, args.seconds)
                rows.append((label, server, result))
                print(
                    f"  {label} on {server}: {result['qps']:.0f} q/s", file=sys.stderr, flush=True
                )
        after = footprint(coopgraph_server.pid)
    finally:
        coopgraph_server.terminate()
        oxigraph_server.terminate()
        coopgraph_server.wait(30)
        oxigraph_server.wait(30)
        if temp:
            shutil.rmtree(temp, ignore_errors=True)

    print(
        f"\n{triples:,} triples; {args.clients} clients; {args.seconds:g} s per cell; "
        f"coopgraph endpoint with {args.workers} workers\n"
    )
    header = f"{'query':34} {'server':10} {'queries':>8} {'q/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
    print(header + f" {'errors':>7}")
    print("-" * (len(header) + 8))
    for label, server, r in rows:
        errors = f"{r['errors']}" + (f" {json.dumps(r['statuses'])}" if r["errors"] else "")
        print(
            f"{label:34} {server:10} {r['n']:>8} {r['qps']:>8.0f} {r['p50']:>8.1f} "
            f"{r['p99']:>8.1f} {errors:>7}"
        )
    print(f"\ncoopgraph endpoint before: {before}")
    print(f"coopgraph endpoint after:  {after}")


if __name__ == "__main__":
    main()
