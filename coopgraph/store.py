"""The embedded store: Oxigraph on disk, written in generations, read read-only.

This module is the embedded store's mechanics; ``coopgraph.location`` puts it and an
external SPARQL endpoint (``coopgraph.remote``) behind one protocol, ``Location``, which is
what the rest of coopgraph reads and writes through.

Layout of a store directory::

    STORE/CURRENT              name of the current generation (replaced atomically)
    STORE/generations/g-.../   one complete Oxigraph (RocksDB) store per generation
    STORE/.lock                held by the one writer at a time

A write builds a new generation beside the current one (from empty for a build, from
``Store.backup()`` of the current one for a change), flushes it, then points CURRENT at it
with one ``os.replace``. A failed or killed write leaves CURRENT where it was, so readers
never see a half-written store (DESIGN.md, "The store"). Readers open the current
generation with ``Store.read_only``; Oxigraph calls reading a directory another process
writes undefined behaviour, and generations make sure that never happens.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from coopgraph.errors import CoopgraphError
from coopgraph.paths import shown

CURRENT = "CURRENT"
GENERATIONS = "generations"
#: Generations kept after a write: the new one and the one before it, which a reader that
#: opened it just before the switch may still be using.
KEEP = 2
NO_STORE = "no store here: run 'coopgraph build' first (or pass --store)"


@dataclass(frozen=True)
class GraphCount:
    """Triples in one named graph (``graph`` is None for the default graph)."""

    graph: str | None
    triples: int


def _current_name(root: Path) -> str | None:
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise CoopgraphError(f"cannot read store: {error.strerror}", path=shown(root)) from None
    return name or None


def pointer(root: Path) -> tuple[int, int] | None:
    """A cheap fingerprint of STORE/CURRENT (one ``stat``): its inode and modification
    time, or None when there is none. ``os.replace`` gives every switch a new inode, so a
    reader that keeps the fingerprint knows by one ``stat`` whether the current generation
    changed since it looked."""
    try:
        stat = os.stat(Path(root) / CURRENT)
    except OSError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def current_generation(root: Path) -> Path | None:
    """The directory of the current generation, or None when nothing was built."""
    name = _current_name(root)
    if name is None:
        return None
    path = root / GENERATIONS / name
    return path if path.is_dir() else None


def exists(where) -> bool:
    """True when ``where`` (a directory, an endpoint or a location) holds a built store."""
    from coopgraph.location import locate

    return locate(where).exists()


def open_reader(where):
    """Open ``where`` (a directory, an endpoint or a location) for reading: see
    ``Location.reader``. Commands open their store once, through ``coopgraph.scope``."""
    from coopgraph.location import locate

    return locate(where).reader()


def open_generation(root: Path) -> ox.Store:
    """Open the current generation under ``root`` read-only; a clear error when there is
    none."""
    generation = current_generation(root)
    if generation is None:
        raise CoopgraphError(NO_STORE, path=shown(root))
    try:
        return ox.Store.read_only(str(generation))
    except OSError as error:
        raise CoopgraphError(f"cannot open store: {error}", path=shown(root)) from None


#: Paths of the stores whose writer lock this process holds, with how deep (``lock``).
_HELD: dict[str, int] = {}


@contextlib.contextmanager
def lock(root: Path, *, create: bool = False) -> Iterator[None]:
    """Hold the store's writer lock (``STORE/.lock``) for the block, or fail at once.

    A build or import takes it before it reads any input, so a second writer started
    meanwhile is refused in a moment rather than after reading its files; ``write``
    takes it too. The lock is re-entrant within a process. ``create`` makes the store
    directory when it is missing (a first build); otherwise a missing store is the
    "no store here" error.
    """
    key = os.path.realpath(root)
    if key in _HELD:
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    try:
        if create:
            root.mkdir(parents=True, exist_ok=True)
        elif not root.is_dir():
            raise CoopgraphError(NO_STORE, path=shown(root))
        handle = (root / ".lock").open("a")
    except OSError as error:
        raise CoopgraphError(
            f"cannot write the store: {error.strerror}", path=shown(root)
        ) from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CoopgraphError(
                "another coopgraph process is writing this store; try again when it ends",
                path=shown(root),
            ) from None
        _HELD[key] = 1
        try:
            yield
        finally:
            del _HELD[key]
            fcntl.flock(handle, fcntl.LOCK_UN)


def write(root: Path, change: Callable[[ox.Store], None], *, from_empty: bool) -> Path:
    """Apply ``change`` to a new generation and make it current atomically.

    ``from_empty`` starts from an empty store (a full build); otherwise the new generation
    starts as a checkpoint of the current one (an import or removal). If ``change`` raises,
    the new generation is deleted and the store stays as it was. Returns the new
    generation's directory.
    """
    with lock(root, create=True):
        generations = root / GENERATIONS
        generations.mkdir(exist_ok=True)
        _remove_crashed(root, generations)
        name = f"g-{time.time_ns()}-{os.getpid()}"
        target = generations / name
        try:
            previous = current_generation(root)
            if from_empty or previous is None:
                store = ox.Store(str(target))
            else:
                ox.Store.read_only(str(previous)).backup(str(target))
                store = ox.Store(str(target))
            change(store)
            store.flush()
            del store
            pointer = root / f".{CURRENT}.{name}"
            with pointer.open("w", encoding="utf-8") as handle:
                handle.write(name + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(pointer, root / CURRENT)
            _fsync_dir(root)
        except BaseException as error:
            remove_tree(target)
            with contextlib.suppress(OSError):
                (root / f".{CURRENT}.{name}").unlink()
            if isinstance(error, OSError):  # disk full, file too large, no permission
                raise CoopgraphError(
                    f"cannot write the store (nothing changed): {_reason(error)}",
                    path=shown(root),
                ) from None
            raise
        _prune(generations, keep_name=name)
        return target


def _reason(error: OSError) -> str:
    """The cause of an OSError in a few words: ``strerror``, or for Oxigraph's RocksDB
    errors (no errno) the last clause, e.g. "File too large"."""
    if error.strerror:
        return error.strerror
    return str(error).rsplit(": ", 1)[-1] or type(error).__name__


#: Below this size N-Quads load in one piece: splitting pays only when parsing takes long.
PARALLEL_MIN_BYTES = 8 * 1024 * 1024


def load_nquads(store: ox.Store, data: bytes, *, threads: int | None = None) -> None:
    """Bulk-load N-Quads ``data`` into ``store``, in parallel pieces on a multi-core machine.

    Oxigraph's bulk loader parses and indexes one batch of a million quads in one thread,
    so a graph of a million triples loads on one core. N-Quads are one statement per line
    and blank node labels are scoped to the store, not to the piece, so cutting ``data``
    at line ends into one piece per core and loading the pieces side by side loads the
    same quads (the loader releases the GIL). Bulk loading is not atomic; that is why it
    only ever writes a new generation (``write``), which a failure deletes.
    """
    threads = threads or os.cpu_count() or 1
    if threads == 1 or len(data) < PARALLEL_MIN_BYTES:
        store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        return
    cuts = [0]
    for i in range(1, threads):
        end = data.find(b"\n", max(cuts[-1], len(data) * i // threads))
        cuts.append(len(data) if end < 0 else end + 1)
    cuts.append(len(data))
    view = memoryview(data)
    pieces = [bytes(view[a:b]) for a, b in itertools.pairwise(cuts) if b > a]
    from concurrent.futures import ThreadPoolExecutor  # not at import: readers need no pool

    with ThreadPoolExecutor(len(pieces)) as pool:
        for done in [pool.submit(store.bulk_load, p, format=ox.RdfFormat.N_QUADS) for p in pieces]:
            done.result()


def remove_tree(path: Path) -> None:
    """Delete a directory and what it holds, if it is there. ``shutil`` is imported here,
    by writers: a reader (every query) starts without it."""
    import shutil

    shutil.rmtree(path, ignore_errors=True)


class PieceLoader:
    """Bulk-loads N-Quads pieces into ``target`` in a worker thread while the caller makes
    the next one (Oxigraph's loader releases the GIL), so reading and loading overlap on
    two cores. One piece loads while the next is made: memory holds two pieces, not the
    whole text. Leaving the block waits for the last piece, whatever happened in it (a
    write's clean-up must not delete a generation a load is still writing), and raises
    that piece's error unless the block raised one. A writer other than an Oxigraph store
    (``remote.EndpointWriter``: Python, which holds the GIL anyway) loads each piece in
    the calling thread.
    """

    def __init__(self, target: ox.Store):
        self.target = target
        self._pool = ThreadPoolExecutor(1)
        self._pending: Future[None] | None = None

    def load(self, data: bytes) -> None:
        """Wait for the piece loading, then start loading ``data``."""
        self.wait()
        if not isinstance(self.target, ox.Store):
            self.target.bulk_load(data, format=ox.RdfFormat.N_QUADS)
            return
        self._pending = self._pool.submit(self.target.bulk_load, data, format=ox.RdfFormat.N_QUADS)

    def wait(self) -> None:
        """Wait for the piece loading (if any) and raise its error."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def __enter__(self) -> PieceLoader:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        try:
            if kind is None:
                self.wait()
            elif self._pending is not None:
                self._pending.exception()  # finished, its own error dropped for the block's
        finally:
            self._pool.shutdown(wait=True)


def add_nquads(target: ox.Store, data: bytes) -> None:
    """Add a few N-Quads (provenance) in one transaction: a bulk load costs about 0.1 s
    whatever its size (it writes a file per index). A writer other than an Oxigraph store
    (``remote.EndpointWriter``) stages them with its bulk load."""
    if isinstance(target, ox.Store):
        target.extend(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    else:
        target.bulk_load(data, format=ox.RdfFormat.N_QUADS)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _created(name: str) -> int:
    """The creation time (ns) in a generation's name ``g-<ns>-<pid>``; 0 if not one."""
    parts = name.split("-")
    return int(parts[1]) if len(parts) >= 3 and parts[1].isdigit() else 0


def _remove_crashed(root: Path, generations: Path) -> None:
    """Delete generations a killed writer left: newer than the current one, never current.

    Only the writer holding the lock calls this, so no other write is under way, and a
    generation that never became current has never had a reader.
    """
    current = _current_name(root)
    since = _created(current) if current else 0
    for path in generations.iterdir():
        if path.is_dir() and path.name != current and _created(path.name) > since:
            remove_tree(path)


def _prune(generations: Path, keep_name: str) -> None:
    """Delete all but the newest ``KEEP`` generations (names sort by creation time)."""
    names = sorted(
        (p.name for p in generations.iterdir() if p.is_dir()),
        key=lambda n: int(n.split("-")[1]) if n.count("-") >= 2 else 0,
    )
    for old in names[:-KEEP]:
        if old != keep_name:
            remove_tree(generations / old)


def counts(store: ox.Store) -> list[GraphCount]:
    """Triples per named graph, sorted by graph IRI."""
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    result = [GraphCount(row["g"].value, int(row["n"].value)) for row in store.query(query)]
    default = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    n = int(next(iter(default))["n"].value)
    if n:
        result.append(GraphCount(None, n))
    return result
