"""Benchmark the coopgraph SPARQL endpoint beside the raw Oxigraph server and rdflib-endpoint.

Usage::

    python bench/bench_serve.py                     # builds a store from data/ in a temp dir
    python bench/bench_serve.py --store STORE --seconds 20 --clients 8 --workers 2
    python bench/bench_serve.py --store STORE --soak 60     # and a 60 s soak at the end

Servers, each started once on the same store (the current generation), side by side:

- ``coopgraph`` and ``coopgraph (no cache)``: ``coopgraph serve`` with every guard on
  (``--deadline``, admission queue, row and byte caps, SERVICE refused), with the result
  cache (``--cache-mb``) and with ``cache_mb=0``;
- ``floor``: bench/floor_server.py, the same uvicorn in front of ``--workers`` processes that
  answer a constant without parsing or running anything: the most any endpoint of this
  design can do on the machine, to read coopgraph's figures against;
- ``oxigraph``: ``oxigraph serve-read-only --union-default-graph`` (PyPI ``oxigraph``);
- ``rdflib-endpoint``: an rdflib ``Dataset(default_union=True)`` holding the store's quads,
  served by rdflib-endpoint (PyPI ``rdflib-endpoint``) on uvicorn.

For each query and server, ``--clients`` threads (one keep-alive connection each) send the
query back to back for ``--seconds``, in ``--rounds`` turns that go round the servers (so
other work on the machine weighs on all alike); every server gets the same text (the
library queries declare their prefixes); prints queries/s, p50 and p99 latency, errors, and
each server's threads and RSS before and after (from /proc; coopgraph's include its worker
processes). Then, on coopgraph, each hostile query followed at once by a simple one: the
status and time of both (the attacks of issue 18 among them); then two storms of hostile
queries, 4 and 2 at a time, beside one client timing simple queries. ``--soak S`` hammers
the uncached coopgraph server for S seconds (the library queries, one client sending a
query that runs into the deadline, and imports into the served store one after another,
each a new generation the workers must pick up) and prints threads and RSS every tenth of
the run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from coopgraph import api, queries, store

SIMPLE = "ASK { ?s a cg:Alliance }"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"

RDFLIB_ENDPOINT = """
import sys, time
import pyoxigraph as ox, rdflib, uvicorn
from rdflib_endpoint import SparqlEndpoint
started = time.monotonic()
dataset = rdflib.Dataset(default_union=True)
data = ox.Store.read_only(sys.argv[1]).dump(format=ox.RdfFormat.N_QUADS)
dataset.parse(data=data, format="nquads")
print(f"rdflib-endpoint: {len(dataset):,} quads loaded in {time.monotonic() - started:.1f} s",
      file=sys.stderr, flush=True)
app = SparqlEndpoint(graph=dataset, path="/sparql", cors_enabled=False)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning",
            access_log=False)
"""

COOPGRAPH = """
import json, sys
from coopgraph.serve import run
run(sys.argv[1], port=int(sys.argv[3]), access_log=False, log_level="warning",
    **json.loads(sys.argv[2]))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- a lean HTTP/1.1 client: the load generator shares the 2 cores, so it must be cheap --


class Client:
    """One keep-alive connection sending prebuilt GET requests."""

    def __init__(self, port: int, timeout: float = 120.0):
        self.port = port
        self.timeout = timeout
        self.sock: socket.socket | None = None
        self.buffer = b""

    def connect(self) -> None:
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def send(self, request: bytes) -> tuple[int, dict[str, str], bytes]:
        """Status, headers (lower-case names) and body of one request; OSError on failure."""
        if self.sock is None:
            self.connect()
        assert self.sock is not None
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            length = int(headers["content-length"])
            while len(self.buffer) < length:
                self._read()
            body, self.buffer = self.buffer[:length], self.buffer[length:]
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = self._chunked()
        else:  # read to the end
            while True:
                try:
                    self._read()
                except ConnectionError:
                    break
            body, self.buffer = self.buffer, b""
            self.close()
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    def _chunked(self) -> bytes:
        parts = []
        while True:
            while b"\r\n" not in self.buffer:
                self._read()
            line, self.buffer = self.buffer.split(b"\r\n", 1)
            size = int(line.split(b";")[0], 16)
            while len(self.buffer) < size + 2:
                self._read()
            parts.append(self.buffer[:size])
            self.buffer = self.buffer[size + 2 :]
            if size == 0:
                return b"".join(parts)

    def _read(self) -> None:
        assert self.sock is not None
        data = self.sock.recv(262144)
        if not data:
            raise ConnectionError("the server closed the connection")
        self.buffer += data


def get_request(path: str, query: str, accept: str = "application/sparql-results+json") -> bytes:
    target = path + "?" + urlencode({"query": query})
    return f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {accept}\r\n\r\n".encode("latin-1")


def post_request(path: str, body: bytes, media: str) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {media}\r\n"
        f"Accept: application/sparql-results+json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode("latin-1") + body


def once(port: int, request: bytes) -> tuple[int, float, dict[str, str], bytes]:
    """One request on a fresh connection: status, seconds, headers, body."""
    client = Client(port)
    started = time.perf_counter()
    try:
        status, headers, body = client.send(request)
    except OSError as failure:
        return -1, time.perf_counter() - started, {}, str(failure).encode()
    finally:
        client.close()
    return status, time.perf_counter() - started, headers, body


def hammer(port: int, requests: list[bytes], clients: int, seconds: float) -> dict:
    """``clients`` threads cycling through ``requests`` for ``seconds``."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    statuses: dict[int, int] = {}
    caches: dict[str, int] = {}
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        conn = Client(port)
        mine = latencies[index]
        turn = index
        while time.monotonic() < stop:
            request = requests[turn % len(requests)]
            turn += 1
            started = time.perf_counter()
            try:
                status, headers, _ = conn.send(request)
                cache = headers.get("x-cache")
                if cache:
                    caches[cache] = caches.get(cache, 0) + 1
            except (OSError, ValueError, IndexError):
                status = -1
                conn.close()
            mine.append(time.perf_counter() - started)
            if status != 200:
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
        "elapsed": elapsed,
        "latencies": every,
        "qps": n / elapsed,
        "p50": every[n // 2] * 1000 if every else float("nan"),
        "p99": every[min(n - 1, int(n * 0.99))] * 1000 if every else float("nan"),
        "errors": sum(statuses.values()),
        "statuses": statuses,
        "caches": caches,
    }


def merged(results: list[dict]) -> dict:
    """One result from several slices of ``hammer``: summed counts, pooled latencies."""
    every = sorted(x for r in results for x in r["latencies"])
    n = len(every)
    statuses: dict[int, int] = {}
    caches: dict[str, int] = {}
    for r in results:
        for key, count in r["statuses"].items():
            statuses[key] = statuses.get(key, 0) + count
        for key, count in r["caches"].items():
            caches[key] = caches.get(key, 0) + count
    return {
        "n": n,
        "qps": n / sum(r["elapsed"] for r in results),
        "p50": every[n // 2] * 1000 if every else float("nan"),
        "p99": every[min(n - 1, int(n * 0.99))] * 1000 if every else float("nan"),
        "errors": sum(statuses.values()),
        "statuses": statuses,
        "caches": caches,
        "server_cpu": sum(r.get("server_cpu", 0.0) for r in results),
        "client_cpu": sum(r.get("client_cpu", 0.0) for r in results),
    }


# --- servers and their footprint -----------------------------------------------------------


def proc_stats(pid: int) -> tuple[int, int]:
    """(threads, RSS in kB) of one process; (0, 0) when it is gone."""
    fields = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0, 0
    for line in text.splitlines():
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


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a process and of every descendant alive now."""
    total = 0.0
    for one in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def own_cpu_seconds() -> float:
    """User and system CPU seconds of this process (the load generator) so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def footprint(pid: int) -> dict:
    """Threads and RSS of a server process and of all its descendants together."""
    threads, rss = proc_stats(pid)
    others = [proc_stats(c) for c in children(pid)]
    return {
        "threads": threads,
        "rss_mb": rss / 1024,
        "processes": 1 + len(others),
        "all_threads": threads + sum(t for t, _ in others),
        "all_rss_mb": (rss + sum(r for _, r in others)) / 1024,
    }


def shown_footprint(f: dict) -> str:
    text = f"{f['threads']} threads, {f['rss_mb']:.0f} MB"
    if f["processes"] > 1:
        text += f" (with {f['processes'] - 1} child processes: "
        text += f"{f['all_threads']} threads, {f['all_rss_mb']:.0f} MB)"
    return text


class Server:
    def __init__(self, name: str, argv: list[str], path: str):
        self.name = name
        self.port = free_port()
        self.path = path
        self.process = subprocess.Popen(  # "PORT" in argv is the port chosen
            [arg.replace("PORT", str(self.port)) for arg in argv],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait_up(self, timeout: float = 300.0) -> None:
        started = time.monotonic()
        request = get_request(self.path, "ASK {}")
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited: {self.process.stderr.read().decode()}")
            status, _, _, _ = once(self.port, request)
            if status == 200:
                return
            time.sleep(0.2)
        raise SystemExit(f"{self.name} did not start in {timeout:g} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def library_text(name: str, values: dict[str, str]) -> str:
    query = queries.library()[name]
    return queries.substitute(query.text, queries.bind(query, values))


#: 100,000 ``!`` operators: overflowed the stack of main's parser (issue 18).
BANGS = "SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * 100_000 + "true) }"
#: A string doubled 26 times (16 bytes to 1 GiB): grew a worker without bound in main.
DOUBLING = (
    'SELECT (STRLEN(?s26) AS ?n) WHERE { BIND("0123456789abcdef" AS ?s0) '
    + " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(26))
    + " }"
)


def _form(text: str) -> bytes:
    return post_request(
        "/sparql", urlencode({"query": text}).encode(), "application/x-www-form-urlencoded"
    )


def hostile_queries(port: int) -> dict[str, bytes]:
    nested = "SELECT * WHERE " + "{ " * 5000 + "?s ?p ?o " + "} " * 5000
    url = f"http://127.0.0.1:{port}/sparql"
    service = f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
    hidden = "SELECT * WHERE { ?s ?p ?o # x\r" + "{ " * 10_000 + "?a ?b ?c " + "} " * 10_000 + "}"
    big = ("ASK {}" + " " * 1_000_001).encode()
    return {
        "SERVICE after a CR-ended comment": _form(
            f"SELECT * WHERE {{ ?s ?p ?o # x\rSERVICE <{url}> {{ ?a ?b ?c }}\n}}"
        ),
        "SERVICE glued to a number": _form(
            f"SELECT * WHERE {{ ?s ?y 1SERVICE <{url}> {{ ?a ?b ?c }} }}"
        ),
        "SERVICE after an escaped quote": _form(
            f"PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ?p ex:a\\' }} SERVICE <{url}> "
            "{ ?a ?b ?c } #'"
        ),
        "10,000 groups behind a comment": _form(hidden),
        "100,000 ! operators": _form(BANGS),
        "CONCAT doubling to 1 GiB": _form(DOUBLING),
        "cartesian product with COUNT": get_request("/sparql", CARTESIAN),
        "millions of rows (1.5M)": get_request(
            "/sparql", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f VALUES ?x { 1 2 } }"
        ),
        "1 MB query (POST)": post_request("/sparql", big, "application/sparql-query"),
        "5,000 nested groups": post_request(
            "/sparql", urlencode({"query": nested}).encode(), "application/x-www-form-urlencoded"
        ),
        "SERVICE to 127.0.0.1": get_request("/sparql", service),
        "malformed (syntax error)": get_request("/sparql", "SELECT WHERE { ?s }"),
    }


def hostile(server: Server) -> list[tuple[str, int, float, int, float]]:
    """Each hostile query, then the next simple one: (name, status, s, next status, ms)."""
    listener = socket.socket()  # SERVICE target: counts connections it gets (must be none)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.05)
    rows = []
    try:
        for index, (name, request) in enumerate(hostile_queries(listener.getsockname()[1]).items()):
            status, took, _, _ = once(server.port, request)
            # a simple query the cache has not seen, so it needs a worker
            simple = get_request("/sparql", f"ASK {{ ?s a cg:Alliance FILTER({index} >= 0) }}")
            after, after_took, _, _ = once(server.port, simple)
            rows.append((name, status, took, after, after_took * 1000))
            print(f"  hostile {name}: {status} in {took:.2f} s", file=sys.stderr, flush=True)
        try:
            listener.accept()
            rows.append(("!!! SERVICE made a connection", 0, 0.0, 0, 0.0))
        except TimeoutError:
            pass
    finally:
        listener.close()
    return rows


def storm(server: Server, hostile_text: str, count: int = 40, parallel: int = 4) -> dict:
    """``count`` copies of ``hostile_text``, ``parallel`` at a time, beside one client
    sending a simple (uncached) query every 50 ms: the hostile statuses and the simple
    queries' latency (median, max) while the storm lasts. In main, 40 x 100,000 ``!``
    four at a time held simple queries at 3-5 s (issue 18)."""
    request = _form(hostile_text)
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    done = threading.Event()
    lock = threading.Lock()
    remaining = list(range(count))

    def attacker() -> None:
        while True:
            with lock:
                if not remaining:
                    return
                remaining.pop()
            status, _, _, _ = once(server.port, request)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

    def bystander() -> None:
        index = 0
        while not done.is_set():
            simple = get_request("/sparql", f"ASK {{ ?s a cg:Alliance FILTER({index} > -1) }}")
            _, took, _, _ = once(server.port, simple)
            latencies.append(took * 1000)
            index += 1
            time.sleep(0.05)

    watcher = threading.Thread(target=bystander)
    watcher.start()
    started = time.monotonic()
    attackers = [threading.Thread(target=attacker) for _ in range(parallel)]
    for thread in attackers:
        thread.start()
    for thread in attackers:
        thread.join()
    seconds = time.monotonic() - started
    done.set()
    watcher.join()
    latencies.sort()
    return {
        "statuses": statuses,
        "seconds": seconds,
        "simple": len(latencies),
        "p50": latencies[len(latencies) // 2] if latencies else float("nan"),
        "max": latencies[-1] if latencies else float("nan"),
    }


#: What the soak imports over and over beside the queries (a small published file: each
#: import writes a new store generation, which the endpoint's workers must pick up).
SOAK_IMPORT = (
    Path(__file__).resolve().parent.parent
    / "tests"
    / "fixtures"
    / "import"
    / "cow-states"
    / "states.csv"
)


def soak(
    server: Server, requests: list[bytes], clients: int, seconds: float, store_root: Path
) -> None:
    """Hammer ``server`` for ``seconds`` with one deadline-bound client and a loop of
    imports into its store beside; sample threads and memory."""
    samples = [(0.0, footprint(server.process.pid))]
    stop = threading.Event()
    hostile_statuses: dict[int, int] = {}
    imports = {"done": 0, "failed": 0}

    def importer() -> None:
        command = [sys.executable, "-m", "coopgraph.cli", "--store", str(store_root)]
        command += ["import", "cow-states", str(SOAK_IMPORT)]
        while not stop.is_set():
            done = subprocess.run(command, capture_output=True, text=True)
            imports["done" if done.returncode == 0 else "failed"] += 1

    def sampler() -> None:
        began = time.monotonic()
        while not stop.wait(seconds / 10):
            samples.append((time.monotonic() - began, footprint(server.process.pid)))

    def deadline_client() -> None:
        request = get_request("/sparql", CARTESIAN)
        while not stop.is_set():
            status, _, _, _ = once(server.port, request)
            hostile_statuses[status] = hostile_statuses.get(status, 0) + 1

    threads = [threading.Thread(target=sampler), threading.Thread(target=deadline_client)]
    threads.append(threading.Thread(target=importer))
    for thread in threads:
        thread.start()
    result = hammer(server.port, requests, clients, seconds)
    stop.set()
    for thread in threads:
        thread.join()
    samples.append((seconds, footprint(server.process.pid)))
    print(
        f"\nsoak, {server.name}, {seconds:g} s: {clients} clients cycling through the bench "
        f"queries: {result['n']:,} queries, {result['qps']:.0f} q/s, p50 {result['p50']:.1f} ms, "
        f"p99 {result['p99']:.1f} ms, errors {result['errors']} {json.dumps(result['statuses'])}; "
        f"beside them one client sending the cartesian COUNT: {json.dumps(hostile_statuses)}, "
        f"and imports into the store: {imports['done']} done, {imports['failed']} failed"
    )
    columns = ("t s", 6), ("gateway thr", 11), ("gateway MB", 10), ("procs", 5)
    columns += ("all thr", 7), ("all MB", 7)
    print(" ".join(f"{name:>{width}}" for name, width in columns))
    for at, f in samples:
        print(
            f"{at:>6.0f} {f['threads']:>11} {f['rss_mb']:>10.0f} {f['processes']:>5} "
            f"{f['all_threads']:>7} {f['all_rss_mb']:>7.0f}"
        )


def per_query(result: dict, key: str) -> str:
    """CPU milliseconds per answered query, as text for the table."""
    return f"{result[key] * 1000 / result['n']:.3f}" if result["n"] else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="a built store (default: build data/)")
    parser.add_argument("--seconds", type=float, default=20.0, help="per server and query")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=4, help="turns each server takes")
    parser.add_argument("--workers", type=int, default=2, help="coopgraph endpoint workers")
    parser.add_argument("--deadline", type=float, default=5.0, help="coopgraph's, seconds")
    parser.add_argument("--cache-mb", type=float, default=64.0, help="coopgraph's cache")
    parser.add_argument("--soak", type=float, default=0.0, help="seconds of soak (0: none)")
    parser.add_argument(
        "--servers",
        default="coopgraph,coopgraph-nocache,floor,oxigraph,rdflib-endpoint",
        help="comma-separated subset of the default",
    )
    args = parser.parse_args()
    chosen = args.servers.split(",")

    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if "oxigraph" in chosen and not Path(oxigraph).exists():
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

    bench_queries = {
        "trivial (SELECT * LIMIT 1)": "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
        "alliance-members NATO 1999-07-01": library_text(
            "alliance-members", {"alliance": "NATO", "date": "1999-07-01"}
        ),
        "nation-operations GBR": library_text("nation-operations", {"nation": "GBR"}),
    }
    guards = {"workers": args.workers, "deadline": args.deadline}
    argv = {
        "coopgraph": [sys.executable, "-c", COOPGRAPH, str(root)],
        "oxigraph": [
            oxigraph,
            "serve-read-only",
            "--location",
            str(generation),
            "--union-default-graph",
            "--bind",
            "127.0.0.1:PORT",
        ],
        "rdflib-endpoint": [sys.executable, "-c", RDFLIB_ENDPOINT, str(generation), "PORT"],
    }
    servers: list[Server] = []
    for name in chosen:
        if name == "coopgraph":
            options = json.dumps({**guards, "cache_mb": args.cache_mb})
            servers.append(Server(name, [*argv["coopgraph"], options, "PORT"], "/sparql"))
        elif name == "coopgraph-nocache":
            options = json.dumps({**guards, "cache_mb": 0})
            servers.append(Server(name, [*argv["coopgraph"], options, "PORT"], "/sparql"))
        elif name == "floor":
            floor = [sys.executable, str(Path(__file__).with_name("floor_server.py"))]
            servers.append(Server(name, [*floor, "PORT", str(args.workers)], "/sparql"))
        elif name == "oxigraph":
            servers.append(Server(name, argv["oxigraph"], "/query"))
        elif name == "rdflib-endpoint":
            servers.append(Server(name, argv["rdflib-endpoint"], "/sparql"))
        else:
            raise SystemExit(f"unknown server {name}")
    rows, footprints, hostile_rows, storms = [], {}, [], {}
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    try:
        for server in servers:
            server.wait_up()
            footprints[server.name] = [footprint(server.process.pid)]
        # servers take turns, in --rounds slices of each cell, so that other work on the
        # machine weighs on all of them alike
        for label, text in bench_queries.items():
            slices: dict[str, list[dict]] = {server.name: [] for server in servers}
            for _ in range(args.rounds):
                for server in servers:
                    request = get_request(server.path, text)
                    seconds = args.seconds / args.rounds
                    server_cpu, client_cpu = cpu_seconds(server.process.pid), own_cpu_seconds()
                    result = hammer(server.port, [request], args.clients, seconds)
                    result["server_cpu"] = cpu_seconds(server.process.pid) - server_cpu
                    result["client_cpu"] = own_cpu_seconds() - client_cpu
                    slices[server.name].append(result)
            for server in servers:
                result = merged(slices[server.name])
                rows.append((label, server.name, result))
                print(
                    f"  {label} on {server.name}: {result['qps']:.0f} q/s",
                    file=sys.stderr,
                    flush=True,
                )
        for server in servers:
            footprints[server.name].append(footprint(server.process.pid))
        load_after = Path("/proc/loadavg").read_text().split()[:3]
        target = next((s for s in servers if s.name == "coopgraph-nocache"), None)
        target = target or next((s for s in servers if s.name == "coopgraph"), None)
        if target is not None:
            hostile_rows = hostile(target)
            storms = {
                "100,000 ! operators": storm(target, BANGS),
                "CONCAT doubling to 1 GiB": storm(target, DOUBLING, count=8, parallel=2),
            }
            if args.soak > 0:
                requests = [get_request("/sparql", text) for text in bench_queries.values()]
                soak(target, requests, args.clients, args.soak, root)
    finally:
        for server in servers:
            server.stop()
        if temp:
            shutil.rmtree(temp, ignore_errors=True)

    print(
        f"\n{triples:,} triples; {args.clients} clients; {args.seconds:g} s per cell "
        f"({args.rounds} turns); "
        f"coopgraph endpoint with {args.workers} workers, {args.deadline:g} s deadline, "
        f"cache {args.cache_mb:g} MB (coopgraph) or off (coopgraph-nocache); load average "
        f"{' '.join(load_before)} before, {' '.join(load_after)} after (the clients included)\n"
    )
    header = f"| {'query':34} | {'server':17} | {'queries':>8} | {'q/s':>6} | {'p50 ms':>7} "
    header += f"| {'p99 ms':>7} | errors | server CPU ms/q | client CPU ms/q |"
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    for label, server, r in rows:
        errors = f"{r['errors']}" + (f" {json.dumps(r['statuses'])}" if r["errors"] else "")
        print(
            f"| {label:34} | {server:17} | {r['n']:>8} | {r['qps']:>6.0f} | {r['p50']:>7.1f} "
            f"| {r['p99']:>7.1f} | {errors:>6} | {per_query(r, 'server_cpu'):>14} "
            f"| {per_query(r, 'client_cpu'):>15} |"
        )
    print("\nthreads and RSS, before and after the runs above:")
    for name, (before, after) in footprints.items():
        if len(footprints[name]) == 2:
            print(f"  {name:17} before: {shown_footprint(before)}")
            print(f"  {'':17} after:  {shown_footprint(after)}")
    if hostile_rows:
        print(f"\nhostile queries on {target.name}, each followed at once by a simple query:")
        print(f"| {'query':30} | status | took s | next status | next ms |")
        print(f"|{'-' * 32}|--------|--------|-------------|---------|")
        for name, status, took, after, after_ms in hostile_rows:
            print(f"| {name:30} | {status:>6} | {took:>6.2f} | {after:>11} | {after_ms:>7.1f} |")

    for name, result in storms.items():
        print(
            f"\nstorm on {target.name}: {name}, {sum(result['statuses'].values())} queries "
            f"({json.dumps(result['statuses'])}) in {result['seconds']:.1f} s; beside them "
            f"{result['simple']} simple queries: median {result['p50']:.0f} ms, "
            f"max {result['max']:.0f} ms"
        )


if __name__ == "__main__":
    main()
