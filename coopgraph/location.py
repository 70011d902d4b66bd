"""Where the data lives: the embedded store or a SPARQL 1.1 endpoint, behind one protocol.

Every command reads and writes through a ``Location``:

- ``LocalStore``: a directory of Oxigraph generations on this machine (``coopgraph.store``),
  written in generations and read read-only;
- ``RemoteStore``: a SPARQL 1.1 endpoint (``coopgraph.remote``), read with the Protocol
  and written with staged SPARQL updates.

``locate`` turns what a user gives (a directory, an ``Endpoint``, a location) into one.
This is the only module that tells the two kinds apart; the rest asks a location what
it can do (``keeps_graphs_in_place``, ``directory``, ``generation``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

from coopgraph import remote, store
from coopgraph.errors import CoopgraphError
from coopgraph.paths import shown


class Reader(Protocol):
    """The read calls coopgraph makes of a store (pyoxigraph's ``Store`` answers them, and
    ``remote.EndpointReader`` does over HTTP)."""

    def query(self, query: str, **options: Any) -> Any: ...

    def quads_for_pattern(
        self, subject: Any, predicate: Any, object: Any, graph_name: Any
    ) -> Any: ...

    def named_graphs(self) -> Iterator[Any]: ...


class Location(Protocol):
    """Where the data lives, and what build, import, the api and serve need of it."""

    #: True where a build leaves imported graphs where they are instead of copying them
    #: into the new generation (an endpoint: copying would move them over the network).
    keeps_graphs_in_place: bool
    #: The store's directory on this machine (what ``coopgraph serve`` serves); None for
    #: an endpoint.
    directory: Path | None

    def __str__(self) -> str:
        """How messages name it: the directory or the endpoint's URL."""
        ...

    def exists(self) -> bool:
        """True when it holds a built store."""
        ...

    def reader(self) -> Reader:
        """Open it for reading; the "no store here" error when nothing was built."""
        ...

    def lock(self, *, create: bool = False) -> AbstractContextManager[None]:
        """Hold the writer lock for the block, or fail at once (``store.lock``)."""
        ...

    def write(self, change: Callable[[Any], None], *, from_empty: bool) -> None:
        """Apply ``change`` to a new state and make it current atomically (``store.write``)."""
        ...

    def scratch(self) -> AbstractContextManager[Path]:
        """A working directory for an import's staged parts, removed after the block."""
        ...

    def generation(self) -> Path | None:
        """The directory of the current generation (None on an endpoint)."""
        ...


class LocalStore:
    """The embedded store: Oxigraph generations under ``root`` (``coopgraph.store``)."""

    keeps_graphs_in_place = False

    def __init__(self, root: Path):
        self.root = Path(root)
        self.directory = self.root

    def __str__(self) -> str:
        return shown(self.root)

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LocalStore) and other.root == self.root

    def __hash__(self) -> int:
        return hash(self.root)

    def exists(self) -> bool:
        return store.current_generation(self.root) is not None

    def reader(self) -> Reader:
        return store.open_generation(self.root)

    def lock(self, *, create: bool = False) -> AbstractContextManager[None]:
        return store.lock(self.root, create=create)

    def write(self, change: Callable[[Any], None], *, from_empty: bool) -> None:
        store.write(self.root, change, from_empty=from_empty)

    @contextlib.contextmanager
    def scratch(self) -> Iterator[Path]:
        """``STORE/.import-PID-*`` (the same file system as the generations, so the parts
        load without a copy); those of processes that died midway are removed first."""
        import tempfile  # here, not at import: readers make no scratch directory

        for path in self.root.glob(".import-*"):
            pid = path.name.split("-")[1]
            if pid.isdigit() and not _alive(int(pid)):
                store.remove_tree(path)
        try:
            work = Path(tempfile.mkdtemp(prefix=f".import-{os.getpid()}-", dir=self.root))
        except OSError as error:  # a read-only store directory
            raise CoopgraphError(
                f"cannot write the store: {error.strerror}", path=shown(self.root)
            ) from None
        try:
            yield work
        finally:
            store.remove_tree(work)

    def generation(self) -> Path | None:
        return store.current_generation(self.root)


class RemoteStore:
    """A SPARQL 1.1 endpoint holding coopgraph's graphs (``coopgraph.remote``). It has no
    writer lock (the server cannot enforce one: one writer at a time is the user's rule)."""

    keeps_graphs_in_place = True

    directory = None

    def __init__(self, endpoint: remote.Endpoint):
        self.endpoint = endpoint

    def __str__(self) -> str:
        return str(self.endpoint)

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RemoteStore) and other.endpoint == self.endpoint

    def __hash__(self) -> int:
        return hash(str(self.endpoint))

    def exists(self) -> bool:
        return remote.EndpointReader(self.endpoint).has_data()

    def reader(self) -> Reader:
        reader = remote.EndpointReader(self.endpoint)
        if not reader.has_data():
            raise CoopgraphError(
                "the endpoint holds no coopgraph graphs: run 'coopgraph build' with "
                "--endpoint and --update-endpoint first",
                path=str(self.endpoint),
            )
        return reader

    @contextlib.contextmanager
    def lock(self, *, create: bool = False) -> Iterator[None]:
        yield

    def write(self, change: Callable[[Any], None], *, from_empty: bool) -> None:
        remote.write(self.endpoint, change, from_empty=from_empty)

    @contextlib.contextmanager
    def scratch(self) -> Iterator[Path]:
        """A directory in the system's temporary space (nothing local to be beside)."""
        import tempfile

        work = Path(tempfile.mkdtemp(prefix=f"coopgraph-import-{os.getpid()}-"))
        try:
            yield work
        finally:
            store.remove_tree(work)

    def generation(self) -> Path | None:
        return None


def locate(where: Location | remote.Endpoint | Path | str) -> Location:
    """The location ``where`` names: a location as it is, an ``Endpoint`` as a
    ``RemoteStore``, a directory (a path or a string) as a ``LocalStore``."""
    if isinstance(where, (LocalStore, RemoteStore)):
        return where
    if isinstance(where, remote.Endpoint):
        return RemoteStore(where)
    if isinstance(where, (str, os.PathLike)):
        return LocalStore(Path(where))
    raise TypeError(f"not a store location: {where!r}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
