"""``coopgraph import``: a published dataset into its own named graph, atomically.

The runner is the same for every dataset; what differs is in one module per dataset
under ``coopgraph/sources/`` (an ``Importer``: it reads a file and turns each row into
N-Quads or a ``RowError``). For an import the runner

0. takes the store's writer lock, so a second writer fails at once rather than after
   reading its files, and opens every file as a regular file (``open_input``);
1. opens the current store read-only and builds a ``Resolver`` from its ``nations`` graph
   (an importer that resolves no states, ``rdf``, needs no built store);
2. streams each file's rows through the importer, writing N-Quads to temporary files
   beside the store (one per core, in chunks), so memory stays flat as files grow; a bad
   row is rejected and counted (its first lines reported), or with ``strict`` refuses the
   import; a country no crosswalk entry resolves rejects its row and is reported by name;
   a file that ends mid-record, or a result that would drop more than ``MAX_DROP_SHARE``
   of the source's loaded triples, refuses the import unless ``replace_anyway``; a graph
   the import may not write (another source's, coopgraph's own) refuses it too;
3. writes a new store generation: starting from a checkpoint of the current one, drops the
   source's previous graph, the other graphs its import wrote and its provenance,
   bulk-loads the new quads and provenance (dataset, version, files with SHA-256, rows
   read, imported and rejected, other graphs written, and the years its dated facts
   cover, measured on what was loaded: ``coverage.record``), and makes the generation current
   with one atomic rename. A failure or a kill at any point leaves the store as it was
   (``Location.write``).

Importing the same file twice gives the same graph (IRIs come from the rows' keys; an RDF
file's blank nodes are named anew).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from coopgraph import coverage, ids, queries
from coopgraph.build import graph_provenance, remove_source
from coopgraph.errors import CoopgraphError, UsageError
from coopgraph.location import Location, Reader, locate
from coopgraph.names import did_you_mean, suggest_words
from coopgraph.namespace import CG, PREFIXES
from coopgraph.paths import shown
from coopgraph.remote import Endpoint
from coopgraph.sources import (
    FileRecord,
    ImportContext,
    Importer,
    RowError,
    importers,
    open_input,
    sha256,
)
from coopgraph.sources.resolve import Resolver

PROV = PREFIXES["prov"]
OWL_VERSION = PREFIXES["owl"] + "versionInfo"
#: Quads per chunk written to one temporary file before moving to the next.
CHUNK = 50_000
#: Rejected rows reported one by one (the rest are counted).
SHOW_REJECTED = 20
#: The largest share of a loaded source's triples an import may drop without
#: ``replace_anyway`` (``--replace-anyway``): half. A new release corrects or adds rows;
#: one that loses more than half of them is far more likely a truncated or wrong file
#: (a cut SIPRI CSV once replaced 14,393 triples with 629).
MAX_DROP_SHARE = 0.5


@dataclass
class ImportReport:
    """What an import read, stored and left out."""

    source: str
    graph: str
    version: str
    files: list[FileRecord]
    triples: int
    seconds: float
    rejected: list[str] = field(default_factory=list)  # "file:line: reason", first ones
    unresolved: Counter = field(default_factory=Counter)  # country name -> rows
    #: Named graphs other than ``graph`` the import wrote -> their triples (``rdf``: the
    #: named graphs of N-Quads, TriG and JSON-LD files).
    parts: dict[str, int] = field(default_factory=dict)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_imported(self) -> int:
        return sum(f.rows_imported for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    @property
    def rows_skipped(self) -> int:
        return sum(f.rows_skipped for f in self.files)


class _Parts:
    """N-Quads lines spread over one temporary file per core, in chunks."""

    def __init__(self, folder: Path, count: int):
        self.paths = [folder / f"part-{i}.nq" for i in range(count)]
        self.handles: list[IO[str]] = []
        with _writing(folder):
            self.handles = [p.open("w", encoding="utf-8") for p in self.paths]
        self.lines = 0
        self._in_chunk = 0
        self._current = 0

    def write(self, lines: list[str]) -> None:
        try:
            self.handles[self._current].writelines(lines)
        except OSError:  # (not a ``with`` per row: that took half the runner's time)
            with _writing(self.paths[self._current]):
                raise
        self.lines += len(lines)
        self._in_chunk += len(lines)
        if self._in_chunk >= CHUNK:
            self._in_chunk = 0
            self._current = (self._current + 1) % len(self.handles)

    def close(self) -> None:
        for path, handle in zip(self.paths, self.handles, strict=False):
            with _writing(path):
                handle.close()


@contextlib.contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Turn an OSError while writing the import's temporary files (disk full, file too
    large) into a one-line CoopgraphError; the store is not touched until they are done."""
    try:
        yield
    except OSError as error:
        reason = error.strerror or str(error)
        raise CoopgraphError(
            f"cannot write the import's temporary files (store unchanged): {reason}",
            path=shown(path),
        ) from None


def loaded_sources(reader: ox.Store) -> dict[str, dict[str, object]]:
    """Source name -> what the ``meta`` graph says of its graph (for ``coopgraph sources``
    and ``Scope.loaded``): graph, title, version, time, triples, rows, files, parts and
    ``coverage`` (a ``coverage.Coverage`` or None)."""
    result: dict[str, dict[str, object]] = {}
    found = queries.run(reader, queries.internal("loaded-sources"), graphs=[ids.graph("meta")])
    for row in found:
        value = functools.partial(_value, row)
        key = value("name") if value("name") not in result else ids.local_name(value("g"))
        result[key] = {
            "source": key,
            "graph": value("g"),
            "title": value("title"),
            "version": value("version"),
            "imported": value("time"),
            "triples": int(value("triples") or 0),
            "rows_read": int(value("rows_read") or 0),
            "rows_imported": int(value("rows_imported") or 0),
            "rows_rejected": int(value("rows_rejected") or 0),
            "files": ", ".join(sorted(value("files").split(", "))) if value("files") else "",
            # named graphs other than its own the import wrote (``ImportContext.parts``)
            "parts": sorted(value("parts").split()),
            # the years of its dated facts (None: none, or written before they were recorded)
            "coverage": coverage.Coverage(int(value("first")), int(value("last")))
            if value("first") and value("last")
            else None,
        }
    return result


def _value(row: ox.QuerySolution, name: str) -> str:
    term = row[name]
    return term.value if term is not None else ""


def _get(name: str) -> Importer:
    """The importer of source ``name`` (case-insensitive), or a usage error listing them
    and suggesting the closest."""
    known = importers()
    if name not in known and name.casefold() in known:
        name = name.casefold()
    if name not in known:
        hint = did_you_mean(suggest_words(name, known))
        raise UsageError(f"unknown source '{name}' (one of: {', '.join(sorted(known))}){hint}")
    return known[name]()


def run(
    root: Location | Path | Endpoint,
    name: str,
    files: list[Path],
    *,
    strict: bool = False,
    replace_anyway: bool = False,
    progress: Callable[[int, int], None] | None = None,
    graph: str | None = None,
    base: str | None = None,
) -> ImportReport:
    """Import ``files`` as source ``name`` into the store at ``root`` (see the module doc).

    The store's writer lock is taken before any file is read: while another process
    writes the store, the import fails at once. An import that would leave the source
    with less than ``1 - MAX_DROP_SHARE`` of the triples it holds now, or a file that
    ends mid-record (truncated), is refused unless ``replace_anyway``.
    ``progress(done, total)`` is called with bytes read so far, if given.

    ``graph`` and ``base`` are for importers that take them (``Importer.options``; the
    ``rdf`` importer): ``graph`` is the named graph IRI to write instead of the
    importer's own, and the source is then named by that IRI (``coopgraph sources``,
    ``remove``), so that several imports live side by side; ``base`` resolves relative
    IRIs. An importer that needs no states (``Importer.needs_states``) creates the store
    when there is none.
    """
    importer = _get(name)
    for option, value in (("graph", graph), ("base", base)):
        if value is None:
            continue
        if option not in importer.options:
            takers = sorted(n for n, make in importers().items() if option in make().options)
            raise UsageError(f"--{option} is for 'coopgraph import {' or '.join(takers)}' only")
        try:
            ox.NamedNode(value)
        except ValueError as error:
            raise UsageError(f"--{option} '{value}' is not an absolute IRI: {error}") from None
    own = ids.graph(importer.name)
    target = _Target(importer.name if graph in (None, own) else graph, graph or own)  # type: ignore[arg-type]
    where = locate(root)
    with where.lock(create=not importer.needs_states):
        return _run(where, importer, files, target, base, strict, replace_anyway, progress)


@dataclass(frozen=True)
class _Target:
    """What an import writes: the source it is listed as and its named graph."""

    source: str
    graph: str


def _run(
    where: Location,
    importer: Importer,
    files: list[Path],
    target: _Target,
    base: str | None,
    strict: bool,
    replace_anyway: bool,
    progress: Callable[[int, int], None] | None,
) -> ImportReport:
    started = time.perf_counter()
    for path in files:  # every file opens as a regular file before any is read
        open_input(path).close()
    files = importer.order(files)
    reader = where.reader() if importer.needs_states or where.exists() else None
    resolver = None
    if importer.needs_states:
        resolver = Resolver(reader)
        if not resolver:
            raise CoopgraphError(
                "the store has no states to resolve names against: run 'coopgraph build' first",
                path=str(where),
            )
    loaded = loaded_sources(reader) if reader is not None else {}
    owners = _owners(loaded)
    refused = _refused(reader, [target.graph], target.source, owners)
    if refused:
        raise UsageError(f"cannot import into <{target.graph}>: {refused[1]}")
    graph = target.graph
    before = int(loaded.get(target.source, {}).get("triples", 0))  # type: ignore[call-overload]
    total = sum(p.stat().st_size for p in files)
    unresolved: Counter = Counter()
    rejected: list[str] = []
    records: list[FileRecord] = []
    checked: set[str] = set()  # named graphs of the files the import may write
    with where.scratch() as work:
        parts = _Parts(work, os.cpu_count() or 1)
        ctx = ImportContext(
            graph=graph,
            resolver=resolver,
            unresolved=unresolved,
            known_sources=resolver.sources if resolver is not None else frozenset(),
            base=base,
        )
        parts.write(importer.header(ctx))
        done_before = 0
        for path in files:
            record = FileRecord(path=path, sha256=sha256(path), graph=graph)
            records.append(record)
            for position, item in _rows(importer, path, ctx):
                record.rows_read += 1
                if isinstance(item, RowError):
                    record.rows_rejected += 1
                    at = f"{shown(path)}:{item.line}"
                    if item.truncated and not replace_anyway:
                        raise CoopgraphError(
                            f"{item}; pass --replace-anyway to import what was read "
                            "(store unchanged)",
                            path=at,
                        )
                    if strict:
                        raise CoopgraphError(f"{item} (--strict: nothing imported)", path=at)
                    if len(rejected) < SHOW_REJECTED:
                        rejected.append(f"{at}: {item}")
                elif not item:
                    record.rows_skipped += 1
                else:
                    record.rows_imported += 1
                    parts.write(item)
                if progress and record.rows_read % 20_000 == 0:
                    progress(done_before + position(), total)
            new = [part for part in ctx.parts if part not in checked]
            refused = _refused(reader, new, target.source, owners)
            if refused:
                raise CoopgraphError(
                    f"the file writes graph <{refused[0]}>, but {refused[1]} (store unchanged)",
                    path=shown(path),
                )
            checked.update(new)
            done_before += path.stat().st_size
        if progress:
            progress(total, total)
        parts.close()
        if not replace_anyway:
            _check_drop(target.source, before, parts.lines)
        version = importer.version(ctx)
        when = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        meta = graph_provenance(
            target.source,
            graph,
            importer.title,
            parts.lines,
            records,
            when,
            extra={OWL_VERSION: version} if version else None,
            parts=sorted(ctx.parts),
        )

        def change(store: ox.Store) -> None:
            remove_source(store, graph)
            nonempty = [p for p in parts.paths if p.stat().st_size]
            with ThreadPoolExecutor(max(1, len(nonempty))) as pool:
                for done in [
                    pool.submit(store.bulk_load, path=str(p), format=ox.RdfFormat.N_QUADS)
                    for p in nonempty
                ]:
                    done.result()
            store.bulk_load(meta.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
            coverage.record(store, target.source, graph, sorted(ctx.parts))

        where.write(change, from_empty=False)
    return ImportReport(
        target.source,
        graph,
        version,
        records,
        parts.lines,
        time.perf_counter() - started,
        rejected,
        unresolved,
        dict(ctx.parts),
    )


def _owners(loaded: dict[str, dict[str, object]]) -> dict[str, str]:
    """Each graph a source holds (its own and its parts), and each name ``coopgraph build``
    writes -> that source."""
    owners = {ids.graph(name): name for name in ids.BUILT_GRAPHS}
    for name, info in loaded.items():
        for graph in [info["graph"], *info["parts"]]:  # type: ignore[misc]
            owners[str(graph)] = name
    return owners


def _refused(
    reader: Reader | None, graphs: list[str], source: str, owners: dict[str, str]
) -> tuple[str, str] | None:
    """The first of ``graphs`` the import of ``source`` may not write and why, or None:
    another source holds it; it lies among the names coopgraph gives its own graphs
    (``https://w3id.org/coopgraph/graph/``); or it holds data no import recorded (a graph
    of someone else's on a shared endpoint: writing into it, and dropping it with the
    import, would destroy theirs)."""
    unknown = [g for g in graphs if g not in owners and not g.startswith(ids.GRAPH)]
    existing = _existing(reader, unknown) if reader is not None and unknown else set()
    for graph in graphs:
        owner = owners.get(graph)
        if owner == source:
            continue
        if owner:
            return graph, f"it holds source '{owner}'"
        if graph.startswith(ids.GRAPH) and graph != ids.graph(source):
            return graph, f"coopgraph names its own graphs under <{ids.GRAPH}>"
        if graph in existing:
            return graph, "it holds data no import recorded"
    return None


def _existing(reader: Reader, graphs: list[str]) -> set[str]:
    """Which of ``graphs`` hold a triple in the store (one query per 100 graphs: the
    endpoint is asked about those graphs only, whatever else it holds)."""
    found: set[str] = set()
    for start in range(0, len(graphs), 100):
        chunk = [ox.NamedNode(g) for g in graphs[start : start + 100]]
        values = " ".join(str(g) for g in chunk)
        rows = reader.query(
            f"SELECT ?g WHERE {{ VALUES ?g {{ {values} }} "
            "FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }",
            named_graphs=chunk,
        )
        found |= {row["g"].value for row in rows}
    return found


def _check_drop(name: str, before: int, after: int) -> None:
    """Refuse an import that would shrink a loaded source past ``MAX_DROP_SHARE``."""
    if before and after < before * (1 - MAX_DROP_SHARE):
        raise CoopgraphError(
            f"{name}: would replace {before:,} triples with {after:,} "
            f"({(after - before) / before:+.0%}); pass --replace-anyway to import anyway "
            "(store unchanged)"
        )


def _rows(importer: Importer, path: Path, ctx: ImportContext) -> Iterator[tuple]:
    """The importer's items for ``path`` with a function giving the bytes read so far."""
    with open_input(path) as raw:
        for item in importer.read(raw, path, ctx):
            yield raw.tell, item


def remove(root: Location | Path | Endpoint, name: str) -> int:
    """Drop source ``name``'s graph and provenance in a new generation; triples removed."""
    if name.casefold() in ids.BUILT_GRAPHS:
        raise UsageError(f"'{name}' is part of every build and cannot be removed")
    where = locate(root)
    loaded = loaded_sources(where.reader())
    imported = [n for n in loaded if n not in ids.BUILT_GRAPHS]
    same = [n for n in imported if n.casefold() == name.casefold()]
    if name not in loaded and len(same) == 1:
        name = same[0]
    if name not in loaded:
        hint = did_you_mean(suggest_words(name, imported))
        known = ", ".join(imported) or "none"
        raise UsageError(f"source '{name}' is not loaded (imported sources: {known}){hint}")
    graph = str(loaded[name]["graph"])
    where.write(lambda target: remove_source(target, graph), from_empty=False)
    return int(loaded[name]["triples"])  # type: ignore[call-overload]


__all__ = ["ImportReport", "loaded_sources", "remove", "remove_source", "run", "CG"]
