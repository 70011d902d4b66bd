"""Sources: one module per dataset behind one small protocol, registered by name.

Two kinds: the ``curated`` source (``Source``: reads data/ whole, for ``coopgraph build``)
and importers (``Importer``: stream one published dataset row by row into its own named
graph, for ``coopgraph import``; the runner is ``coopgraph.importer``). Each importer is
one module here, registered with ``@importer(name)`` and listed in ``IMPORTER_MODULES``.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol, TextIO

from coopgraph import ids
from coopgraph.errors import CoopgraphError
from coopgraph.paths import shown

if TYPE_CHECKING:
    from coopgraph.sources.resolve import Resolver


@dataclass
class FileRecord:
    """What a source read from one file, for the provenance graph."""

    path: Path
    sha256: str
    graph: str = ""  # the named graph its rows went to (the source's own when empty)
    rows_read: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0  # rows that hold no fact by design (a UN vote by a non-member)


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


# -------------------------------------------------------------------------- importers


class RowError(Exception):
    """A row an importer cannot turn into facts: the reason, and the row's line."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(" ".join(message.split()))
        self.line = line


@dataclass
class ImportContext:
    """What an importer needs while it reads: its graph, the resolver, and where to count
    the country names it could not resolve."""

    graph: str
    resolver: Resolver
    unresolved: Counter = field(default_factory=Counter)
    #: Anything an importer wants to remember across rows (e.g. the versions it saw).
    state: dict = field(default_factory=dict)
    #: IRIs of the sources the store's ``nations`` graph already describes (curated).
    known_sources: frozenset[str] = frozenset()

    def nation_by_cow(self, code: int, year: int | None, line: int) -> str:
        """The nation IRI of a COW state number in ``year``, or a RowError."""
        found = self.resolver.cow(code, year)
        if found is None:
            self.unresolved[f"COW {code}"] += 1
            raise RowError(f"COW state code {code} resolves to no coopgraph state", line)
        return ids.nation(found)

    def nation_by_name(self, name: str, year: int | None, line: int) -> str:
        """The nation IRI of a name in ``year``, or a RowError."""
        found = self.resolver.name(name, year)
        if found is None:
            self.unresolved[name] += 1
            raise RowError(f"'{name}' resolves to no coopgraph state", line)
        return ids.nation(found)


class Importer(Protocol):
    """One published dataset: how its files become N-Quads in its own graph."""

    name: str  # the name 'coopgraph import' takes: atop, unvotes, ...
    title: str  # dataset, publisher and version, for provenance and 'coopgraph sources'

    def header(self, ctx: ImportContext) -> list[str]:
        """Quads written once per import (the dataset's cg:Source node)."""
        ...

    def read(self, raw: BinaryIO, path: Path, ctx: ImportContext) -> Iterator[list[str] | RowError]:
        """Per row of the file: its N-Quads lines, or a RowError (rejected and counted);
        an empty list is a row that holds no fact by design (counted as skipped).

        A file that cannot be read at all (not CSV, missing columns) raises
        CoopgraphError naming the file and line; nothing is imported then."""
        ...

    def version(self, ctx: ImportContext) -> str:
        """The dataset version read from the files ('' when they do not say)."""
        ...


_IMPORTERS: dict[str, Callable[[], Importer]] = {}
#: Modules that register importers (imported on first use of ``importers()``).
IMPORTER_MODULES = (
    "coopgraph.sources.cow_states",
    "coopgraph.sources.unvotes",
    "coopgraph.sources.cow_nmc",
    "coopgraph.sources.atop",
    "coopgraph.sources.cow_alliances",
    "coopgraph.sources.sipri",
    "coopgraph.sources.greenbook",
    "coopgraph.sources.kiel",
)


def importer(name: str) -> Callable[[Callable[[], Importer]], Callable[[], Importer]]:
    """Class decorator registering an importer under ``name``."""

    def wrap(factory: Callable[[], Importer]) -> Callable[[], Importer]:
        _IMPORTERS[name] = factory
        return factory

    return wrap


def importers() -> dict[str, Callable[[], Importer]]:
    """Every registered importer by name."""
    import importlib

    for module in IMPORTER_MODULES:
        importlib.import_module(module)
    return dict(_IMPORTERS)


def dataset_source(
    ctx: ImportContext,
    slug: str,
    *,
    title: str,
    publisher: str,
    url: str,
    year: str = "",
) -> list[str]:
    """N-Quads of the cg:Source node every fact of an imported dataset cites; none when
    the curated data already describes that source (every query sees the ``nations``
    graph, and a second description would repeat each fact's source row)."""
    from coopgraph import ntriples as nt
    from coopgraph.namespace import CG, PREFIXES

    dct, g, s = PREFIXES["dcterms"], ctx.graph, ids.source(slug)
    if s in ctx.known_sources:
        return []
    quads = [
        nt.quad(s, nt.RDF_TYPE, nt.iri(CG.Source), g),
        nt.quad(s, nt.RDF_TYPE, nt.iri(PREFIXES["prov"] + "Entity"), g),
        nt.quad(s, dct + "title", nt.literal(title), g),
        nt.quad(s, dct + "publisher", nt.literal(publisher), g),
        nt.quad(s, CG.url, nt.iri(url), g),
    ]
    if year:
        quads.append(nt.quad(s, dct + "issued", nt.literal(year, datatype=nt.XSD + "gYear"), g))
    return quads


#: What reading a broken published file can raise (bad encoding, gzip or CSV).
READ_ERRORS = (UnicodeDecodeError, gzip.BadGzipFile, EOFError, csv.Error, OSError, zlib.error)


def text_lines(raw: BinaryIO, encoding: str = "utf-8") -> TextIO:
    """A published file as text: gunzipped when it starts with gzip's magic number."""
    start = raw.read(2)
    raw.seek(0)
    stream: BinaryIO = gzip.GzipFile(fileobj=raw) if start == b"\x1f\x8b" else raw  # type: ignore[assignment]
    return io.TextIOWrapper(stream, encoding=encoding, newline="")


def csv_rows(
    raw: BinaryIO, path: Path, required: Iterable[str], encoding: str = "utf-8"
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) for each CSV record, after checking the header has ``required``.

    The line is where the record starts. A file that is not text in ``encoding``, not
    gzip, or lacks a column raises CoopgraphError naming the file and line.
    """
    text = text_lines(raw, encoding)
    reader = csv.reader(text)
    try:
        header = next(reader, None)
        if header is None:
            raise CoopgraphError("empty file", path=shown(path), line=1)
        header = [h.strip() for h in header]
        missing = [c for c in required if c not in header]
        if missing:
            raise CoopgraphError(
                f"not the expected file: missing column(s) {', '.join(missing)}",
                path=shown(path),
                line=1,
            )
        line = reader.line_num + 1
        for fields in reader:
            if len(fields) != len(header):
                yield line, {"__error__": f"expected {len(header)} fields, found {len(fields)}"}
            else:
                yield line, dict(zip(header, fields, strict=True))
            line = reader.line_num + 1
    except READ_ERRORS as error:
        raise CoopgraphError(
            f"cannot read the file: {error}", path=shown(path), line=reader.line_num or 1
        ) from None
