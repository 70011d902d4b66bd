"""Sources: one module per dataset behind one small protocol, registered by name.

Two kinds: the ``curated`` source (``Source``: reads data/ whole, for ``coopgraph build``)
and importers (``Importer``: stream one published dataset row by row into its own named
graph, for ``coopgraph import``; the runner is ``coopgraph.importer``). Each importer is
one module here, registered with ``@importer(name)`` and listed in ``IMPORTER_MODULES``.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import os
import re
import shutil
import stat
import tempfile
import xml.parsers.expat
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol, TextIO

from coopgraph import dates, ids
from coopgraph.errors import CoopgraphError, printable
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
    #: The N-Quads lines written per named graph (what provenance records as its triples).
    triples: dict[str, int] = field(default_factory=dict)


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
        super().__init__(printable(message))
        self.line = line
        #: The record was cut off by the end of its file (``ENDS_MID_RECORD``): the
        #: runner refuses the import unless told to replace anyway.
        self.truncated = self.args[0].startswith(ENDS_MID_RECORD)


@dataclass
class ImportContext:
    """What an importer needs while it reads: its graph, the resolver, and where to count
    the country names it could not resolve."""

    graph: str
    #: The store's states; None for an importer that resolves none (``needs_states``).
    resolver: Resolver | None
    unresolved: Counter = field(default_factory=Counter)
    #: Anything an importer wants to remember across rows (e.g. the versions it saw).
    state: dict = field(default_factory=dict)
    #: IRIs of the sources the store's ``nations`` graph already describes (curated).
    known_sources: frozenset[str] = frozenset()
    #: The IRI relative IRIs of the files resolve against (``coopgraph import rdf --base``);
    #: None: a relative IRI is an error.
    base: str | None = None
    #: Named graphs other than ``graph`` the rows wrote, with their triples: the runner
    #: records them as parts of the import (``dcterms:hasPart``), so that a re-import or
    #: ``coopgraph remove`` drops them with it.
    parts: Counter = field(default_factory=Counter)

    def nation_by_cow(self, code: int, year: int | None, line: int) -> str:
        """The nation IRI of a COW state number in ``year``, or a RowError."""
        assert self.resolver is not None, "an importer that resolves states needs_states"
        found = self.resolver.cow(code, year)
        if found is None:
            self.unresolved[f"COW {code}"] += 1
            raise RowError(f"COW state code {code} resolves to no coopgraph state", line)
        return ids.nation(found)

    def nation_by_name(self, name: str, year: int | None, line: int) -> str:
        """The nation IRI of a name in ``year``, or a RowError."""
        assert self.resolver is not None, "an importer that resolves states needs_states"
        found = self.resolver.name(name, year)
        if found is None:
            self.unresolved[name] += 1
            raise RowError(f"'{name}' resolves to no coopgraph state", line)
        return ids.nation(found)


class Importer(Protocol):
    """One published dataset: how its files become N-Quads in its own graph."""

    name: str  # the name 'coopgraph import' takes: atop, unvotes, ...
    title: str  # dataset, publisher and version, for provenance and 'coopgraph sources'
    #: The import resolves countries against the store's states, so the store must be
    #: built first; an importer of data that names none (``rdf``) sets it False, and may
    #: then create the store.
    needs_states: bool = True
    #: The options of ``coopgraph import`` it takes besides the files (``graph``: the
    #: named graph to write instead of its own; ``base``: ``ImportContext.base``); given
    #: to an importer that does not take them, they are a usage error.
    options: tuple[str, ...] = ()

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

    def order(self, files: list[Path]) -> list[Path]:
        """The files in the order they must be read: a dataset whose files depend on each
        other (UN votes' roll calls before the votes) puts them in order; by default, as
        given. Importers subclass this protocol to inherit the default."""
        return files


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
    "coopgraph.sources.rdf",
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


# ------------------------------------------------------------------ numeric ranges
#: Decimal places a number may have (CINC, the smallest share in the files, has 14).
MAX_DECIMALS = 30


@dataclass(frozen=True)
class Range:
    """The values one kind of numeric field may hold, both ends included.

    A number outside its range rejects its row with the reason, as any bad value does:
    ``1e999990`` is a valid ``xsd:decimal``, but it reads back as a float infinity in
    metrics and pages, and ``1e999999`` overflowed Decimal arithmetic."""

    low: Decimal
    high: Decimal

    def check(self, value: Decimal | int, column: str, line: int) -> Decimal | int:
        """``value`` if it lies in the range, else a RowError naming ``column``."""
        if not self.low <= value <= self.high:
            raise RowError(f"{column}: {value} is outside {self.low:g}..{self.high:g}", line)
        return value

    def parse(self, text: str, column: str, line: int, *, unit: Decimal = Decimal(1)) -> Decimal:
        """``text`` read as a Decimal and multiplied by ``unit`` (e.g. 10^9 for a file in
        billions), checked against the range; a RowError for anything else."""
        shown_text = text if len(text) <= 40 else text[:40] + "..."
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise RowError(f"{column}: '{shown_text}' is not a number", line) from None
        if not value.is_finite():
            raise RowError(f"{column}: '{shown_text}' is not a finite number", line)
        if value and value.adjusted() > 40:  # checked before multiplying: no overflow
            raise RowError(f"{column}: {shown_text} is outside {self.low:g}..{self.high:g}", line)
        if value.normalize().as_tuple().exponent < -MAX_DECIMALS:  # type: ignore[operator]
            raise RowError(f"{column}: {shown_text} has more than {MAX_DECIMALS} decimals", line)
        return self.check(value * unit, column, line)  # type: ignore[return-value]


#: Money in one currency unit (USD, EUR; Greenbook de-obligations are negative):
#: |x| <= 10^13. The largest figure in the published files is 3.7 * 10^10 (a Greenbook
#: obligation in constant dollars; Kiel's largest donor-month is 1.8 * 10^10 EUR), and
#: 10^13 USD is more than the world spends on its militaries in five years.
AMOUNT = Range(Decimal("-1e13"), Decimal("1e13"))
#: SIPRI trend-indicator values (millions of TIV), per unit, order, delivery or year:
#: 0..10^6. The largest order in the trade register is 10,117.5, the largest
#: supplier-recipient year of the TIV tables 4,461.
TIV = Range(Decimal(0), Decimal("1e6"))
#: Weapons ordered or delivered in one deal: 0..10^7 (the largest SIPRI deal: 50,000).
COUNT = Range(Decimal(0), Decimal("1e7"))
#: Years of facts: those coopgraph holds facts for (``dates.MIN_YEAR``..``MAX_YEAR``,
#: 1800-2100: COW starts in 1816, and a year past 2100 is a typing error).
YEAR = Range(Decimal(dates.MIN_YEAR), Decimal(dates.MAX_YEAR))
#: COW NMC measures in thousands (of USD, personnel, tons, coal-ton equivalents,
#: people): 0..10^11. The largest in NMC 7.0 is 8.4 * 10^8 (US military expenditure,
#: thousands of USD).
CAPABILITY = Range(Decimal(0), Decimal("1e11"))
#: COW's composite index of national capability: a share of the world's, 0..1.
SHARE = Range(Decimal(0), Decimal(1))


#: What reading a broken published file can raise (bad encoding, gzip or CSV).
READ_ERRORS = (UnicodeDecodeError, gzip.BadGzipFile, EOFError, csv.Error, OSError, zlib.error)

# ---------------------------------------------------------------- limits of reading
# Published files are read as streams: each limit is checked as the bytes arrive, so a
# hostile file is refused with a one-line error before it can fill the memory.

#: Ceiling on what one gzip stream may decompress to, and on a workbook's parts summed
#: (bytes): 1 GiB. The largest published file coopgraph reads decompresses to 30 MB (the
#: Greenbook workbook's sheet; its CSV 11.8 MB, the UN votes 1946-2015 11.4 MB), so this
#: leaves 35 times that for larger releases, while a 2 MB gzip of zeros (2 GB) is refused.
MAX_DECOMPRESSED_BYTES = 1 << 30
#: Ceiling on one CSV record, all its lines together, and on one text, tag or attribute
#: of a workbook's XML (characters): 1 MiB. The longest record of the published files is
#: a UN roll-call description of a few kB. Each CSV field is held to Python's
#: ``csv.field_size_limit()`` (128 KiB by default) as well.
MAX_CELL_CHARS = 1 << 20
#: Ceiling on one workbook part other than a worksheet (bytes): 16 MiB. openpyxl reads
#: those whole (styles, shared strings: 24 kB in the Greenbook workbook).
MAX_WORKBOOK_PART_BYTES = 16 << 20
#: Ceiling on the XML elements openpyxl holds at once while it reads a workbook part:
#: each row it has read stays as an empty element, so this is Excel's own limit of
#: 1,048,576 rows and room for the elements of one row (16,384 columns).
MAX_WORKBOOK_ELEMENTS = 1_048_576 + 16_384 * 4

#: Start of the reason of a record cut off by the end of the file (``RowError.truncated``).
ENDS_MID_RECORD = "the file ends mid-record"


def open_input(path: Path) -> BinaryIO:
    """A published file opened for reading, or a one-line CoopgraphError naming it.

    Refuses a missing file, a symbolic link loop, a directory and anything that is not a
    regular file (a FIFO is opened without blocking and refused, so an import never
    waits on one), and a file it may not read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise CoopgraphError("no such file", path=shown(path)) from None
    except OSError as error:  # ELOOP, EACCES, ENAMETOOLONG, ...
        reason = error.strerror or str(error)
        raise CoopgraphError(f"cannot open the file: {reason}", path=shown(path)) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        what = "a directory" if stat.S_ISDIR(mode) else "not a regular file (a pipe or device)"
        raise CoopgraphError(f"{what}: give the data file itself", path=shown(path))
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def sha256(path: Path) -> str:
    """Hex SHA-256 of a published file (opened with ``open_input``)."""
    digest = hashlib.sha256()
    with open_input(path) as handle:
        try:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        except OSError as error:
            reason = error.strerror or str(error)
            raise CoopgraphError(f"cannot read the file: {reason}", path=shown(path)) from None
    return digest.hexdigest()


class _Capped(io.RawIOBase):
    """A decompressing stream that fails past ``MAX_DECOMPRESSED_BYTES``, as it reads."""

    def __init__(self, stream: BinaryIO, path: Path):
        self._stream, self._path, self.total = stream, path, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        count = self._stream.readinto(buffer)  # type: ignore[attr-defined]
        self.total += count
        if self.total > MAX_DECOMPRESSED_BYTES:
            raise CoopgraphError(
                f"decompresses to more than {MAX_DECOMPRESSED_BYTES:,} bytes "
                "(MAX_DECOMPRESSED_BYTES): refused",
                path=shown(self._path),
            )
        return count


def content(raw: BinaryIO, path: Path) -> BinaryIO:
    """The bytes of a published file: gunzipped, within ``MAX_DECOMPRESSED_BYTES``, when
    it starts with gzip's magic number; ``raw`` itself otherwise."""
    start = raw.read(2)
    raw.seek(0)
    if start != b"\x1f\x8b":
        return raw
    return io.BufferedReader(_Capped(gzip.GzipFile(fileobj=raw), path))  # type: ignore[arg-type]


def text_lines(raw: BinaryIO, encoding: str = "utf-8-sig", path: Path | None = None) -> TextIO:
    """A published file as text (gunzipped when gzip, see ``content``).

    A byte that does not decode is kept as a lone surrogate (``surrogateescape``), so the
    reader of each line can name the line that holds it (``_Lines``); a UTF-8 byte order
    mark is dropped (``utf-8-sig``, the default)."""
    stream = content(raw, path or Path("<input>"))
    return io.TextIOWrapper(stream, encoding=encoding, errors="surrogateescape", newline="")


_UNDECODED = re.compile("[\udc80-\udcff]")


class _Lines:
    """The lines of a text stream for ``csv.reader``, checked one by one: each line is
    read with a bound (``MAX_CELL_CHARS`` for the whole record it belongs to: ``record``
    starts it again), and a byte that did not decode is reported with its own line."""

    def __init__(self, text: TextIO, path: Path, encoding: str):
        self.text, self.path, self.encoding = text, path, encoding
        self.number = 0  # lines read
        self.record = ""  # the text of the record being read, as read so far
        self.gzip_ended_early = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        try:
            line = self.text.readline(MAX_CELL_CHARS - len(self.record) + 1)
        except EOFError:  # a gzip stream cut short: what was read is all there is
            self.gzip_ended_early = True
            raise StopIteration from None
        except CoopgraphError as error:  # the decompression ceiling: name the line
            message, line = error.message, self.number + 1
            raise CoopgraphError(message, path=shown(self.path), line=line) from None
        if not line:
            raise StopIteration
        self.number += 1
        self.record += line
        if len(self.record) > MAX_CELL_CHARS:
            raise CoopgraphError(
                f"a record longer than {MAX_CELL_CHARS:,} characters (MAX_CELL_CHARS): refused",
                path=shown(self.path),
                line=self.number,
            )
        bad = _UNDECODED.search(line)
        if bad:
            byte = ord(bad.group()) - 0xDC00
            raise CoopgraphError(
                f"not {self.encoding} text: byte 0x{byte:02x} at character {bad.start() + 1}",
                path=shown(self.path),
                line=self.number,
            )
        return line


class Records:
    """The CSV records of a published file: iterate for (first line, fields).

    Reads within the limits above; a file that cannot be read raises CoopgraphError
    naming the file and line. After the last record, ``cut_short(width)`` tells whether
    the file ends mid-record."""

    def __init__(self, raw: BinaryIO, path: Path, encoding: str = "utf-8-sig"):
        self.path = path
        self.lines = _Lines(text_lines(raw, encoding, path), path, encoding.removesuffix("-sig"))
        self.last = ""  # the text of the last record read

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(self.lines)
        try:
            while True:
                start = self.lines.number + 1
                fields = next(reader, None)
                if fields is None:
                    return
                self.last, self.lines.record = self.lines.record, ""
                yield start, fields
        except READ_ERRORS as error:
            raise CoopgraphError(
                f"cannot read the file: {error}", path=shown(self.path), line=self.lines.number
            ) from None

    def cut_short(self, width: int | None, count: int | None = None) -> str:
        """Why the file ends mid-record, once the last record was read ('' if it does
        not): its gzip stream ends early, or its last record lacks its line break and
        either ends inside a quoted field or has other than ``width`` fields (``count``,
        by default the fields of the last record read)."""
        if self.lines.gzip_ended_early:
            return "its gzip stream ends early"
        if not self.last or self.last.endswith(("\n", "\r")):
            return ""
        try:
            fields = next(csv.reader(io.StringIO(self.last, newline=""), strict=True), [])
        except csv.Error:
            return "its last record ends inside a quoted field"
        count = len(fields) if count is None else count
        if width is not None and count != width:
            return f"its last line has {count} of {width} fields and no line break"
        return ""


def csv_rows(
    raw: BinaryIO, path: Path, required: Iterable[str], encoding: str = "utf-8-sig"
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) for each CSV record, after checking the header has ``required``.

    The line is where the record starts. A file that is not text in ``encoding``, not
    gzip, or lacks a column raises CoopgraphError naming the file and line. A record of
    the wrong length is ``{"__error__": reason}``; so is a last record cut off by the end
    of the file (its reason starts with ``ENDS_MID_RECORD``).
    """
    records = Records(raw, path, encoding)
    rows = iter(records)
    first = next(rows, None)
    if first is None:
        why = records.cut_short(None)
        if not why:
            raise CoopgraphError("empty file", path=shown(path), line=1)
        yield 1, {"__error__": f"{ENDS_MID_RECORD}: {why} (truncated?)"}
        return
    header = [h.strip() for h in first[1]]
    missing = [c for c in required if c not in header]
    if missing:
        raise CoopgraphError(
            f"not the expected file: missing column(s) {', '.join(missing)}",
            path=shown(path),
            line=1,
        )
    held: tuple[int, list[str]] | None = None  # the last record waits for cut_short
    for record in rows:
        if held is not None:
            yield _row(header, *held)
        held = record
    why = records.cut_short(len(header))
    if why:
        yield (
            (held[0] if held else records.lines.number),
            {"__error__": f"{ENDS_MID_RECORD}: {why} (truncated?)"},
        )
    elif held is not None:
        yield _row(header, *held)


def _row(header: list[str], line: int, fields: list[str]) -> tuple[int, dict[str, str]]:
    if len(fields) != len(header):
        return line, {"__error__": f"expected {len(header)} fields, found {len(fields)}"}
    return line, dict(zip(header, fields, strict=True))


# ---------------------------------------------------------------------- workbooks


def open_workbook(raw: BinaryIO, path: Path):
    """A published .xlsx (plain or gzipped) opened with openpyxl (read-only, values),
    once its parts were checked within the limits above (``_check_workbook``).

    openpyxl parses with defusedxml when that is installed (it is a dependency of
    coopgraph): openpyxl/xml/__init__.py sets ``DEFUSEDXML`` when ``import defusedxml``
    works and the environment does not set ``OPENPYXL_DEFUSEDXML=False``, and
    openpyxl/xml/functions.py then takes ``fromstring`` and ``iterparse`` from
    ``defusedxml.ElementTree`` (checked in openpyxl 3.1.5). The check here refuses a DTD
    itself, so it holds even where that variable turns defusedxml off.
    """
    try:
        import openpyxl
    except ImportError:
        raise CoopgraphError(
            "reading the .xlsx needs openpyxl: pip install 'coopgraph[xlsx]' (or give the CSV)",
            path=shown(path),
        ) from None
    try:
        file = _seekable(raw, path)
        with zipfile.ZipFile(file) as archive:
            _check_workbook(archive, path)
        file.seek(0)
        return openpyxl.load_workbook(file, read_only=True, data_only=True)
    except CoopgraphError:
        raise
    except Exception as error:  # zipfile and openpyxl raise many kinds on a broken file
        raise CoopgraphError(f"cannot read the workbook: {error}", path=shown(path)) from None


def _seekable(raw: BinaryIO, path: Path) -> BinaryIO:
    """``raw``, or its gunzipped bytes in a temporary file (a zip archive needs seeking),
    within ``MAX_DECOMPRESSED_BYTES``."""
    stream = content(raw, path)
    if stream is raw:
        return raw
    copy = tempfile.TemporaryFile()  # noqa: SIM115 (openpyxl reads it after we return)
    shutil.copyfileobj(stream, copy, 1 << 20)
    copy.seek(0)
    return copy  # type: ignore[return-value]


def _check_workbook(archive: zipfile.ZipFile, path: Path) -> None:
    """Refuse a workbook whose parts decompress past the limits, or whose XML declares a
    DTD (entities), holds a text, tag or attribute longer than ``MAX_CELL_CHARS`` or more
    elements than openpyxl should hold (``MAX_WORKBOOK_ELEMENTS``), streaming each part.

    A part's declared size bounds what it decompresses to: zipfile stops there."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        whole = not info.filename.startswith("xl/worksheets/")  # read whole by openpyxl
        limit = MAX_WORKBOOK_PART_BYTES if whole else MAX_DECOMPRESSED_BYTES
        if info.file_size > limit or total > MAX_DECOMPRESSED_BYTES:
            raise CoopgraphError(
                f"{info.filename} decompresses past the ceiling ({limit:,} bytes for the "
                f"part, {MAX_DECOMPRESSED_BYTES:,} for the workbook): refused",
                path=shown(path),
            )
    for info in archive.infolist():
        if info.filename.endswith((".xml", ".rels")):
            with archive.open(info) as part:
                _check_xml(part, path, info.filename)


def _check_xml(part: BinaryIO, path: Path, name: str) -> None:
    """Stream one XML part of a workbook through expat, refusing what ``_check_workbook``
    refuses; nothing of the part is kept."""
    parser = xml.parsers.expat.ParserCreate()
    state = {"depth": 0, "kept": 0, "row": 0, "text": 0, "at": 0}

    def refuse(problem: str) -> None:
        raise CoopgraphError(f"{name}: {problem}: refused", path=shown(path))

    def dtd(*_: object) -> None:
        refuse("declares a DTD (XML entities are not read)")

    def start(*_: object) -> None:
        state["depth"] += 1
        state["text"], state["at"] = 0, parser.CurrentByteIndex
        if state["depth"] <= 3:  # the levels openpyxl keeps (worksheet, sheetData, row)
            state["kept"], state["row"] = state["kept"] + 1, 0
        else:
            state["row"] += 1
        if state["kept"] + state["row"] > MAX_WORKBOOK_ELEMENTS:
            refuse(f"more than {MAX_WORKBOOK_ELEMENTS:,} elements (MAX_WORKBOOK_ELEMENTS)")

    def end(*_: object) -> None:
        state["depth"] -= 1
        state["text"], state["at"] = 0, parser.CurrentByteIndex

    def text(data: str) -> None:
        state["text"] += len(data)
        state["at"] = parser.CurrentByteIndex
        if state["text"] > MAX_CELL_CHARS:
            refuse(f"a text longer than {MAX_CELL_CHARS:,} characters (MAX_CELL_CHARS)")

    parser.StartDoctypeDeclHandler = dtd
    parser.EntityDeclHandler = dtd
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    fed = 0
    try:
        for chunk in iter(lambda: part.read(1 << 16), b""):
            parser.Parse(chunk, False)
            fed += len(chunk)
            if fed - state["at"] > MAX_CELL_CHARS + (1 << 16):
                refuse(f"a tag longer than {MAX_CELL_CHARS:,} characters (MAX_CELL_CHARS)")
        parser.Parse(b"", True)
    except xml.parsers.expat.ExpatError as error:
        refuse(f"not well-formed XML ({error})")
