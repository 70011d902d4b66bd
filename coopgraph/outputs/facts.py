"""The sentences of the HTML views: each fact and node of a cooperation history in words.

"Poland joined the North Atlantic Treaty Organization (NATO) on 12 March 1999." Each
function takes the row of the library query the fact came from (or the values it needs)
and returns the sentence the page shows; dates are said at the precision the source gives
them. ``project.cooperation_history`` calls these while it builds the graph, so the
wording lives here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip


def _words(day: dt.date | None, precision: str | None = "day") -> str:
    """A date in words at its precision, without a preposition ("12 March 1999",
    "March 1999", "1999"); empty when unknown."""
    if day is None:
        return ""
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{_MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def say_date(day: dt.date | None, precision: str | None = "day") -> str:
    """A date as a sentence says it, at its precision ("on 12 March 1999", "in March 1999",
    "in 1999"); empty when unknown.

    >>> say_date(dt.date(1999, 3, 12)), say_date(dt.date(2001, 10, 1), "month")
    ('on 12 March 1999', 'in October 2001')
    >>> say_date(dt.date(1949, 12, 31), "year")
    'in 1949'
    """
    if day is None:
        return ""
    return f"{'in' if precision in ('year', 'month') else 'on'} {_words(day, precision)}"


def span_words(
    start: dt.date | None,
    start_precision: str | None,
    end: dt.date | None,
    end_precision: str | None,
) -> str:
    """A period in words ("from March 2001 to 31 December 2014"; "from 1999" when open).

    >>> span_words(dt.date(2001, 10, 1), "month", dt.date(2014, 12, 28), "day")
    'from October 2001 to 28 December 2014'
    """
    text = f"from {_words(start, start_precision)}"
    if end is not None:
        text += f" to {_words(end, end_precision)}"
    return text


def _short(name: str, code: str) -> str:
    """An organisation's name with its id where the id adds something ("... (NATO)")."""
    return name if code.upper() in name.upper() else f"{name} ({code})"


def _when(row: Mapping[str, Any]) -> str:
    """A record's ISO dates ("from 2001-01-01 to 2001-12-31", "since 2001-01-01")."""
    first = row.get("start")
    last = row.get("end")
    if first and last:
        return f"from {first} to {last}"
    if first:
        return f"since {first}"
    return ""


def nation_detail(capital: str | None) -> str:
    """A nation node's detail line ("nation; capital Warsaw")."""
    return "nation" if capital is None else f"nation; capital {capital}"


def alliance_detail(commitment: str) -> str:
    """An alliance node's detail line ("alliance; defence commitment")."""
    return f"alliance; {commitment} commitment"


def operation_detail(kind: str, ran: str) -> str:
    """An operation node's detail line: its kind and when it ran (``span_words``)."""
    return f"{kind} operation {ran}"


def membership_fact(row: Mapping[str, Any]) -> str:
    """A membership (a ``memberships-in-span`` row) as a sentence: "Poland joined the North
    Atlantic Treaty Organization (NATO) on 12 March 1999." with its exit, partial or
    suspended status where there is one."""
    name = _short(row["alliance_name"], row["alliance_id"])
    fact = f"{row['nation']} joined the {name} {say_date(row['start'], row['start_precision'])}"
    if row["end"]:
        fact += f" and left it {say_date(row['end'], row['end_precision'])}"
    fact += "."
    if row["statuses"]:
        fact += f" Partial or suspended: {row['statuses']}."
    return fact


def participation_fact(
    row: Mapping[str, Any],
    ran: str,
    start: dt.date,
    start_precision: str,
    end: dt.date | None,
    end_precision: str,
) -> str:
    """A participation (a ``participations-in-span`` row) as a sentence: the nation, the
    operation, its role, from ``start`` to ``end`` (its own dates or the operation's; when
    it has none, when the operation ``ran``), its peak troops and the source's note."""
    name = _short(row["operation_name"], row["operation_id"])
    fact = f"{row['nation']} took part in {name} as {row['role']}"
    if row["start"] is None and row["end"] is None:
        fact += f" (the operation ran {ran})"
    else:
        fact += f" {span_words(start, start_precision, end, end_precision)}"
    if row["peak_troops"] is not None:
        fact += f"; at its peak {row['peak_troops']:,} troops"
        if row["peak_troops_date"]:
            fact += f" ({_words(row['peak_troops_date'])})"
    fact += "."
    if row["note"]:
        fact += f" {row['note']}"
    return fact


def aid_record_fact(row: Mapping[str, Any]) -> str:
    """An aid record without an amount (an ``aid-flows-in-span`` row) as a sentence: donor,
    recipient, type, programme, dates and the source's note."""
    what = row["programme"] or row["type"]
    fact = f"{row['donor_name']} to {row['recipient_name']}: {row['type']} ({what})"
    fact += f" {_when(row)}."
    if row["note"]:
        fact += f" {row['note']}"
    return fact


def aid_sum_fact(row: Mapping[str, Any]) -> str:
    """The sentence of the aid with amounts summed from a donor to a recipient."""
    return f"{row['donor_name']} gave {row['recipient_name']} military aid"
