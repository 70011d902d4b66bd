"""Dates at the precision a source gives them (day, month or year).

A start known only to the month or year is stored as that period's first day, an end as
its last day, so the stored interval is the widest the source allows; the precision is
kept beside it. ``as_of`` and ``holds_in`` are the two query modes of DESIGN.md.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

#: Years coopgraph accepts: the modern state system (COW starts in 1816) to the near future.
MIN_YEAR = 1800
MAX_YEAR = 2100


@dataclass(frozen=True)
class FuzzyDate:
    """A date written as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""

    text: str
    precision: str  # "day", "month" or "year"
    first: dt.date  # first day the text can mean
    last: dt.date  # last day the text can mean


@functools.lru_cache(maxsize=8192)
def parse(text: str) -> FuzzyDate:
    """Parse a date at its precision; raise ValueError with a readable reason. The
    results are kept (the same dates recur on thousands of rows; a FuzzyDate is frozen).

    >>> parse("1961").precision, parse("1961").first, parse("1961").last
    ('year', datetime.date(1961, 1, 1), datetime.date(1961, 12, 31))
    >>> parse("1999-03-12").first
    datetime.date(1999, 3, 12)
    """
    match = _DATE.match(text.strip())
    if not match:
        raise ValueError(f"'{text}' is not a date (write YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(g) if g else None for g in match.groups())
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} in '{text}' is outside {MIN_YEAR}-{MAX_YEAR}")
    try:
        if month is None:
            return FuzzyDate(text, "year", dt.date(year, 1, 1), dt.date(year, 12, 31))
        if day is None:
            import calendar  # here: every command imports this module, few parse a month

            last = calendar.monthrange(year, month)[1]
            return FuzzyDate(text, "month", dt.date(year, month, 1), dt.date(year, month, last))
        day_ = dt.date(year, month, day)
    except ValueError as error:
        raise ValueError(f"'{text}' is not a calendar date ({error})") from None
    return FuzzyDate(text, "day", day_, day_)


def check_year(year: int) -> int:
    """Return ``year`` if coopgraph can hold facts for it, else raise ValueError."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} is outside {MIN_YEAR}-{MAX_YEAR}")
    return year


def as_of(start: dt.date | None, end: dt.date | None, day: dt.date) -> bool:
    """True when a fact from ``start`` to ``end`` (either open) holds on ``day``.

    >>> as_of(dt.date(1999, 3, 12), None, dt.date(1999, 3, 12))
    True
    >>> as_of(dt.date(1955, 5, 14), dt.date(1968, 9, 13), dt.date(1970, 1, 1))
    False
    """
    return (start is None or start <= day) and (end is None or end >= day)


def holds_in(start: dt.date | int | None, end: dt.date | int | None, year: int) -> bool:
    """True when a fact from ``start`` to ``end`` holds on any day of ``year`` (DESIGN.md's
    in-year mode, the COW/ATOP dyad-year count).

    ``start`` and ``end`` are dates or years (a fact known by its years alone); None leaves
    that side open. Every "does this hold in that year" test in coopgraph is this one.

    >>> holds_in(dt.date(1955, 5, 14), dt.date(1968, 9, 13), 1968)
    True
    >>> holds_in(dt.date(1955, 5, 14), dt.date(1991, 7, 1), 1992), holds_in(1999, None, 2024)
    (False, True)
    """
    first = start.year if isinstance(start, dt.date) else start
    last = end.year if isinstance(end, dt.date) else end
    return (first is None or first <= year) and (last is None or last >= year)
