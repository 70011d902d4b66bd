"""A fixed pool of query worker processes, each holding the store read-only.

Oxigraph cannot cancel a running query (DESIGN.md, "Serving and scale"), so each query
runs in a worker process that the gateway can kill: past the deadline the worker gets
SIGKILL, the core is free at once, and a fresh worker takes its place. Workers are forked
from a forkserver that has already imported pyoxigraph, so a replacement is ready in tens
of milliseconds; none of them ever opened a store before the fork.

Before each query a worker reads STORE/CURRENT and reopens the store when the generation
changed, so a rebuild or an import while serving is picked up without a restart, and no
query ever sees a half-written generation.

Results are serialised in the worker with pyoxigraph's own writers, into a sink that
counts rows and bytes and aborts past ``max_rows`` or ``max_bytes``: the worker's memory
stays bounded and the client gets an error, never a silently truncated result.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from coopgraph import store
from coopgraph.namespace import PREFIXES

#: Media types for SELECT and ASK results, the first being the default.
RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
RESULT_ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
}
#: Media types for CONSTRUCT and DESCRIBE results, the first being the default.
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
GRAPH_ALIASES = {"application/x-turtle": "text/turtle", "text/plain": "application/n-triples"}


@dataclass
class Reply:
    """What a worker answers: an HTTP status, a media type and a body."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, message: str, **headers: str) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", (message + "\n").encode(), headers)


# --- content negotiation -------------------------------------------------------------


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges of an Accept header with their q values, best first.

    >>> parse_accept("text/csv;q=0.5, application/sparql-results+json")
    [('application/sparql-results+json', 1.0), ('text/csv', 0.5)]
    """
    ranges = []
    for index, part in enumerate((header or "*/*").split(",")):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((pieces[0].lower(), q, -index))
    ranges.sort(key=lambda r: (r[1], r[2]), reverse=True)
    return [(media, q) for media, q, _ in ranges if q > 0]


def choose(accept: list[tuple[str, float]], types: dict, aliases: dict) -> str | None:
    """The best media type of ``types`` that ``accept`` allows; None when none is."""
    for media, _ in accept:
        media = aliases.get(media, media)
        if media in types:
            return media
        if media == "*/*":
            return next(iter(types))
        if media.endswith("/*"):
            for offered in types:
                if offered.startswith(media[:-1]):
                    return offered
    return None


# --- capped serialisation ------------------------------------------------------------


class TooLarge(Exception):
    """The result passed ``max_rows`` or ``max_bytes``."""


class _Sink:
    """A binary file that keeps what is written, counting rows and bytes as it goes.

    Rows of a solutions document are counted on the separator pyoxigraph writes between
    them: exact for XML and TSV; in JSON and CSV a literal holding the separator counts
    one row too many, which can only refuse a result early, never truncate one.
    """

    def __init__(self, max_rows: int, max_bytes: int, marker: bytes | None, offset: int = 0):
        self.parts: list[bytes] = []
        self.size = 0
        self.rows = offset
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.marker = marker
        self.tail = b""

    def write(self, data) -> int:
        data = bytes(data)
        self.size += len(data)
        if self.size > self.max_bytes:
            raise TooLarge(f"the result is larger than {self.max_bytes:,} bytes")
        if self.marker:
            window = self.tail + data
            self.rows += window.count(self.marker)
            self.tail = window[-(len(self.marker) - 1) :] if len(self.marker) > 1 else b""
            if self.rows > self.max_rows:
                raise TooLarge(f"the result has more than {self.max_rows:,} rows")
        self.parts.append(data)
        return len(data)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self.parts)


#: (marker between rows, rows counted before the first row) per solutions format.
_ROW_MARKERS = {
    ox.QueryResultsFormat.JSON: (b"},{", 1),  # separates bindings; the first has none
    ox.QueryResultsFormat.XML: (b"<result>", 0),
    ox.QueryResultsFormat.CSV: (b"\r\n", -1),  # the header line ends with one too
    ox.QueryResultsFormat.TSV: (b"\n", -1),
}


def _counted(triples, max_rows: int):
    for n, triple in enumerate(triples, start=1):
        if n > max_rows:
            raise TooLarge(f"the result has more than {max_rows:,} triples")
        yield triple


def serialise(result, accept: list[tuple[str, float]], max_rows: int, max_bytes: int) -> Reply:
    """A pyoxigraph query result as an HTTP reply in the best accepted format, capped."""
    if isinstance(result, ox.QueryTriples):
        media = choose(accept, GRAPH_TYPES, GRAPH_ALIASES)
        if media is None:
            return error(406, f"a graph result is served as {', '.join(GRAPH_TYPES)}")
        sink = _Sink(max_rows, max_bytes, None)
        fmt = GRAPH_TYPES[media]
        prefixes = PREFIXES if fmt == ox.RdfFormat.TURTLE else None
        ox.serialize(_counted(result, max_rows), sink, format=fmt, prefixes=prefixes)
    else:
        media = choose(accept, RESULT_TYPES, RESULT_ALIASES)
        if media is None:
            return error(406, f"a SELECT or ASK result is served as {', '.join(RESULT_TYPES)}")
        fmt = RESULT_TYPES[media]
        if isinstance(result, ox.QueryBoolean):
            sink = _Sink(max_rows, max_bytes, None)
        else:
            marker, offset = _ROW_MARKERS[fmt]
            sink = _Sink(max_rows, max_bytes, marker, offset)
        result.serialize(sink, format=fmt)
    charset = "; charset=utf-8" if media.startswith("text/") else ""
    return Reply(200, media + charset, sink.value())


# --- the worker process ----------------------------------------------------------------


def _open(root: Path):
    generation = store.current_generation(root)
    return generation, store.open_reader(root)


def serve_forever(conn, root: str) -> None:
    """The worker's loop: open the store, then answer one request at a time until EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the gateway's to handle
    path = Path(root)
    try:
        generation, reader = _open(path)
    except Exception as failure:  # noqa: BLE001 - reported to the gateway
        conn.send(("failed", str(failure)))
        return
    conn.send(("ready", str(generation)))
    while True:
        try:
            text, accept, max_rows, max_bytes = conn.recv()
        except (EOFError, OSError):
            return
        try:
            now = store.current_generation(path)
            if now != generation:
                old = reader
                generation, reader = _open(path)
                del old
            result = reader.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
            reply = serialise(result, accept, max_rows, max_bytes)
        except SyntaxError as failure:
            reply = error(400, f"SPARQL syntax error: {failure.msg or failure}")
        except TooLarge as failure:
            reply = error(
                413,
                f"{failure}: this endpoint does not return truncated results; "
                "add LIMIT or narrow the query",
            )
        except OSError as failure:
            reply = error(500, f"query failed: {failure}")
        except Exception as failure:  # noqa: BLE001 - one bad query must not end the worker
            reply = error(500, f"query failed: {type(failure).__name__}: {failure}")
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return


# --- the pool, in the gateway process ---------------------------------------------------


class WorkerFailed(Exception):
    """A worker could not start (no store, unreadable store)."""


def _context():
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["coopgraph.serve.workers"])
        return context
    return multiprocessing.get_context("spawn")


class Worker:
    """One worker process and the gateway's end of its pipe."""

    def __init__(self, context, root: Path, start_timeout: float = 60.0):
        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(
            target=serve_forever, args=(child, str(root)), daemon=True, name="coopgraph-worker"
        )
        self.process.start()
        child.close()
        if not self.conn.poll(start_timeout):
            self.kill()
            raise WorkerFailed("a query worker did not start in time")
        try:
            state, detail = self.conn.recv()
        except EOFError:
            self.kill()
            raise WorkerFailed("a query worker exited while starting") from None
        if state != "ready":
            self.kill()
            raise WorkerFailed(detail)

    def ask(self, request: tuple, deadline: float) -> Reply | None:
        """Send one request and wait for its reply; None when the deadline passed."""
        self.conn.send(request)
        if not self.conn.poll(deadline):
            return None
        return self.conn.recv()

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, AttributeError, TypeError):
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.join(5)
        self.conn.close()


class Pool:
    """A fixed number of workers; ``call`` blocks while it uses one (run it in a thread).

    The caller (the gateway's admission control) makes sure at most ``size`` calls run at
    once; ``call`` takes a free worker, so it never waits for one itself except while a
    killed worker is being replaced.
    """

    def __init__(self, root: Path, size: int):
        self.root = Path(root)
        self.size = size
        self.context = _context()
        self.free: list[Worker] = []
        self.lock = threading.Condition()
        self.closed = False
        self.restarts = 0
        for _ in range(size):
            self.free.append(Worker(self.context, self.root))

    def _take(self) -> Worker:
        with self.lock:
            while not self.free:
                if self.closed:
                    raise WorkerFailed("the endpoint is shutting down")
                self.lock.wait(1.0)
            if self.closed:
                raise WorkerFailed("the endpoint is shutting down")
            return self.free.pop()

    def _give(self, worker: Worker) -> None:
        with self.lock:
            if self.closed:
                worker.kill()
                return
            self.free.append(worker)
            self.lock.notify()

    def _replace(self, worker: Worker) -> None:
        """Kill ``worker`` now (the core is free at once) and start another behind it."""
        worker.kill()
        self.restarts += 1

        def start() -> None:
            delay = 0.1
            while not self.closed:
                try:
                    self._give(Worker(self.context, self.root))
                    return
                except WorkerFailed:
                    time.sleep(delay)
                    delay = min(delay * 2, 5.0)

        threading.Thread(target=start, name="coopgraph-worker-restart", daemon=True).start()

    def call(self, text: str, accept, max_rows: int, max_bytes: int, deadline: float) -> Reply:
        try:
            worker = self._take()
        except WorkerFailed as failure:
            return error(503, str(failure), **{"Retry-After": "5"})
        try:
            reply = worker.ask((text, accept, max_rows, max_bytes), deadline)
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            if self.closed:
                return error(503, "the endpoint is shutting down", **{"Retry-After": "5"})
            return error(500, "the query worker died; it has been replaced")
        if reply is None:
            self._replace(worker)
            return error(
                504,
                f"query exceeded the {deadline:g} s deadline and was stopped; "
                "narrow it or add LIMIT",
            )
        self._give(worker)
        return reply

    def close(self) -> None:
        """Terminate every worker; calls in flight end with an error reply."""
        with self.lock:
            self.closed = True
            workers, self.free = self.free, []
            self.lock.notify_all()
        for worker in workers:
            worker.kill()

    def pids(self) -> list[int]:
        with self.lock:
            return [w.process.pid for w in self.free]
