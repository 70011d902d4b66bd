"""Sources: one module per dataset behind one small protocol, registered by name.

A source reads its files and returns N-Quads text for its own named graph plus the
provenance of what it read (``SourceResult``). ``coopgraph build`` runs the ``curated``
source; importers for COW, ATOP, SIPRI and UN votes register here the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass
class FileRecord:
    """What a source read from one file, for the provenance graph."""

    path: Path
    sha256: str
    graph: str = ""  # the named graph its rows went to (the source's own when empty)
    rows_read: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0


@dataclass
class SourceResult:
    """A source's output: N-Quads text for one named graph and what it was made from."""

    name: str
    graph: str
    title: str
    nquads: str
    files: list[FileRecord] = field(default_factory=list)
    #: Other named graphs the source writes, with their titles (the curated source puts
    #: states and sources in ``nations``).
    other_graphs: dict[str, str] = field(default_factory=dict)


class Source(Protocol):
    """What every source provides."""

    name: str
    title: str

    def read(self, paths: list[Path]) -> SourceResult:
        """Read ``paths`` (files or folders) and return the source's graph."""
        ...


_REGISTRY: dict[str, Callable[[], Source]] = {}


def register(name: str) -> Callable[[Callable[[], Source]], Callable[[], Source]]:
    """Class decorator registering a source under ``name``."""

    def wrap(factory: Callable[[], Source]) -> Callable[[], Source]:
        _REGISTRY[name] = factory
        return factory

    return wrap


def get(name: str) -> Source:
    """The source registered as ``name``; KeyError lists the known names."""
    from coopgraph.sources import curated  # noqa: F401  (registers itself)

    if name not in _REGISTRY:
        raise KeyError(f"unknown source '{name}' (known: {', '.join(sorted(_REGISTRY))})")
    return _REGISTRY[name]()
