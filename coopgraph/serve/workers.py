"""A fixed pool of query worker processes, each holding the store read-only.

Oxigraph cannot cancel a running query (DESIGN.md, "Serving and scale"), so each query
runs in a worker process that the gateway can kill: past the deadline the worker gets
SIGKILL, the core is free at once, and a fresh worker takes its place. Workers are forked
from a forkserver that has already imported pyoxigraph, so a replacement is ready in tens
of milliseconds; none of them ever opened a store before the fork.

Before each query a worker checks STORE/CURRENT (one ``stat``: a switch replaces the file)
and reopens the store when the generation changed, so a rebuild or an import while serving
is picked up without a restart, and no query ever sees a half-written generation.

The gateway drives the pool from its event loop: each worker's pipe is read by an
``asyncio.Protocol``, a query is a write and an awaited future, and its deadline a timer
(docs/decisions/20261130-endpoint-fast-path-and-cache.md).

Results are serialised in the worker, capped (coopgraph.serve.formats). A query runs on
the dataset SPARQL 1.1 gives it: the request's, else the query's own FROM / FROM NAMED, else
the union of the named graphs (coopgraph.queries.dataset); relative IRIs resolve against
the request's URL.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import sys
from pathlib import Path

from coopgraph import store
from coopgraph.namespace import PREFIXES
from coopgraph.queries import dataset
from coopgraph.serve import sandbox, screen
from coopgraph.serve.formats import TooLarge, serialise
from coopgraph.serve.reply import Reply, error

#: Worker memory cap, bytes (``coopgraph serve --max-memory``), and what a client is told past it.
MAX_MEMORY = 1 << 30
MEMORY_MESSAGE = (
    "the query needed more memory than a query worker may take; "
    "narrow it or add LIMIT (the worker was replaced)"
)


# --- the worker process ----------------------------------------------------------------


def _open(root: Path):
    generation = store.current_generation(root)
    return generation, store.open_generation(root)


def answer(reader, request: tuple) -> Reply:
    """Screen and run one ``(text, accept, max_rows, max_bytes, dataset, base)`` request on
    ``reader``: ``dataset`` is the protocol's (a ``Dataset``, or None), ``base`` the IRI
    relative IRIs resolve against.

    The query is parsed and refused with 400 when its algebra holds a SERVICE or it is not
    a query (coopgraph.serve.screen); only the text that was parsed reaches Oxigraph.
    Never raises.
    """
    text, accept, max_rows, max_bytes, named, base = request
    try:
        verdict = screen.verdict(text, PREFIXES)
    except MemoryError:
        return error(507, MEMORY_MESSAGE)
    if verdict.refusal is not None:
        return error(400, verdict.refusal)
    scope = dataset.options(own=verdict.dataset, request=named)
    try:
        result = reader.query(verdict.text, prefixes=PREFIXES, base_iri=base, **scope)
        reply = serialise(result, accept, max_rows, max_bytes)
        reply.keep = verdict.keep and reply.status == 200
        return reply
    except MemoryError:
        return error(507, MEMORY_MESSAGE)
    except SyntaxError as failure:
        return error(400, f"SPARQL syntax error: {failure.msg or failure}")
    except TooLarge as failure:
        return error(
            413,
            f"{failure}: this endpoint does not return truncated results; "
            "add LIMIT or narrow the query",
        )
    except OSError as failure:
        return error(500, f"query failed: {failure}")
    except RecursionError:
        return error(400, "the query is nested too deeply")
    except Exception as failure:  # noqa: BLE001 - one bad query must not end the worker
        return error(500, f"query failed: {type(failure).__name__}: {failure}")


def serve_forever(conn, root: str, max_memory: int | None = None) -> None:
    """The worker's loop: confine itself, open the store, answer one request at a time.

    Before anything else the worker cuts itself off the network (sandbox.confine), caps
    its memory at ``max_memory`` bytes and raises its recursion limit for the parser.
    Requests and replies are pickled frames on the pipe (``Connection.send_bytes``); a
    reply is ``(status, content type, headers, body, keep, generation)``, the generation
    being the name of the store generation the query ran on (the gateway's cache key).
    The first message is ``("ready", generation, layers)``, layers naming the sandbox's
    mechanisms that hold.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the gateway's to handle
    os.environ["RUST_BACKTRACE"] = "0"  # an aborted query logs one line, not a backtrace
    layers = sandbox.confine()
    sandbox.limit_memory(max_memory)
    sys.setrecursionlimit(screen.RECURSION_LIMIT)
    # rdflib logs a warning per unusual local name it meets while screening; a query is
    # not the operator's problem, so only errors reach the gateway's log.
    logging.getLogger("rdflib").setLevel(logging.ERROR)
    path = Path(root)
    try:
        pointer = store.pointer(path)
        generation, reader = _open(path)
    except Exception as failure:  # noqa: BLE001 - reported to the gateway
        conn.send(("failed", str(failure)))
        return
    conn.send(("ready", str(generation), layers))
    dumps, loads = pickle.dumps, pickle.loads
    while True:
        try:
            request = loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        now = store.pointer(path)
        if now != pointer:  # a rebuild or an import switched generations: reopen
            try:
                old = reader
                generation, reader = _open(path)
                pointer = now
                del old
            except Exception as failure:  # noqa: BLE001 - keep the old one, report
                reply = error(500, f"query failed: cannot open the new generation: {failure}")
                conn.send_bytes(dumps((*astuple(reply), generation.name)))
                continue
        reply = answer(reader, request)
        try:
            conn.send_bytes(dumps((*astuple(reply), generation.name), protocol=5))
        except (BrokenPipeError, OSError):
            return


def astuple(reply: Reply) -> tuple:
    """The fields of ``reply`` in order, as the pipe carries them."""
    return reply.status, reply.content_type, reply.headers, reply.body, reply.keep


# --- the pool, in the gateway process ---------------------------------------------------


class WorkerFailed(Exception):
    """A worker could not start (no store, unreadable store)."""


def _context():
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # the screen's parser builds its grammar on import (~0.4 s): once, in the forkserver
        preload = ["coopgraph.serve.workers", "rdflib.plugins.sparql.parser"]
        context.set_forkserver_preload([*preload, "rdflib.plugins.sparql.algebra"])
        _start_forkserver()
        return context
    return multiprocessing.get_context("spawn")


def _start_forkserver() -> None:
    """Start the forkserver in the folder that holds the coopgraph package imported here.

    Python starts the forkserver as ``python -c ...``: its ``sys.path`` begins with its
    working directory, which it inherits, and it imports the preloaded modules before it
    takes the gateway's ``sys.path``. Started from a folder holding a ``coopgraph/``
    folder (the parent of a clone, with coopgraph installed in editable mode: the editable
    install's finder comes after the path), it imported that folder as an empty namespace
    package, and every worker then failed with ImportError. From the parent of the package
    itself, the first ``coopgraph`` on its path is the gateway's own.
    """
    from multiprocessing import forkserver

    import coopgraph

    here = os.getcwd()
    os.chdir(Path(coopgraph.__file__).resolve().parent.parent)
    try:
        forkserver.ensure_running()
    finally:
        os.chdir(here)


def _start(context, root: Path, max_memory: int | None, start_timeout: float = 60.0):
    """Start one worker process and wait for it to open the store (blocking).

    Returns the process, the gateway's end of its pipe, and the sandbox layers that hold.
    """
    conn, child = context.Pipe(duplex=True)
    process = context.Process(
        target=serve_forever,
        args=(child, str(root), max_memory),
        daemon=True,
        name="coopgraph-worker",
    )
    process.start()
    child.close()

    def fail(message: str) -> WorkerFailed:
        with contextlib.suppress(ProcessLookupError, AttributeError, TypeError):
            os.kill(process.pid, signal.SIGKILL)
        process.join(5)
        conn.close()
        return WorkerFailed(message)

    if not conn.poll(start_timeout):
        raise fail("a query worker did not start in time")
    try:
        state, detail, *layers = conn.recv()
    except EOFError:
        raise fail("a query worker exited while starting") from None
    if state != "ready":
        raise fail(detail)
    # the gateway speaks to the worker through asyncio from now on: take the socket
    sock = socket.socket(fileno=os.dup(conn.fileno()))
    conn.close()
    sock.setblocking(False)
    return process, sock, layers[0] if layers else []


_HEADER = struct.Struct("!i")
_LONG = struct.Struct("!Q")


class _Pipe(asyncio.Protocol):
    """The gateway's end of one worker's pipe: frames as ``multiprocessing`` writes them.

    At most one request is in flight; its reply resolves ``pending``. End of file (the
    worker died or was killed) fails it with ``ConnectionError``.
    """

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.pending: asyncio.Future | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) < 4:
            return
        (size,) = _HEADER.unpack_from(self.buffer)
        start = 4
        if size == -1:  # a frame over 2 GB
            if len(self.buffer) < 12:
                return
            (size,) = _LONG.unpack_from(self.buffer, 4)
            start = 12
        if len(self.buffer) < start + size:
            return
        frame = bytes(self.buffer[start : start + size])
        del self.buffer[: start + size]
        if self.pending is not None and not self.pending.done():
            self.pending.set_result(frame)

    def connection_lost(self, exc) -> None:
        if self.pending is not None and not self.pending.done():
            self.pending.set_exception(ConnectionError("the query worker's pipe closed"))

    def send(self, payload: bytes) -> asyncio.Future:
        assert self.transport is not None
        self.pending = asyncio.get_running_loop().create_future()
        self.transport.write(_HEADER.pack(len(payload)) + payload)
        return self.pending


class Worker:
    """One worker process and the gateway's asyncio end of its pipe."""

    def __init__(self, process, pipe: _Pipe, layers: list[str]):
        self.process = process
        self.pipe = pipe
        self.layers = layers
        self.killed = False

    @classmethod
    async def start(cls, context, root: Path, max_memory: int | None = None) -> Worker:
        loop = asyncio.get_running_loop()
        process, sock, layers = await loop.run_in_executor(None, _start, context, root, max_memory)
        _, pipe = await loop.create_connection(_Pipe, sock=sock)
        return cls(process, pipe, layers)

    async def exit_signal(self, wait: float = 1.0) -> int | None:
        """The signal that ended the worker (its pipe closed), or None; waits ``wait`` s."""
        loop = asyncio.get_running_loop()
        end = loop.time() + wait
        while self.process.exitcode is None and loop.time() < end:
            await asyncio.sleep(0.01)
        code = self.process.exitcode
        return -code if code is not None and code < 0 else None

    async def ask(self, request: tuple) -> tuple:
        """Send one request and wait for its reply tuple (ConnectionError if it dies)."""
        frame = await self.pipe.send(pickle.dumps(request, protocol=5))
        return pickle.loads(frame)

    def kill(self) -> None:
        """SIGKILL the worker (the core is free at once) and close the pipe."""
        self.killed = True
        with contextlib.suppress(ProcessLookupError, AttributeError, TypeError):
            os.kill(self.process.pid, signal.SIGKILL)
        if self.pipe.transport is not None:
            self.pipe.transport.close()

    def reap(self) -> None:
        """Wait for the killed process (blocking; run it off the event loop)."""
        self.process.join(5)


class Pool:
    """A fixed number of workers, driven from the gateway's event loop.

    ``call`` takes a free worker (waiting while a killed one is being replaced), sends the
    request and awaits the reply under a timer: past the deadline the timer SIGKILLs the
    worker, the pipe reaches end of file and the caller gets a 504. No thread is held
    while a query runs; the only threads are the short-lived ones that start a worker.
    """

    def __init__(self, root: Path, size: int, max_memory: int | None = MAX_MEMORY):
        self.root = Path(root)
        self.size = size
        self.max_memory = max_memory
        self.layers: list[str] = []
        self.context = _context()
        self.free: list[Worker] = []
        self.busy: set[Worker] = set()
        self.waiters: collections.deque[asyncio.Future] = collections.deque()
        self.closed = False
        self.restarts = 0
        self.starting: set[asyncio.Task] = set()

    async def start(self) -> None:
        """Start every worker side by side; WorkerFailed when one cannot."""
        started = await asyncio.gather(
            *(Worker.start(self.context, self.root, self.max_memory) for _ in range(self.size)),
            return_exceptions=True,
        )
        failures = [s for s in started if isinstance(s, BaseException)]
        for worker in started:
            if isinstance(worker, Worker):
                if failures:
                    worker.kill()
                else:
                    self.free.append(worker)
        if failures:
            raise failures[0]
        self.layers = self.free[0].layers if self.free else []

    def idle(self) -> bool:
        """True when a worker is free now."""
        return bool(self.free)

    @property
    def waiting(self) -> int:
        """Calls waiting for a worker (all were busy when they came)."""
        return len(self.waiters)

    async def _take(self) -> Worker:
        """A free worker; callers that find none wait in line, first come first served."""
        if self.free:
            return self.free.pop()
        if self.closed:
            raise WorkerFailed("the endpoint is shutting down")
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # handed a worker as it was cancelled
                self._give(waiter.result())
            raise
        finally:
            with contextlib.suppress(ValueError):
                self.waiters.remove(waiter)

    def _give(self, worker: Worker) -> None:
        """Hand ``worker`` to the first caller in line, or put it back as free."""
        if self.closed:
            worker.kill()
            return
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self.free.append(worker)

    def _replace(self, worker: Worker) -> None:
        """Kill ``worker`` now and start another behind it, in the background."""
        worker.kill()
        self.restarts += 1
        loop = asyncio.get_running_loop()
        loop.run_in_executor(None, worker.reap)

        async def start() -> None:
            delay = 0.1
            while not self.closed:
                try:
                    self._give(await Worker.start(self.context, self.root, self.max_memory))
                    return
                except WorkerFailed:
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 5.0)

        task = loop.create_task(start())
        self.starting.add(task)
        task.add_done_callback(self.starting.discard)

    async def call(self, request: tuple, deadline: float) -> tuple[Reply, str | None]:
        """Run one request (as ``answer`` takes it) in a worker: its reply and the generation
        it ran on."""
        try:
            worker = await self._take()
        except WorkerFailed as failure:
            return error(503, str(failure), **{"Retry-After": "5"}), None
        self.busy.add(worker)
        timer = asyncio.get_running_loop().call_later(deadline, worker.kill)
        try:
            status, media, headers, body, keep, generation = await worker.ask(request)
        except (ConnectionError, OSError, EOFError, pickle.UnpicklingError):
            timed_out = worker.killed and not self.closed
            self.busy.discard(worker)
            ended_by = None if worker.killed else await worker.exit_signal()
            self._replace(worker)
            if self.closed:
                return error(503, "the endpoint is shutting down", **{"Retry-After": "5"}), None
            if timed_out:
                return error(
                    504,
                    f"query exceeded the {deadline:g} s deadline and was stopped; "
                    "narrow it or add LIMIT",
                ), None
            if ended_by == signal.SIGABRT:  # Oxigraph aborts when an allocation fails
                return error(507, MEMORY_MESSAGE), None
            return error(500, "the query worker died; it has been replaced"), None
        except BaseException:  # cancelled mid-query: the worker's state is unknown
            self.busy.discard(worker)
            self._replace(worker)
            raise
        finally:
            timer.cancel()
        self.busy.discard(worker)
        self._give(worker)
        return Reply(status, media, body, headers, keep), generation

    async def close(self) -> None:
        """Terminate every worker; calls in flight end with an error reply.

        Replacements being started are waited for (at most 10 s): each is killed as it
        comes up, so none outlives the gateway.
        """
        self.closed = True
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_exception(WorkerFailed("the endpoint is shutting down"))
        if self.starting:
            await asyncio.wait(list(self.starting), timeout=10)
        workers = list(self.busy) + self.free
        self.free = []
        for worker in workers:
            worker.kill()
        for worker in workers:
            worker.reap()

    def pids(self) -> list[int]:
        return [w.process.pid for w in self.free] + [w.process.pid for w in self.busy]
