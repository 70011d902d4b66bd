"""Cross-check the curated data against the field's research datasets.

Three checks, each reading the curated CSV files and a published file the user holds
(coopgraph never ships these datasets):

- ``alliances``: the members of every curated alliance that carries an ATOP ``atopid``
  or a COW ``version4id`` (``data/organisation-codes.csv``) against ATOP 5.1's member file
  (``atop5_1m.csv``) and COW Formal Alliances v4.1's member file
  (``alliance_v4.1_by_member.csv``);
- ``states``: the curated states against the COW State System list (``states2016.csv``),
  for the states in the system at any time since 1945;
- ``isaf``: the ISAF contributors against the nations on NATO's ISAF placemats.

A pair (alliance, member) agrees on its start when the years differ by at most
``TOLERANCE``: ATOP dates a member's signature, COW and coopgraph the entry into force
or accession, which can fall in the next year (NATO's founders signed on 4 April 1949,
the treaty entered into force on 24 August 1949). Each dataset stops at its last year
(ATOP 2018, COW 2012): a member that joined later is not expected in it, and a membership
that ended later counts as still in force there.

Every difference found must be explained in ``data/checks/differences.csv`` (columns
check, dataset, organisation, nation, difference, explanation); ``unexplained`` lists
the ones that are not, and the tests fail on any.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

#: Start or end years this far apart still agree (signature versus entry into force).
TOLERANCE = 1
#: The last year each dataset covers.
LAST_YEAR = {"atop": 2018, "cow": 2012}
DIFFERENCES_FILE = Path("checks") / "differences.csv"
DIFFERENCE_COLUMNS = ["check", "dataset", "organisation", "nation", "difference", "explanation"]


@dataclass(frozen=True)
class Span:
    """Years a membership (or a state) holds: ``end`` None while it still holds."""

    start: int | None
    end: int | None


@dataclass(frozen=True)
class Difference:
    """One disagreement between coopgraph and a dataset.

    ``difference`` is ``only-coopgraph``, ``only-dataset``, ``start`` or ``end``.
    """

    check: str
    dataset: str
    organisation: str
    nation: str
    difference: str
    ours: str = ""
    theirs: str = ""

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.check, self.dataset, self.organisation, self.nation, self.difference)


@dataclass
class Agreement:
    """How far coopgraph and one dataset agree in one check.

    ``members`` = pairs both hold / pairs either holds (Jaccard index); ``starts`` and
    ``ends`` = pairs whose start (end) agrees / pairs both hold.
    """

    check: str
    dataset: str
    scope: int  # alliances or states compared
    ours: int
    theirs: int
    both: int
    same_start: int
    same_end: int
    differences: list[Difference] = field(default_factory=list)

    @property
    def members(self) -> float:
        either = self.ours + self.theirs - self.both
        return self.both / either if either else 1.0

    @property
    def starts(self) -> float:
        return self.same_start / self.both if self.both else 1.0

    @property
    def ends(self) -> float:
        return self.same_end / self.both if self.both else 1.0


def _open(path: Path) -> TextIO:
    with path.open("rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
    if gzipped:
        return gzip.open(path, "rt", encoding="latin-1", newline="")
    return path.open(encoding="latin-1", newline="")


def _rows(path: Path) -> list[dict[str, str]]:
    with _open(path) as handle:
        return list(csv.DictReader(handle))


def _year(text: str) -> int | None:
    return int(text[:4]) if text else None


def _merge(spans: dict[tuple[str, str], Span], key: tuple[str, str], span: Span) -> None:
    """Keep one span per pair: the earliest start and the latest end (None wins)."""
    old = spans.get(key)
    if old is None:
        spans[key] = span
        return
    starts = [s for s in (old.start, span.start) if s is not None]
    end = None if old.end is None or span.end is None else max(old.end, span.end)
    spans[key] = Span(min(starts) if starts else None, end)


def cow_ranges(data: Path) -> dict[int, list[tuple[int, int, str]]]:
    """COW ccode -> [(first year, last year, nation id)], from ``data/crosswalk.csv``."""
    ranges: dict[int, list[tuple[int, int, str]]] = {}
    for row in _rows(data / "crosswalk.csv"):
        if row["scheme"] == "cow":
            first = int(row["start_year"] or 1816)
            last = int(row["end_year"] or 9999)
            ranges.setdefault(int(row["code"]), []).append((first, last, row["nation"]))
    return ranges


def cow_nation(data: Path) -> Callable[[int, int], str | None]:
    """A function (COW ccode, year) -> coopgraph nation id, from ``data/crosswalk.csv``."""
    ranges = cow_ranges(data)

    def lookup(code: int, year: int) -> str | None:
        candidates = ranges.get(code, [])
        if not candidates:
            return None
        # the range holding the year, else the nearest one (Japan signed with the US in
        # 1951, while COW leaves it out of the system from 1945 to 1952)
        return min(candidates, key=lambda r: max(r[0] - year, year - r[1], 0))[2]

    return lookup


def successions(data: Path) -> dict[str, str]:
    """Nation id -> the name of its COW identity, for nations that share a COW code over
    time: "RUS+SUN" for Russia and the USSR (COW 365), "YUG+SCG+SRB" (345).

    ATOP and COW carry a treaty on through such a succession under the one code, while
    coopgraph ends the USSR's membership on 26 December 1991 and starts Russia's; the
    alliance check compares them as one member."""
    groups: dict[int, list[tuple[int, str]]] = {}
    for code, ranges in cow_ranges(data).items():
        nations = sorted({(first, nation) for first, _, nation in ranges})
        if len({n for _, n in nations}) > 1:
            groups[code] = nations
    result = {}
    for nations in groups.values():
        ordered = list(dict.fromkeys(n for _, n in nations))
        for nation in ordered:
            result[nation] = "+".join(ordered)
    return result


def curated_memberships(data: Path) -> dict[tuple[str, str], Span]:
    """(organisation, nation) -> span, from ``data/memberships.csv``."""
    spans: dict[tuple[str, str], Span] = {}
    for row in _rows(data / "memberships.csv"):
        _merge(
            spans,
            (row["organisation"], row["nation"]),
            Span(_year(row["start"]), _year(row["end"])),
        )
    return spans


def organisation_codes(data: Path, scheme: str) -> dict[int, str]:
    """Dataset id -> coopgraph organisation, for ``scheme`` ``atop`` or ``cow-alliance``.

    Where coopgraph splits one dataset alliance in two (ATOP's Brussels Treaty 3130 is
    coopgraph's WESTERN-UNION and WEU; its 4220 the Tashkent treaty CST and the CSTO) the
    name is both joined by "+" and the check compares their memberships together."""
    found: dict[int, set[str]] = {}
    for row in _rows(data / "organisation-codes.csv"):
        if row["scheme"] == scheme:
            found.setdefault(int(row["code"]), set()).add(row["organisation"])
    return {code: "+".join(sorted(names)) for code, names in found.items()}


def atop_memberships(
    member_file: Path, codes: dict[int, str], nation: Callable[[int, int], str | None]
) -> dict[tuple[str, str], Span]:
    """(organisation, nation) -> span from ATOP's member-level file (signature dates;
    an exit year of 0 means in force at the end of 2018)."""
    spans: dict[tuple[str, str], Span] = {}
    for row in _rows(member_file):
        organisation = codes.get(int(row["atopid"]))
        if organisation is None:
            continue
        start = int(row["yrent"])
        member = nation(int(row["member"]), start) or f"ccode {row['member']}"
        end = int(row["yrexit"] or 0) or None
        _merge(spans, (organisation, member), Span(start, end))
    return spans


def cow_memberships(
    member_file: Path, codes: dict[int, str], nation: Callable[[int, int], str | None]
) -> dict[tuple[str, str], Span]:
    """(organisation, nation) -> span from COW Formal Alliances' member file (a member
    still in at the end of 2012 has no end year)."""
    spans: dict[tuple[str, str], Span] = {}
    for row in _rows(member_file):
        organisation = codes.get(int(row["version4id"]))
        if organisation is None:
            continue
        start = int(row["mem_st_year"])
        member = nation(int(row["ccode"]), start) or f"ccode {row['ccode']}"
        end = None if row["right_censor"] == "1" else _year(row["mem_end_year"])
        _merge(spans, (organisation, member), Span(start, end))
    return spans


def _show(span: Span | None) -> str:
    if span is None:
        return ""
    return f"{span.start or '?'}-{span.end or ''}"


def compare(
    check: str,
    dataset: str,
    ours: dict[tuple[str, str], Span],
    theirs: dict[tuple[str, str], Span],
    last_year: int,
) -> Agreement:
    """Compare two sets of spans keyed by (organisation, nation) over a dataset's years.

    Ours are cut to the dataset's coverage: a span that starts after ``last_year`` is not
    expected in it, one that ends after ``last_year`` counts as open.
    """
    ours = {
        key: Span(span.start, span.end if span.end is None or span.end <= last_year else None)
        for key, span in ours.items()
        if span.start is None or span.start <= last_year
    }
    differences = []
    same_start = same_end = 0
    for key in sorted(set(ours) | set(theirs)):
        mine, other = ours.get(key), theirs.get(key)
        kinds = []
        if other is None:
            kinds.append("only-coopgraph")
        elif mine is None:
            kinds.append("only-dataset")
        else:
            unknown = mine.start is None or other.start is None
            if unknown or abs(mine.start - other.start) <= TOLERANCE:  # type: ignore[operator]
                same_start += 1
            else:
                kinds.append("start")
            if mine.end is None and other.end is None:
                same_end += 1
            elif mine.end is not None and other.end is not None:
                if abs(mine.end - other.end) <= TOLERANCE:
                    same_end += 1
                else:
                    kinds.append("end")
            else:
                kinds.append("end")
        differences += [
            Difference(check, dataset, *key, kind, _show(mine), _show(other)) for kind in kinds
        ]
    both = len(set(ours) & set(theirs))
    scope = len({organisation for organisation, _ in set(ours) | set(theirs)})
    return Agreement(
        check, dataset, scope, len(ours), len(theirs), both, same_start, same_end, differences
    )


def alliances(data: Path, atop_file: Path | None, cow_file: Path | None) -> list[Agreement]:
    """Curated memberships against ATOP's and COW's member files (either may be None)."""
    ours = curated_memberships(data)
    nation = cow_nation(data)
    identity = successions(data)
    results = []
    for dataset, path, scheme, read in (
        ("atop", atop_file, "atop", atop_memberships),
        ("cow", cow_file, "cow-alliance", cow_memberships),
    ):
        if path is None:
            continue
        codes = organisation_codes(data, scheme)
        group = {org: name for name in codes.values() for org in name.split("+")}
        mine: dict[tuple[str, str], Span] = {}
        for (organisation, member), span in ours.items():
            if organisation in group:
                _merge(mine, (group[organisation], identity.get(member, member)), span)
        theirs: dict[tuple[str, str], Span] = {}
        for (organisation, member), span in read(path, codes, nation).items():
            _merge(theirs, (organisation, identity.get(member, member)), span)
        results.append(compare("alliances", dataset, mine, theirs, LAST_YEAR[dataset]))
    return results


def states(data: Path, states_file: Path, since: int = 1945) -> Agreement:
    """Curated states against the COW state list: the states in the system at any time
    from ``since`` to 2016, keyed ("state", nation), spans in years.

    A COW code that stands for several coopgraph states over time (365 for the USSR and
    Russia, 345 for Yugoslavia, Serbia and Montenegro, and Serbia) is split at the years
    the crosswalk gives.
    """
    ranges = cow_ranges(data)
    theirs: dict[tuple[str, str], Span] = {}
    for row in _rows(states_file):
        start, end = int(row["styear"]), int(row["endyear"])
        if end < since:
            continue
        code = int(row["ccode"])
        pieces = [
            (max(start, first), min(end, last), nation)
            for first, last, nation in ranges.get(code, [])
            if first <= end and last >= start
        ] or [(start, end, f"ccode {code}")]
        for first, last, nation in pieces:
            if last >= since:
                _merge(theirs, ("state", nation), Span(first, None if last >= 2016 else last))
    ours: dict[tuple[str, str], Span] = {}
    for row in _rows(data / "nations.csv"):
        span = Span(_year(row["start"]), _year(row["end"]))
        if span.end is None or span.end >= since:
            ours["state", row["id"]] = span
    return compare("states", "cow-states", ours, theirs, 2016)


def isaf(data: Path, placemats_file: Path) -> Agreement:
    """ISAF contributors in the curated data against the nations on the placemats."""
    nation = cow_nation(data)
    theirs: dict[tuple[str, str], Span] = {}
    for row in _rows(placemats_file):
        year = int(row["year"])
        if not row["ccode"]:
            # the one row name without a COW code: Montenegro as the placemats' transcript
            # names it (see scripts/derive_isaf_participations.py)
            member = "MNE" if "Serbia-Montenegro" in row["country"] else row["country"]
        else:
            member = nation(int(row["ccode"]), year) or f"ccode {row['ccode']}"
        _merge(theirs, ("ISAF", member), Span(year, year))
    ours: dict[tuple[str, str], Span] = {}
    for path in sorted(data.glob("participations*.csv")):
        for row in _rows(path):
            if row["operation"] == "ISAF":
                ours["ISAF", row["nation"]] = Span(None, None)
    result = compare("isaf", "isaf-placemats", ours, theirs, 2014)
    # the placemats are snapshots 2007-2014: only membership of the list is compared
    result.same_start = result.same_end = result.both
    result.differences = [d for d in result.differences if d.difference.startswith("only")]
    return result


def explained(data: Path) -> dict[tuple[str, str, str, str, str], str]:
    """The explained differences of ``data/checks/differences.csv``, by key."""
    path = data / DIFFERENCES_FILE
    if not path.exists():
        return {}
    result = {}
    for row in _rows(path):
        key = tuple(row[c] for c in DIFFERENCE_COLUMNS[:-1])
        result[key] = row["explanation"]  # type: ignore[index]
    return result  # type: ignore[return-value]


def unexplained(data: Path, results: Iterable[Agreement]) -> list[Difference]:
    """Differences found that ``data/checks/differences.csv`` does not explain."""
    known = explained(data)
    return [d for r in results for d in r.differences if d.key not in known]


def stale(data: Path, results: Iterable[Agreement]) -> list[tuple[str, ...]]:
    """Explanations of differences that no longer occur (checks that ran only)."""
    results = list(results)
    ran = {(r.check, r.dataset) for r in results}
    found = {d.key for r in results for d in r.differences}
    return [k for k in explained(data) if (k[0], k[1]) in ran and k not in found]
