"""Importer ``unvotes``: UN General Assembly roll-call votes (Voeten et al.).

Files, in any order (told apart by their headers; plain or gzip-compressed):

- the roll calls, ``un_roll_calls_1946_2015.csv`` (rcid, session, year, date, unres,
  importantvote, me, nu, di, hr, co, ec): required, read first;
- the votes, ``un_votes_1946_2015.csv`` (rcid, ccode, vote);
- optionally the ``unvotes`` package's descriptions (rcid, ..., short, descr) and issues
  (rcid, short_name, issue).

A roll call becomes a ``cg:RollCall`` node (``cgid:rollcall/{rcid}``) with its rcid,
session, date, resolution, important-vote flag and issue codes. A vote is one triple from
the state to the roll call: ``cg:votedYes`` (1), ``cg:abstained`` (2), ``cg:votedNo`` (3),
``cg:absent`` (8); code 9 ("not a UN member") holds no vote and is skipped. A state is
resolved by its COW code in the roll call's year (365 is the USSR to 1991 and Russia
after). One triple per vote keeps the graph at about one million triples for the whole
file, which the alignment measures read per year.

Citation: Voeten, Erik; Strezhnev, Anton; Bailey, Michael. "United Nations General
Assembly Voting Data", Harvard Dataverse, hdl:1902.1/12379.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from coopgraph import ids
from coopgraph import ntriples as nt
from coopgraph.errors import CoopgraphError
from coopgraph.namespace import CG, PREFIXES
from coopgraph.paths import shown
from coopgraph.sources import (
    MAX_CELL_CHARS,
    READ_ERRORS,
    YEAR,
    ImportContext,
    Importer,
    RowError,
    csv_rows,
    dataset_source,
    importer,
    open_input,
    text_lines,
)

DCT = PREFIXES["dcterms"]
VOTES = {"1": CG.votedYes, "2": CG.abstained, "3": CG.votedNo, "8": CG.absent}
NOT_A_MEMBER = "9"
ISSUES = ("me", "nu", "di", "hr", "co", "ec")
KINDS = {
    "rollcalls": ("rcid", "session", "year", "date", "unres", "importantvote"),
    "votes": ("rcid", "ccode", "vote"),
    "descriptions": ("rcid", "short", "descr"),
    "issues": ("rcid", "short_name"),
}
SOURCE = "unga-voting-voeten"


def kind_of(path: Path) -> str | None:
    """Which of the four files ``path`` is, from its header."""
    try:
        with open_input(path) as raw:
            header = text_lines(raw, path=path).readline(MAX_CELL_CHARS).strip().split(",")
    except READ_ERRORS as error:
        raise CoopgraphError(f"cannot read the file: {error}", path=shown(path), line=1) from None
    columns = {c.strip().strip('"') for c in header}
    for kind, required in KINDS.items():
        if set(required) <= columns:
            return kind
    return None


@importer("unvotes")
class UnVotes(Importer):
    """UN General Assembly roll-call votes."""

    name = "unvotes"
    title = "United Nations General Assembly Voting Data (Voeten, Strezhnev and Bailey)"

    def order(self, files: list[Path]) -> list[Path]:
        """Roll calls first (votes need their years), then votes, descriptions, issues."""
        kinds = {}
        for path in files:
            kind = kind_of(path)
            if kind is None:
                raise CoopgraphError(
                    "not a UN votes file: the header has none of the column sets "
                    + "; ".join(",".join(c) for c in KINDS.values()),
                    path=shown(path),
                    line=1,
                )
            kinds[path] = kind
        if "rollcalls" not in kinds.values():
            raise CoopgraphError(
                "give the roll-call file too (un_roll_calls_*.csv): a vote's year, which "
                "resolves its country code, is in it"
            )
        rank = list(KINDS)
        return sorted(files, key=lambda p: rank.index(kinds[p]))

    def header(self, ctx: ImportContext) -> list[str]:
        return dataset_source(
            ctx,
            SOURCE,
            title="United Nations General Assembly Voting Data",
            publisher="Erik Voeten, Anton Strezhnev and Michael Bailey (Harvard Dataverse)",
            url="https://dataverse.harvard.edu/dataset.xhtml?persistentId=hdl:1902.1/12379",
        )

    def read(self, raw: BinaryIO, path: Path, ctx: ImportContext) -> Iterator[list[str] | RowError]:
        kind = kind_of(path)
        rows = csv_rows(raw, path, KINDS[kind or "votes"])
        if kind == "votes":
            yield from self._votes(rows, ctx)
            return
        handle = {
            "rollcalls": self._rollcall,
            "descriptions": self._description,
            "issues": self._issue,
        }[kind or "rollcalls"]
        for line, row in rows:
            if "__error__" in row:
                yield RowError(row["__error__"], line)
                continue
            try:
                yield handle(line, row, ctx)
            except _Skip:
                yield []
            except RowError as error:
                yield error

    def _rollcall(self, line: int, row: dict[str, str], ctx: ImportContext) -> list[str]:
        try:
            rcid, session, year = int(row["rcid"]), int(row["session"]), int(row["year"])
        except ValueError:
            raise RowError("rcid, session and year must be integers", line) from None
        YEAR.check(year, "year", line)
        years = ctx.state.setdefault("years", {})
        years[rcid] = year
        g, r = ctx.graph, ids.fact("rollcall", str(rcid))
        quads = [
            nt.quad(r, nt.RDF_TYPE, nt.iri(CG.RollCall), g),
            nt.quad(r, CG.rcid, nt.integer(rcid), g),
            nt.quad(r, CG.session, nt.integer(session), g),
            nt.quad(r, CG.year, nt.integer(year), g),
            nt.quad(r, DCT + "source", nt.iri(ids.source(SOURCE)), g),
        ]
        if row["date"]:
            try:
                day = dt.date.fromisoformat(row["date"])
            except ValueError:
                raise RowError(f"date '{row['date']}' is not YYYY-MM-DD", line) from None
            quads.append(nt.quad(r, DCT + "date", nt.date(day), g))
        if row["unres"]:
            quads.append(nt.quad(r, CG.resolution, nt.literal(row["unres"]), g))
        if row["importantvote"] in ("0", "1"):
            quads.append(nt.quad(r, CG.importantVote, nt.boolean(row["importantvote"] == "1"), g))
        for issue in ISSUES:
            if row.get(issue) == "1":
                quads.append(nt.quad(r, CG.issue, nt.literal(issue), g))
        return quads

    def _votes(self, rows, ctx: ImportContext) -> Iterator[list[str] | RowError]:
        years: dict[int, int] = ctx.state.get("years", {})
        g = ctx.graph
        suffix = f" <{g}> .\n"
        rollcalls: dict[int, str] = {}
        nations: dict[tuple[int, int], str] = {}
        for line, row in rows:
            if "__error__" in row:
                yield RowError(row["__error__"], line)
                continue
            vote = row["vote"]
            if vote == NOT_A_MEMBER:
                yield []
                continue
            prop = VOTES.get(vote)
            if prop is None:
                yield RowError(f"vote '{vote}' is not 1, 2, 3, 8 or 9", line)
                continue
            try:
                rcid, code = int(row["rcid"]), int(row["ccode"])
            except ValueError:
                yield RowError("rcid and ccode must be integers", line)
                continue
            year = years.get(rcid)
            if year is None:
                yield RowError(f"roll call {rcid} is not in the roll-call file", line)
                continue
            nation = nations.get((code, year))
            if nation is None:
                try:
                    nation = f"<{ctx.nation_by_cow(code, year, line)}>"
                except RowError as error:
                    yield error
                    continue
                nations[code, year] = nation
            target = rollcalls.get(rcid)
            if target is None:
                target = rollcalls[rcid] = f"<{ids.fact('rollcall', str(rcid))}>"
            yield [f"{nation} <{prop}> {target}{suffix}"]

    def _description(self, line: int, row: dict[str, str], ctx: ImportContext) -> list[str]:
        rcid = self._known(line, row, ctx)
        g, r = ctx.graph, ids.fact("rollcall", str(rcid))
        quads = []
        if row["short"]:
            quads.append(nt.quad(r, DCT + "title", nt.literal(row["short"]), g))
        if row["descr"]:
            quads.append(nt.quad(r, DCT + "description", nt.literal(row["descr"]), g))
        return quads

    def _issue(self, line: int, row: dict[str, str], ctx: ImportContext) -> list[str]:
        rcid = self._known(line, row, ctx)
        if row["short_name"] not in ISSUES:
            raise RowError(f"unknown issue code '{row['short_name']}'", line)
        r = ids.fact("rollcall", str(rcid))
        return [nt.quad(r, CG.issue, nt.literal(row["short_name"]), ctx.graph)]

    @staticmethod
    def _known(line: int, row: dict[str, str], ctx: ImportContext) -> int:
        """The rcid of a description or issue row; a roll call without votes here (later
        Dataverse releases) holds no fact and is skipped."""
        try:
            rcid = int(row["rcid"])
        except ValueError:
            raise RowError("rcid must be an integer", line) from None
        if rcid not in ctx.state.get("years", {}):
            raise _Skip
        return rcid

    def version(self, ctx: ImportContext) -> str:
        years = ctx.state.get("years", {})
        if not years:
            return ""
        return f"sessions to {max(years.values())} (Dataverse release via the unvotes package)"


class _Skip(RowError):
    """A row that holds no fact here (not an error)."""

    def __init__(self) -> None:
        super().__init__("skipped")
