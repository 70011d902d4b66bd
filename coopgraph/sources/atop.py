"""Importer ``atop``: the Alliance Treaty Obligations and Provisions dataset, version 5.1.

Two files of the release are read, told apart by their header:

- the member-level file ``atop5_1m.csv`` (required; gzipped or not): one row per member of
  an alliance per phase. Each row becomes a ``cg:Membership`` (``org:member`` the state
  resolved by its COW code in its year of entry, ``org:organization`` the alliance, start
  from ``yrent/moent/dayent``, end from ``yrexit/moexit/dayexit`` unless ``yrexit`` is 0 (in
  force on 31 December 2018: no end), ``cg:phase`` and one ``cg:obligation`` per flag set).
  The rows also write the alliance node (``cg:Alliance`` with label, notation, ``cg:atopId``
  and ``cg:commitment``), so the file is enough on its own.
- the alliance-level file ``atop5_1a.csv`` (optional): one row per alliance, giving the
  alliance node its dates (``begyr/begmo/begday``, ``endyr/endmo/endday``, 0 = in force).

The files may come in either order. A date without its day is a month-precision date (the
month's first day for a start, its last for an end); without its month, year precision.

An alliance's ``cg:commitment`` is functional, so it is the strongest obligation any of its
member rows carries (defence or offence: defence pact; neutrality or non-aggression:
neutrality pact; consultation: entente): 41 ATOP alliances are asymmetric, and a per-row
commitment would give them several. The published files are sorted by ``atopid``, so the
member rows of one alliance are read together and the commitment written once; it equals
the alliance-level file's, which says the same from the alliance's own flags.

Citation: Leeds, Brett Ashley, Jeffrey M. Ritter, Sara McLaughlin Mitchell, and Andrew G.
Long. 2002. "Alliance Treaty Obligations and Provisions, 1815-1944." International
Interactions 28(3): 237-260; Leeds, B. A. 2022. ATOP Codebook, version 5.1.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import gzip
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from coopgraph import ids
from coopgraph import ntriples as nt
from coopgraph.errors import CoopgraphError, UsageError
from coopgraph.namespace import CG, PREFIXES
from coopgraph.paths import shown
from coopgraph.sources import (
    ImportContext,
    Importer,
    RowError,
    csv_rows,
    dataset_source,
    importer,
)

DCT = PREFIXES["dcterms"]
ORG = PREFIXES["org"]
RDFS_LABEL = PREFIXES["rdfs"] + "label"
SKOS_NOTATION = PREFIXES["skos"] + "notation"

OBLIGATIONS = ("defense", "offense", "neutral", "nonagg", "consul")
MEMBER_COLUMNS = ("atopid", "member", "yrent", "moent", "dayent", "yrexit", "moexit",
                  "dayexit", "phase", *OBLIGATIONS, "version")  # fmt: skip
ALLIANCE_COLUMNS = ("atopid", "begyr", "begmo", "begday", "endyr", "endmo", "endday",
                    *OBLIGATIONS, "mem1", "version")  # fmt: skip
#: ATOP obligation flag -> cg:Obligation.
OBLIGATION_TERMS = {
    "defense": CG.DefenceObligation,
    "offense": CG.OffenceObligation,
    "neutral": CG.NeutralityObligation,
    "nonagg": CG.NonAggressionObligation,
    "consul": CG.ConsultationObligation,
}
#: Commitments by strength (index): the strongest obligation of an alliance decides.
COMMITMENTS = (None, CG.Entente, CG.NeutralityPact, CG.DefencePact)
#: Obligation flag -> strength of the commitment it implies.
STRENGTH = {"defense": 3, "offense": 3, "neutral": 2, "nonagg": 2, "consul": 1}

Row = tuple[int, dict[str, str]]


# ------------------------------------------------------------- helpers (also for COW)


def number(row: dict[str, str], column: str) -> int:
    """An integer column; ValueError naming the column otherwise."""
    value = row[column].strip()
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{column} is '{value}', not a number") from None


def partial_date(
    row: dict[str, str], year: str, month: str, day: str, *, end: bool = False
) -> tuple[dt.date, str]:
    """A date and its precision IRI from the ``year``, ``month`` and ``day`` columns of
    ``row``, where day or month may be empty: the first day of the period for a start, its
    last for an end (``end``).

    Raises ValueError, naming the columns, for a field that is not a number or a date that
    does not exist."""
    y = number(row, year)
    if not row[month].strip():
        if row[day].strip():
            raise ValueError(f"{day} is given without {month}")
        m = d = 0
    else:
        m = number(row, month)
        d = number(row, day) if row[day].strip() else 0
    try:
        if not m:
            return (dt.date(y, 12, 31) if end else dt.date(y, 1, 1)), CG.Year
        if not d:
            last = calendar.monthrange(y, m)[1] if 1 <= m <= 12 else 0
            return dt.date(y, m, last if end else 1), CG.Month
        return dt.date(y, m, d), CG.Day
    except (ValueError, OverflowError) as error:  # OverflowError: a year past C's long
        raise ValueError(f"{year}/{month}/{day} {y}/{m}/{d or ''}: {error}") from None


def flag(row: dict[str, str], column: str) -> bool:
    """A 0/1 column (empty counts as 0); ValueError for anything else."""
    value = row[column].strip()
    if value not in ("", "0", "1"):
        raise ValueError(f"{column} is '{value}', not 0 or 1")
    return value == "1"


def interval_quads(
    subject: str, start: tuple[dt.date, str], end: tuple[dt.date, str] | None, graph: str
) -> list[str]:
    """cg:startDate/startPrecision and, when there is an end, cg:endDate/endPrecision."""
    quads = [
        nt.quad(subject, CG.startDate, nt.date(start[0]), graph),
        nt.quad(subject, CG.startPrecision, nt.iri(start[1]), graph),
    ]
    if end is not None:
        quads.append(nt.quad(subject, CG.endDate, nt.date(end[0]), graph))
        quads.append(nt.quad(subject, CG.endPrecision, nt.iri(end[1]), graph))
    return quads


def check_order(start: dt.date, end: dt.date | None, line: int, what: str = "membership") -> None:
    """RowError when ``end`` is before ``start``."""
    if end is not None and end < start:
        raise RowError(f"{what} ends ({end}) before it starts ({start})", line)


def grouped(rows: Iterator[Row], key: str) -> Iterator[list[Row]]:
    """Consecutive rows with the same ``key`` value (a row csv_rows could not split, with
    ``__error__``, stays in the group it sits in)."""
    group: list[Row] = []
    current: str | None = None
    for line, row in rows:
        value = row.get(key)
        if group and value is not None and value != current:
            yield group
            group = []
        if value is not None:
            current = value
        group.append((line, row))
    if group:
        yield group


def alliance_group(
    group: list[Row],
    member: Callable[[int, dict[str, str]], tuple[list[str], int]],
    node: Callable[[], list[str]],
    commitment: Callable[[int], list[str]],
) -> Iterator[list[str] | RowError]:
    """The items of one alliance's member rows, in order: ``member(line, row)`` gives a
    row's quads and its commitment strength (or raises RowError); the first row that
    succeeds also carries ``node()`` (the alliance node) and ``commitment(strongest)``."""
    items: list[list[str] | RowError] = []
    strongest, first = 0, None
    for line, row in group:
        try:
            if "__error__" in row:
                raise RowError(row["__error__"], line)
            quads, strength = member(line, row)
        except RowError as error:
            items.append(error)
            continue
        strongest = max(strongest, strength)
        if first is None:
            first = len(items)
        items.append(quads)
    if first is not None:
        items[first] = node() + commitment(strongest) + items[first]  # type: ignore[operator]
    yield from items


def peek_header(raw: BinaryIO, encoding: str) -> list[str]:
    """The header fields of a CSV file (gzipped or not), leaving ``raw`` at its start;
    [] when it cannot be read (csv_rows then reports why)."""
    start = raw.read(2)
    raw.seek(0)
    try:
        # bytes, not a TextIOWrapper: dropping a wrapper would close ``raw``
        stream = gzip.GzipFile(fileobj=raw) if start == b"\x1f\x8b" else raw
        first = stream.readline(1 << 16).decode(encoding, errors="replace")
    except (gzip.BadGzipFile, EOFError, OSError, zlib.error):
        first = ""
    raw.seek(0)
    try:
        return [h.strip() for h in next(csv.reader([first]), [])]
    except csv.Error:
        return []


# ----------------------------------------------------------------------------- importer


@importer("atop")
class Atop(Importer):
    """ATOP 5.1: member-level (atop5_1m) and, optionally, alliance-level (atop5_1a) files."""

    name = "atop"
    title = "Alliance Treaty Obligations and Provisions (ATOP)"
    source_id = "atop-5-1"

    def header(self, ctx: ImportContext) -> list[str]:
        # Title and year as the curated data/sources.csv has them: one node, one title.
        return dataset_source(
            ctx,
            self.source_id,
            title="Alliance Treaty Obligations and Provisions (ATOP) dataset, version 5.1",
            publisher="ATOP project (Brett Ashley Leeds, Rice University)",
            url="http://www.atopdata.org/",
            year="2022",
        )

    def read(self, raw: BinaryIO, path: Path, ctx: ImportContext) -> Iterator[list[str] | RowError]:
        header = peek_header(raw, "utf-8-sig")
        if "mem1" in header and "member" not in header:
            yield from self._alliances(raw, path, ctx)
            return
        if header and "member" not in header:
            raise CoopgraphError(
                "not an ATOP member-level (atop5_1m) or alliance-level (atop5_1a) file: "
                "no 'member' or 'mem1' column",
                path=shown(path),
                line=1,
            )
        ctx.state["member_file"] = True
        rows = csv_rows(raw, path, MEMBER_COLUMNS)
        for group in grouped(rows, "atopid"):
            # node() and commitment() run only once a row of the group succeeded, so
            # its atopid is a number.
            key = next((row["atopid"] for _, row in group if "atopid" in row), "")
            yield from alliance_group(
                group,
                lambda line, row: self._member(line, row, ctx),
                lambda key=key: self._node(int(key), ctx),
                lambda strength, key=key: self._commitment(int(key), strength, ctx),
            )

    # -- member-level rows

    def _member(self, line: int, row: dict[str, str], ctx: ImportContext) -> tuple[list[str], int]:
        try:
            atopid, code = number(row, "atopid"), number(row, "member")
            phase = number(row, "phase")
            start = partial_date(row, "yrent", "moent", "dayent")
            end = None
            if row["yrexit"].strip() != "0":
                end = partial_date(row, "yrexit", "moexit", "dayexit", end=True)
            flags = [column for column in OBLIGATIONS if flag(row, column)]
        except ValueError as error:
            raise RowError(str(error), line) from None
        check_order(start[0], end[0] if end else None, line)
        self._version(row, ctx)
        nation = ctx.nation_by_cow(code, start[0].year, line)
        g, alliance = ctx.graph, ids.organisation(f"ATOP-{atopid}")
        m = ids.fact(
            "membership", f"ATOP-{atopid}", ids.local_name(nation), start[0].isoformat(), str(phase)
        )
        quads = [
            nt.quad(m, nt.RDF_TYPE, nt.iri(CG.Membership), g),
            nt.quad(m, nt.RDF_TYPE, nt.iri(ORG + "Membership"), g),
            nt.quad(m, ORG + "member", nt.iri(nation), g),
            nt.quad(m, ORG + "organization", nt.iri(alliance), g),
            *interval_quads(m, start, end, g),
            nt.quad(m, CG.phase, nt.integer(phase), g),
            *(nt.quad(m, CG.obligation, nt.iri(OBLIGATION_TERMS[f]), g) for f in flags),
            nt.quad(m, DCT + "source", nt.iri(ids.source(self.source_id)), g),
        ]
        return quads, max((STRENGTH[f] for f in flags), default=0)

    # -- alliance-level rows

    def _alliances(
        self, raw: BinaryIO, path: Path, ctx: ImportContext
    ) -> Iterator[list[str] | RowError]:
        for line, row in csv_rows(raw, path, ALLIANCE_COLUMNS):
            try:
                yield self._alliance(line, row, ctx)
            except RowError as error:
                yield error

    def _alliance(self, line: int, row: dict[str, str], ctx: ImportContext) -> list[str]:
        if "__error__" in row:
            raise RowError(row["__error__"], line)
        try:
            atopid = number(row, "atopid")
            start = partial_date(row, "begyr", "begmo", "begday")
            end = None
            if row["endyr"].strip() != "0":
                end = partial_date(row, "endyr", "endmo", "endday", end=True)
            strength = max((STRENGTH[c] for c in OBLIGATIONS if flag(row, c)), default=0)
        except ValueError as error:
            raise RowError(str(error), line) from None
        check_order(start[0], end[0] if end else None, line, "alliance")
        self._version(row, ctx)
        a = ids.organisation(f"ATOP-{atopid}")
        return (
            self._node(atopid, ctx)
            + self._commitment(atopid, strength, ctx)
            + interval_quads(a, start, end, ctx.graph)
        )

    # -- the alliance node

    def _node(self, atopid: int, ctx: ImportContext) -> list[str]:
        """The alliance node's type, label, notation, id and source, once per import."""
        written = ctx.state.setdefault("nodes", set())
        if atopid in written:
            return []
        written.add(atopid)
        g, a = ctx.graph, ids.organisation(f"ATOP-{atopid}")
        return [
            nt.quad(a, nt.RDF_TYPE, nt.iri(CG.Alliance), g),
            nt.quad(a, nt.RDF_TYPE, nt.iri(ORG + "FormalOrganization"), g),
            nt.quad(a, RDFS_LABEL, nt.literal(f"ATOP {atopid}", lang="en"), g),
            nt.quad(a, SKOS_NOTATION, nt.literal(f"ATOP-{atopid}"), g),
            nt.quad(a, CG.atopId, nt.integer(atopid), g),
            nt.quad(a, DCT + "source", nt.iri(ids.source(self.source_id)), g),
        ]

    def _commitment(self, atopid: int, strength: int, ctx: ImportContext) -> list[str]:
        """cg:commitment of the alliance, once per import (the first file read decides)."""
        done = ctx.state.setdefault("commitments", set())
        if not strength or atopid in done:
            return []
        done.add(atopid)
        a = ids.organisation(f"ATOP-{atopid}")
        return [nt.quad(a, CG.commitment, nt.iri(COMMITMENTS[strength]), ctx.graph)]

    def _version(self, row: dict[str, str], ctx: ImportContext) -> None:
        if row["version"].strip():
            ctx.state.setdefault("versions", set()).add(row["version"].strip())

    def version(self, ctx: ImportContext) -> str:
        # Called once after every file is read: the last chance to refuse an import
        # without the member-level file (the alliance-level one holds no memberships).
        if not ctx.state.get("member_file"):
            raise UsageError(
                "ATOP needs its member-level file (atop5_1m.csv); the alliance-level file "
                "alone holds no memberships"
            )
        return ", ".join(sorted(ctx.state.get("versions", set())))
