"""``coopgraph aidalign`` end to end: Greenbook and UN votes files imported, the command run
through the CLI, and every value checked against a computation from the files themselves.

The shipped fixture samples never hold aid and votes for one recipient in one year (aid:
Egypt 1999, South Vietnam 1970, Israel FY1976TQ, Serbia and Montenegro 2003, Jordan 2005,
Afghanistan 2011; votes: 1990 and 1992, by the USA, the USSR/Russia and the GDR), so the
test copies them and appends rows of its own: Egypt's military aid FY1997-2002 and votes of
the USA and Egypt 1994-2003, which make aid start, rise, stop and start again while both
vote. The expected table is computed from the CSV rows by the rules the command documents
(``api.aidalign``), sharing no code with it: Greenbook names resolved by a table written
here, amounts summed per fiscal year, Cohen's kappa and Scott's pi with quadratic weights
and Signorino and Ritter's S by hand.
"""

from __future__ import annotations

import csv
import io
import random
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopgraph import api
from coopgraph.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
GREENBOOK = "us_foreignaid_greenbook_data.csv"
FIRST, LAST = 1968, 2012
#: Years before and after an event over which kappa is averaged (api.aidalign's docstring).
EVENT_YEARS = 3
COLUMNS = [
    "donor", "recipient", "recipient_name", "year", "ccode1", "ccode2", "aid", "unit",
    "aid_constant_2020", "donor_share", "votes", "s", "kappa", "pi", "event", "kappa_before",
    "kappa_after", "kappa_change",
]  # fmt: skip

#: (fiscal year, account group, account, current USD, constant 2020 USD) of Egypt, added to
#: the Greenbook sample: 1997 start, 1998 rise (x2.5), 1999 the sample's 1.3 bn (rise),
#: 2000 economic aid only (stop), 2001 start again, 2002 two accounts, 700 M (< x2: none),
#: 2003 none (stop).
EGYPT_AID = [
    ("1997", "Military", "Foreign Military Financing", "Foreign Military Financing Program",
     100_000_000, 160_000_000),
    ("1998", "Military", "Foreign Military Financing", "Foreign Military Financing Program",
     250_000_000, 390_000_000),
    ("2000", "Economic", "Economic Support Fund", "Economic Support Fund",
     500_000_000, 760_000_000),
    ("2001", "Military", "Foreign Military Financing", "Foreign Military Financing Program",
     400_000_000, 590_000_000),
    ("2002", "Military", "Foreign Military Financing", "Foreign Military Financing Program",
     450_000_000, 650_000_000),
    ("2002", "Military", "Other Military Assistance", "Excess Defense Articles",
     250_000_000, 360_000_000),
]  # fmt: skip
#: Greenbook country -> coopgraph state, by hand (None: not a state, or no state).
GREENBOOK_STATES = {
    "Egypt": "EGY",
    "Israel": "ISR",
    "Jordan": "JOR",
    "Afghanistan": "AFG",
    "Vietnam": "RVN",  # the sample's row is FY1970: South Vietnam
    "Serbia and Montenegro, Former": "SCG",  # FY2003: the state at the year's end
    "Asia (not specified)": None,
    "Atlantis": None,
}
#: Greenbook programme groups coopgraph maps to an aid type ("Secret Programmes" is not).
PROGRAMMES = {
    "Foreign Military Financing",
    "International Military Education and Training",
    "Other Military Assistance",
}
#: UN vote codes -> ordered positions (yes, abstain, no); 8 absent and 9 non-member hold none.
POSITIONS = {"1": 0, "2": 1, "3": 2}


def _state_of_ccode(code: str, year: int) -> str | None:
    """The COW codes of the vote rows, by hand: 365 is the USSR to 1991, Russia after."""
    if code == "365":
        return "SUN" if year < 1991 else "RUS"
    return {"2": "USA", "651": "EGY", "265": "DDR", "255": "DEU"}.get(code)


def _write_inputs(folder: Path) -> tuple[Path, list[Path]]:
    """The fixture samples copied into ``folder`` with the rows of this test appended."""
    folder.mkdir()
    greenbook = folder / GREENBOOK
    shutil.copy(FIXTURES / "greenbook" / GREENBOOK, greenbook)
    with greenbook.open("a", newline="") as out:
        writer = csv.writer(out)
        for year, category, group, account, amount, constant in EGYPT_AID:
            writer.writerow(
                [year, "Middle East and North Africa", "Egypt", category, group,
                 "Department of State", account, amount, constant]
            )  # fmt: skip
    votes, rollcalls = folder / "votes.csv", folder / "rollcalls.csv"
    shutil.copy(FIXTURES / "unvotes" / "votes.csv", votes)
    shutil.copy(FIXTURES / "unvotes" / "rollcalls.csv", rollcalls)
    choices = random.Random(19)
    with votes.open("a", newline="") as v, rollcalls.open("a", newline="") as r:
        for year in range(1994, 2004):
            for k in range(4):
                rcid = 1000 + 10 * (year - 1994) + k
                csv.writer(r).writerow(
                    [rcid, year - 1945, year, f"{year}-11-{k + 10}", f"R/{year - 1945}/{k}", 0,
                     0, 0, 0, 0, 0, 0]
                )  # fmt: skip
                for ccode in ("2", "651"):
                    csv.writer(v).writerow([rcid, ccode, choices.choice("1112238")])
    return greenbook, [votes, rollcalls]


def _expected_aid(greenbook: Path) -> tuple[dict, dict]:
    """(recipient, year) -> current and constant USD summed over the Military rows."""
    aid: dict[tuple[str, int], float] = defaultdict(float)
    constant: dict[tuple[str, int], float] = defaultdict(float)
    with greenbook.open(newline="") as rows:
        for row in csv.DictReader(rows):
            state = GREENBOOK_STATES[row["Country"]]
            if row["Assistance Category"] != "Military" or state is None:
                continue
            if row["Publication Row"] not in PROGRAMMES:
                continue  # rejected by the import
            if row["Fiscal Year"] == "1976.9":
                continue  # the transition quarter: see test_transition_quarter_aid_counts
            key = (state, int(row["Fiscal Year"]))
            aid[key] += int(row["Obligations (Historical Dollars)"])
            constant[key] += int(row["Obligations (Constant Dollars)"])
    return dict(aid), dict(constant)


def _expected_votes(votes: Path, rollcalls: Path) -> dict[int, dict[str, dict[str, int]]]:
    """year -> state -> {rcid: position} from the CSV rows (unknown roll calls, states and
    codes, and malformed rows, left out as the import rejects them)."""
    with rollcalls.open(newline="") as rows:
        year_of = {row["rcid"]: int(row["year"]) for row in csv.DictReader(rows)}
    cast: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    with votes.open(newline="") as rows:
        for row in csv.reader(rows):
            if len(row) != 3 or row[0] not in year_of or row[2] not in POSITIONS:
                continue
            year = year_of[row[0]]
            state = _state_of_ccode(row[1], year)
            if state is not None:
                cast[year][state][row[0]] = POSITIONS[row[2]]
    return cast


def _agreement(a: list[int], b: list[int]) -> dict[str, float | None]:
    """S (absolute distances, d_max 2), Cohen's kappa and Scott's pi with quadratic weights
    of two equally long position lists (Signorino and Ritter 1999; Häge 2011)."""
    n = len(a)
    if n == 0:
        return {"s": None, "kappa": None, "pi": None}
    s = 1 - 2 * sum(abs(x - y) / 2 for x, y in zip(a, b, strict=True)) / n
    observed = sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) / n
    chance = sum((x - y) ** 2 for x in a for y in b) / n**2
    pooled = a + b
    chance_pooled = sum((x - y) ** 2 for x in pooled for y in pooled) / (2 * n) ** 2
    return {
        "s": s,
        "kappa": 1 - observed / chance if chance else None,
        "pi": 1 - observed / chance_pooled if chance_pooled else None,
    }


def _expected_rows(greenbook: Path, votes: Path, rollcalls: Path) -> dict[tuple[str, int], dict]:
    aid, constant = _expected_aid(greenbook)
    aid = {key: amount for key, amount in aid.items() if amount > 0}  # de-obligations: none
    alignment: dict[tuple[str, int], dict] = {}
    for year, by_state in _expected_votes(votes, rollcalls).items():
        donor = by_state.get("USA")
        for state, positions in by_state.items():
            if donor is None or state == "USA" or not positions:
                continue
            common = sorted(donor.keys() & positions.keys())
            measures = _agreement([donor[r] for r in common], [positions[r] for r in common])
            alignment[state, year] = {"votes": len(common), **measures}

    def mean_kappa(state: str, years: range) -> float | None:
        values = [alignment[state, y]["kappa"] for y in years if (state, y) in alignment]
        values = [v for v in values if v is not None]
        return sum(values) / len(values) if values else None

    rows = {}
    for state in {s for s, _ in aid} | {s for s, _ in alignment}:
        for year in range(FIRST, LAST + 1):
            now, before = aid.get((state, year), 0.0), aid.get((state, year - 1), 0.0)
            vote = alignment.get((state, year))
            if not now and vote is None:
                continue
            event = ""
            if now and not before:
                event = "start"
            elif before and not now:
                event = "stop"
            elif before and now >= 2 * before:
                event = "rise"
            row = {
                "aid": now,
                "aid_constant_2020": constant.get((state, year)) if now else None,
                "donor_share": 1.0 if now else None,  # the Greenbook has one donor
                **(vote or {"votes": None, "s": None, "kappa": None, "pi": None}),
                "event": event,
                "kappa_before": None,
                "kappa_after": None,
                "kappa_change": None,
            }
            if event:
                row["kappa_before"] = mean_kappa(state, range(year - EVENT_YEARS, year))
                row["kappa_after"] = mean_kappa(state, range(year + 1, year + EVENT_YEARS + 1))
                if row["kappa_before"] is not None and row["kappa_after"] is not None:
                    row["kappa_change"] = row["kappa_after"] - row["kappa_before"]
            rows[state, year] = row
    return rows


@pytest.fixture(scope="module")
def aid_and_votes(bundled_store, tmp_path_factory) -> tuple[Path, Path, list[Path]]:
    """A copy of the bundled store (the states every import resolves to) with the Greenbook
    and votes files of this test imported: (store, Greenbook file, votes files)."""
    folder = tmp_path_factory.mktemp("aidalign")
    root = folder / "store"
    shutil.copytree(bundled_store, root)
    greenbook, votes = _write_inputs(folder / "inputs")
    api.import_source(root, "greenbook", [greenbook])
    api.import_source(root, "unvotes", votes)
    return root, greenbook, votes


def _number(text: str) -> float | None:
    return float(text) if text else None


def test_aidalign_matches_the_files(aid_and_votes, tmp_path):
    root, greenbook, (votes, rollcalls) = aid_and_votes
    plot = tmp_path / "aid.html"
    result = CliRunner().invoke(
        main,
        ["--store", str(root), "aidalign", "--donor", "USA", "--from", str(FIRST), "--to",
         str(LAST), "--sources", "greenbook", "--format", "csv", "--plot", str(plot)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(table[0]) == COLUMNS
    got = {(row["recipient"], int(row["year"])): row for row in table}
    assert len(got) == len(table)
    expected = _expected_rows(greenbook, votes, rollcalls)
    assert sorted(got) == sorted(expected)
    for key, want in expected.items():
        row = got[key]
        assert (row["donor"], row["unit"], row["ccode1"]) == ("USA", "USD", "2")
        assert row["event"] == want["event"], key
        assert _number(row["votes"]) == want["votes"], key
        for column in ("aid", "aid_constant_2020", "donor_share", "s", "kappa", "pi",
                       "kappa_before", "kappa_after", "kappa_change"):  # fmt: skip
            value = _number(row[column])  # CSV numbers are rounded to 10 decimals
            if want[column] is None:
                assert value is None, (key, column)
            else:
                assert value == pytest.approx(want[column], rel=1e-9, abs=1e-9), (key, column)
    # the file's cases are all there: each event, and a stop seen because Egypt voted
    events = {(s, y): row["event"] for (s, y), row in expected.items() if row["event"]}
    assert events == {
        ("EGY", 1997): "start", ("EGY", 1998): "rise", ("EGY", 1999): "rise",
        ("EGY", 2000): "stop", ("EGY", 2001): "start", ("EGY", 2003): "stop",
        ("RVN", 1970): "start",
        ("SCG", 2003): "start", ("AFG", 2011): "start",
    }  # fmt: skip
    assert expected["EGY", 2000]["kappa_change"] is not None
    assert ("JOR", 2005) not in expected  # a de-obligation is no aid received
    # the chart: one point per recipient with aid and a kappa in the window (Egypt), at its
    # aid summed over the window and its mean yearly kappa
    assert "wrote" in result.stderr and "(1 recipients)" in result.stderr
    egypt = [row for (state, _), row in expected.items() if state == "EGY"]
    kappas = [row["kappa"] for row in egypt if row["kappa"] is not None]
    total, mean = sum(row["aid"] for row in egypt), sum(kappas) / len(kappas)
    assert f"Egypt: {total:,.0f} USD, kappa {mean:+.3f}</title>" in plot.read_text()


@pytest.mark.xfail(
    strict=True,
    reason="known bug: the aid layer counts a fiscal-year record only in the year equal to "
    "its label (project.year_share compares '1976TQ' with '1976'), so the Greenbook's "
    "transition quarter (Israel's 150 M in the sample) is in no year",
)
def test_transition_quarter_aid_counts_in_1976(aid_and_votes):
    root, _, _ = aid_and_votes
    rows = api.aidalign(root, "USA", 1976, 1976, sources=["greenbook"])
    assert {(r["recipient"], r["aid"]) for r in rows} == {("ISR", 150_000_000.0)}
