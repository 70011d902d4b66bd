"""The curated facts in data/: CSV rows to N-Quads in the ``curated`` named graph.

The format of every file is documented in docs/data-format.md. Each row is checked as it
is read (known ids, dates, controlled values, one fact per key); the first problem raises
a ``CoopgraphError`` naming ``file:line``, so nothing half-read is ever stored.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import SimpleNamespace

from coopgraph import dates, ids
from coopgraph import ntriples as nt
from coopgraph.errors import CoopgraphError
from coopgraph.namespace import CG as _CG
from coopgraph.namespace import PREFIXES
from coopgraph.paths import shown
from coopgraph.sources import FileRecord, SourceResult, register

#: The vocabulary's IRIs as plain strings: an attribute of rdflib's DefinedNamespace costs
#: a microsecond to look up, and a build looks up 220,000.
CG = SimpleNamespace(**{name: str(getattr(_CG, name)) for name in _CG.__annotations__})
RDFS_LABEL = PREFIXES["rdfs"] + "label"
SKOS = PREFIXES["skos"]
DCT = PREFIXES["dcterms"]
ORG = PREFIXES["org"]
PROV = PREFIXES["prov"]
WD = PREFIXES["wd"]
GEO = PREFIXES["geo"]

COMMITMENTS = {
    "defence": CG.DefencePact,
    "neutrality": CG.NeutralityPact,
    "entente": CG.Entente,
    "collective-security": CG.CollectiveSecurity,
}
STATUSES = {
    "outside-integrated-command": CG.OutsideIntegratedCommand,
    "not-participating": CG.NotParticipating,
    "obligations-suspended": CG.ObligationsSuspended,
}
OPERATION_KINDS = {
    "combat": CG.Combat,
    "peacekeeping": CG.Peacekeeping,
    "humanitarian": CG.Humanitarian,
    "training": CG.TrainingMission,
}
ROLES = {"lead": CG.LeadNation, "contributor": CG.Contributor, "support": CG.Supporter}
AID_TYPES = {
    "financing": CG.Financing,
    "training": CG.Training,
    "equipment": CG.Equipment,
    "arms-transfer": CG.ArmsTransfer,
    "peacekeeping": CG.PeacekeepingAid,
    "threat-reduction": CG.ThreatReduction,
    "counter-drug": CG.CounterDrug,
    "security-forces": CG.SecurityForces,
    "military-assistance": CG.MilitaryAssistance,
    "humanitarian": CG.HumanitarianAid,
}
UNITS = {"USD": CG.USD, "USD-2020": CG.USD2020, "EUR": CG.EUR, "SIPRI-TIV": CG.SipriTIV}
FIGURES = {
    "obligation": CG.Obligation,
    "commitment": CG.CommitmentFigure,
    "allocation": CG.Allocation,
    "deal-value": CG.DealValue,
    "delivery": CG.Delivery,
}
#: A US fiscal year as the Greenbook writes it; 1976TQ is the transition quarter.
_FISCAL_YEAR = re.compile(r"^[0-9]{4}(TQ)?$")
PRECISIONS = {"day": CG.Day, "month": CG.Month, "year": CG.Year}
SCHEMES = {"iso3166-1", "iso3166-3", "cow", "cow-abb", "wikidata", "name"}
#: Identifiers of an alliance in the field's datasets: ATOP's atopid and COW Formal
#: Alliances' version4id.
ORGANISATION_SCHEMES = {"atop": CG.atopId, "cow-alliance": CG.cowAllianceId}

#: Each file (or family of files, by prefix) and the columns it must have, in order.
COLUMNS: dict[str, list[str]] = {
    "sources": ["id", "publisher", "title", "year", "url"],
    "nations": ["id", "label", "start", "end", "source"],
    "crosswalk": ["nation", "scheme", "code", "start_year", "end_year", "source"],
    "capitals": ["nation", "capital", "lat", "lon", "start_year", "end_year", "source"],
    "organisations": ["id", "label", "commitment", "start", "end", "source", "note"],
    "organisation-codes": ["organisation", "scheme", "code", "source", "note"],
    "memberships": ["organisation", "nation", "start", "end", "source", "note"],
    "membership-statuses": [
        "organisation", "nation", "status", "start", "end", "source", "note",
    ],
    "operations": ["id", "label", "kind", "place", "led_by", "start", "end", "source", "note"],
    "participations": [
        "operation", "nation", "role", "start", "end", "peak_troops", "peak_troops_date",
        "source", "note",
    ],
    "aid": [
        "donor", "recipient", "start", "end", "fiscal_year", "type", "programme", "amount",
        "unit", "figure", "estimate", "source", "note",
    ],
}  # fmt: skip

#: The families that describe states and sources (the ``nations`` graph).
IDENTITY = frozenset({"sources", "nations", "crosswalk", "capitals"})

#: The order files are read in: later files refer to ids defined by earlier ones.
ORDER = list(COLUMNS)
#: Lines per piece handed to a ``read`` sink: about 17 MB of the bundled data's N-Quads, so
#: a build loads its 221,000 lines in four pieces (each bulk load has a fixed cost of about
#: 0.1 s, and a piece is in memory twice while it loads: as text and in the loader).
PIECE_LINES = 60_000


@dataclass
class Row:
    """One CSV row with its location, for error messages."""

    path: Path
    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column]

    def fail(self, message: str) -> CoopgraphError:
        return CoopgraphError(message, path=shown(self.path), line=self.line)


def family(path: Path) -> str | None:
    """The file family of ``path``: ``aid-us-greenbook.csv`` belongs to ``aid``."""
    stem = path.stem
    for name in sorted(COLUMNS, key=len, reverse=True):
        if stem == name or stem.startswith(name + "-"):
            return name
    return None


def read_rows(path: Path, columns: list[str]) -> Iterator[Row]:
    """Rows of one CSV file, checked for the expected header and field count."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as error:
        raise CoopgraphError(f"cannot read file: {error.strerror}", path=shown(path)) from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header != columns:
                raise CoopgraphError(
                    f"header must be {','.join(columns)} (found {','.join(header or [])})",
                    path=shown(path),
                    line=1,
                )
            for values in reader:
                line = reader.line_num
                if not values:
                    continue
                if len(values) != len(columns):
                    raise CoopgraphError(
                        f"expected {len(columns)} fields, found {len(values)}",
                        path=shown(path),
                        line=line,
                    )
                yield Row(path, line, {c: v.strip() for c, v in zip(columns, values, strict=False)})
        except UnicodeDecodeError as error:
            raise CoopgraphError(
                f"not UTF-8 text ({error.reason})", path=shown(path), line=reader.line_num + 1
            ) from None
        except csv.Error as error:
            raise CoopgraphError(str(error), path=shown(path), line=reader.line_num) from None


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as error:  # unreadable: no permission, a directory, an I/O error
        raise CoopgraphError(f"cannot read file: {error.strerror}", path=shown(path)) from None
    return digest.hexdigest()


class _Writer:
    """Collects N-Quads lines for one graph (``graph``, which the reader may change).

    IRIs are checked and written (``nt.iri``) once, not on every line: a fact's subject
    recurs on its consecutive lines (the last one is kept), predicates and link targets
    (classes, states, sources: a few thousand short strings) on many lines."""

    def __init__(self, graph: str):
        self.lines: list[str] = []
        #: Lines written per graph, those still in ``lines`` not yet counted.
        self.triples: Counter[str] = Counter()
        self._terms: dict[str, str] = {}
        self._subject = self._subject_term = ""
        self._counted = 0
        self._graph = graph
        self.graph = graph

    @property
    def graph(self) -> str:
        return self._graph

    @graph.setter
    def graph(self, graph: str) -> None:
        self._tally()
        self._graph = graph
        self._end = f" {nt.iri(graph)} .\n"

    def _tally(self) -> None:
        self.triples[self._graph] += len(self.lines) - self._counted
        self._counted = len(self.lines)

    def take(self) -> str:
        """The lines written since the last ``take``, as one text; they are let go."""
        self._tally()
        text = "".join(self.lines)
        self.lines.clear()
        self._counted = 0
        return text

    def _iri(self, value: str) -> str:
        term = self._terms.get(value)
        if term is None:
            term = self._terms[value] = nt.iri(value)
        return term

    def add(self, subject: str, predicate: str, obj: str) -> None:
        if subject != self._subject:
            self._subject, self._subject_term = subject, nt.iri(subject)
        self.lines.append(f"{self._subject_term} {self._iri(predicate)} {obj}{self._end}")

    def link(self, subject: str, predicate: str, target: str) -> None:
        self.add(subject, predicate, self._iri(target))

    def text(self, subject: str, predicate: str, value: str, lang: str | None = None) -> None:
        if value:
            self.add(subject, predicate, nt.literal(value, lang=lang))

    def interval(self, subject: str, row: Row, start_col: str = "start", end_col: str = "end"):
        """Start and end dates with their precision; returns (first, last) days."""
        start = end = None
        if row[start_col]:
            start = _date(row, start_col)
            self.add(subject, CG.startDate, nt.date(start.first))
            self.link(subject, CG.startPrecision, PRECISIONS[start.precision])
        if row[end_col]:
            end = _date(row, end_col)
            self.add(subject, CG.endDate, nt.date(end.last))
            self.link(subject, CG.endPrecision, PRECISIONS[end.precision])
        if start and end and start.first > end.last:
            raise row.fail(f"start {start.text} is after end {end.text}")
        return (start.first if start else None, end.last if end else None)


def _date(row: Row, column: str) -> dates.FuzzyDate:
    try:
        return dates.parse(row[column])
    except ValueError as error:
        raise row.fail(f"{column}: {error}") from None


def _years(row: Row) -> dict[str, int]:
    """The ``start_year`` and ``end_year`` of a row that has them, checked, in order."""
    years = {}
    for column in ("start_year", "end_year"):
        if row[column]:
            if not (row[column].isascii() and row[column].isdigit()):
                raise row.fail(f"{column}: '{row[column]}' is not a year")
            try:
                years[column] = dates.check_year(int(row[column]))
            except ValueError as error:
                raise row.fail(f"{column}: {error}") from None
    if len(years) == 2 and years["start_year"] > years["end_year"]:
        raise row.fail(f"start_year {years['start_year']} is after end_year {years['end_year']}")
    return years


def _choice(row: Row, column: str, allowed: dict[str, str]) -> str:
    value = row[column]
    if value not in allowed:
        raise row.fail(f"{column}: unknown value '{value}' (one of: {', '.join(allowed)})")
    return allowed[value]


class _Curated:
    """Reads every CSV file of a data folder into the ``curated`` graph."""

    def __init__(self, graph: str):
        self.out = _Writer(graph)
        self.sources: set[str] = set()
        self.nations: set[str] = set()
        self.organisations: set[str] = set()
        self.operations: set[str] = set()
        self.memberships: dict[tuple[str, str], list[tuple[str, object, object]]] = {}
        self.keys: dict[tuple, Row] = {}

    # -- helpers ------------------------------------------------------------------------
    def _unique(self, row: Row, kind: str, *key: str) -> None:
        previous = self.keys.get((kind, *key))
        if previous is not None:
            raise row.fail(
                f"duplicate {kind} {'/'.join(key)} (first at {shown(previous.path)}:"
                f"{previous.line})"
            )
        self.keys[(kind, *key)] = row

    def _id(self, row: Row, column: str) -> str:
        value = row[column]
        if not ids.is_slug(value):
            raise row.fail(f"{column}: '{value}' is not an id (letters, digits and '-')")
        return value

    def _ref(self, row: Row, column: str, known: set[str], what: str, file: str) -> str:
        value = row[column]
        if value not in known:
            raise row.fail(f"{column}: unknown {what} '{value}' (not in data/{file}.csv)")
        return value

    def _source(self, row: Row, subject: str) -> None:
        slug = self._ref(row, "source", self.sources, "source", "sources")
        self.out.link(subject, DCT + "source", ids.source(slug))

    def _nation(self, row: Row, column: str) -> str:
        return ids.nation(self._ref(row, column, self.nations, "nation", "nations"))

    # -- one method per file family -------------------------------------------------------
    def sources_(self, row: Row) -> None:
        slug = self._id(row, "id")
        self._unique(row, "source", slug)
        if not row["title"] or not row["publisher"]:
            raise row.fail("a source needs a publisher and a title")
        if not row["url"].startswith(("http://", "https://")):
            raise row.fail(f"url: '{row['url']}' is not an http(s) URL")
        if row["year"]:
            _date(row, "year")
        s = ids.source(slug)
        self.out.link(s, nt.RDF_TYPE, CG.Source)
        self.out.link(s, nt.RDF_TYPE, PROV + "Entity")
        self.out.text(s, DCT + "title", row["title"])
        self.out.text(s, DCT + "publisher", row["publisher"])
        if row["year"]:
            self.out.add(s, DCT + "issued", nt.literal(row["year"], datatype=nt.XSD + "gYear"))
        try:
            self.out.link(s, CG.url, row["url"])
        except ValueError:
            raise row.fail(f"url: '{row['url']}' is not a valid IRI") from None
        self.sources.add(slug)

    def nations_(self, row: Row) -> None:
        code = self._id(row, "id")
        self._unique(row, "nation", code)
        if not row["label"]:
            raise row.fail("a nation needs a label")
        n = ids.nation(code)
        self.out.link(n, nt.RDF_TYPE, CG.State)
        self.out.link(n, nt.RDF_TYPE, CG.Nation)
        self.out.text(n, RDFS_LABEL, row["label"], lang="en")
        self.out.text(n, SKOS + "prefLabel", row["label"], lang="en")
        self.out.text(n, SKOS + "notation", code)  # the coopgraph id: ISO alpha-3 or former
        self.out.interval(n, row)
        self._source(row, n)
        self.nations.add(code)

    def crosswalk_(self, row: Row) -> None:
        n = self._nation(row, "nation")
        scheme, code = row["scheme"], row["code"]
        if scheme not in SCHEMES:
            raise row.fail(f"scheme: unknown value '{scheme}' (one of: {', '.join(SCHEMES)})")
        if not code:
            raise row.fail("code is empty")
        self._unique(row, "crosswalk", row["nation"], scheme, code, row["start_year"])
        self._ref(row, "source", self.sources, "source", "sources")
        _years(row)
        if scheme == "iso3166-1":
            self.out.text(n, CG.iso3166Alpha3, code)
        elif scheme == "iso3166-3":
            self.out.text(n, CG.iso3166Part3, code)
        elif scheme == "cow-abb":
            self.out.text(n, CG.cowAbbreviation, code)
        elif scheme == "wikidata":
            if not (code.startswith("Q") and code[1:].isascii() and code[1:].isdigit()):
                raise row.fail(f"code: '{code}' is not a Wikidata Q-id")
            self.out.link(n, CG.wikidata, WD + code)
        elif scheme == "name":
            self.out.text(n, SKOS + "altLabel", code)
            if row["start_year"] or row["end_year"]:
                # a name other datasets use for this state only in some years ("Vietnam"
                # for South Vietnam to 1975): importers resolve it by year
                a = ids.fact("name", row["nation"], code, row["start_year"])
                self.out.link(n, CG.nameUsed, a)
                self.out.link(a, nt.RDF_TYPE, CG.NameAssignment)
                self.out.text(a, CG.name, code)
                if row["start_year"]:
                    self.out.add(a, CG.fromYear, nt.integer(int(row["start_year"])))
                if row["end_year"]:
                    self.out.add(a, CG.toYear, nt.integer(int(row["end_year"])))
                self.out.link(a, DCT + "source", ids.source(row["source"]))
        else:  # cow
            if not (code.isascii() and code.isdigit()):
                raise row.fail(f"code: COW code '{code}' is not a number")
            a = ids.fact("cow-code", row["nation"], code, row["start_year"])
            self.out.link(n, CG.cowCode, a)
            self.out.link(a, nt.RDF_TYPE, CG.CowCodeAssignment)
            self.out.add(a, CG.code, nt.integer(int(code)))
            if row["start_year"]:
                self.out.add(a, CG.fromYear, nt.integer(int(row["start_year"])))
            if row["end_year"]:
                self.out.add(a, CG.toYear, nt.integer(int(row["end_year"])))
            self.out.link(a, DCT + "source", ids.source(row["source"]))

    def capitals_(self, row: Row) -> None:
        n = self._nation(row, "nation")
        if not row["capital"]:
            raise row.fail("capital is empty")
        self._unique(row, "capital", row["nation"], row["start_year"])
        self._ref(row, "source", self.sources, "source", "sources")
        years = _years(row)
        c = ids.fact("capital", row["nation"], row["start_year"])
        self.out.link(n, CG.capital, c)
        self.out.link(c, nt.RDF_TYPE, CG.Capital)
        self.out.text(c, RDFS_LABEL, row["capital"], lang="en")
        for column, limit, prop in (("lat", 90, "lat"), ("lon", 180, "long")):
            try:
                value = Decimal(row[column])
            except InvalidOperation:
                raise row.fail(f"{column}: '{row[column]}' is not a number") from None
            if not value.is_finite() or abs(value) > limit:
                raise row.fail(f"{column}: {row[column]} is outside -{limit}..{limit}")
            self.out.add(c, GEO + prop, nt.decimal(value))
        for column, prop in (("start_year", CG.fromYear), ("end_year", CG.toYear)):
            if column in years:
                self.out.add(c, prop, nt.integer(years[column]))
        self.out.link(c, DCT + "source", ids.source(row["source"]))

    def organisations_(self, row: Row) -> None:
        slug = self._id(row, "id")
        self._unique(row, "organisation", slug)
        o = ids.organisation(slug)
        self.out.link(o, nt.RDF_TYPE, CG.Alliance)
        self.out.link(o, nt.RDF_TYPE, ORG + "FormalOrganization")
        self.out.text(o, RDFS_LABEL, row["label"], lang="en")
        self.out.text(o, SKOS + "notation", slug)
        self.out.link(o, CG.commitment, _choice(row, "commitment", COMMITMENTS))
        self.out.interval(o, row)
        self.out.text(o, CG.note, row["note"])
        self._source(row, o)
        self.organisations.add(slug)

    def organisation_codes_(self, row: Row) -> None:
        organisation = self._ref(
            row, "organisation", self.organisations, "organisation", "organisations"
        )
        prop = _choice(row, "scheme", ORGANISATION_SCHEMES)
        if not (row["code"].isascii() and row["code"].isdigit()):
            raise row.fail(f"code: '{row['code']}' is not a number")
        self._unique(row, "organisation code", organisation, row["scheme"], row["code"])
        self._ref(row, "source", self.sources, "source", "sources")
        self.out.add(ids.organisation(organisation), prop, nt.integer(int(row["code"])))

    def memberships_(self, row: Row) -> None:
        org = self._ref(row, "organisation", self.organisations, "organisation", "organisations")
        nation = self._ref(row, "nation", self.nations, "nation", "nations")
        if not row["start"]:
            raise row.fail("a membership needs a start date")
        self._unique(row, "membership", org, nation, row["start"])
        m = ids.fact("membership", org, nation, row["start"])
        self.out.link(m, nt.RDF_TYPE, CG.Membership)
        self.out.link(m, nt.RDF_TYPE, ORG + "Membership")
        self.out.link(m, ORG + "member", ids.nation(nation))
        self.out.link(m, ORG + "organization", ids.organisation(org))
        first, last = self.out.interval(m, row)
        self.out.text(m, CG.note, row["note"])
        self._source(row, m)
        self.memberships.setdefault((org, nation), []).append((m, first, last))

    def membership_statuses_(self, row: Row) -> None:
        org = self._ref(row, "organisation", self.organisations, "organisation", "organisations")
        nation = self._ref(row, "nation", self.nations, "nation", "nations")
        if not row["start"]:
            raise row.fail("a status period needs a start date")
        self._unique(row, "status", org, nation, row["start"])
        s = ids.fact("status", org, nation, row["start"])
        first, _ = self.out.interval(s, row)
        owner = next(
            (
                m
                for m, start, end in self.memberships.get((org, nation), [])
                if dates.as_of(start, end, first)
            ),
            None,
        )
        if owner is None:
            raise row.fail(f"{nation} is not a member of {org} on {row['start']}")
        self.out.link(s, nt.RDF_TYPE, CG.MembershipStatus)
        self.out.link(s, CG.ofMembership, owner)
        self.out.link(s, ORG + "member", ids.nation(nation))
        self.out.link(s, ORG + "organization", ids.organisation(org))
        self.out.link(s, CG.status, _choice(row, "status", STATUSES))
        self.out.text(s, CG.note, row["note"])
        self._source(row, s)

    def operations_(self, row: Row) -> None:
        slug = self._id(row, "id")
        self._unique(row, "operation", slug)
        o = ids.operation(slug)
        self.out.link(o, nt.RDF_TYPE, CG.Operation)
        self.out.text(o, RDFS_LABEL, row["label"], lang="en")
        self.out.text(o, SKOS + "notation", slug)
        self.out.link(o, CG.operationKind, _choice(row, "kind", OPERATION_KINDS))
        for place in filter(None, (p.strip() for p in row["place"].split(";"))):
            if place not in self.nations:
                raise row.fail(f"place: unknown nation '{place}' (not in data/nations.csv)")
            self.out.link(o, CG.place, ids.nation(place))
        leader = row["led_by"]
        if leader in self.organisations:
            self.out.link(o, CG.ledBy, ids.organisation(leader))
        elif leader in self.nations:
            self.out.link(o, CG.ledBy, ids.nation(leader))
        elif leader:
            raise row.fail(f"led_by: unknown organisation or nation '{leader}'")
        self.out.interval(o, row)
        self.out.text(o, CG.note, row["note"])
        self._source(row, o)
        self.operations.add(slug)

    def participations_(self, row: Row) -> None:
        op = self._ref(row, "operation", self.operations, "operation", "operations")
        nation = self._ref(row, "nation", self.nations, "nation", "nations")
        self._unique(row, "participation", op, nation, row["start"])
        p = ids.fact("participation", op, nation, row["start"])
        self.out.link(p, nt.RDF_TYPE, CG.Participation)
        self.out.link(p, CG.operation, ids.operation(op))
        self.out.link(p, CG.participant, ids.nation(nation))
        self.out.link(p, CG.role, _choice(row, "role", ROLES))
        self.out.interval(p, row)
        if row["peak_troops"]:
            if not (row["peak_troops"].isascii() and row["peak_troops"].isdigit()):
                raise row.fail(f"peak_troops: '{row['peak_troops']}' is not a whole number")
            self.out.add(p, CG.peakTroops, nt.integer(int(row["peak_troops"])))
        if row["peak_troops_date"]:
            self.out.add(p, CG.peakTroopsDate, nt.date(_date(row, "peak_troops_date").first))
        self.out.text(p, CG.note, row["note"])
        self._source(row, p)

    def aid_(self, row: Row) -> None:
        donor = self._nation(row, "donor")
        recipient = self._nation(row, "recipient")
        if donor == recipient:
            raise row.fail("donor and recipient are the same nation")
        if not row["start"]:
            raise row.fail("an aid flow needs a start date")
        key = (row["donor"], row["recipient"], row["start"], row["type"], row["programme"])
        self._unique(row, "aid flow", *key)
        a = ids.fact("aid", *key)
        self.out.link(a, nt.RDF_TYPE, CG.AidFlow)
        self.out.link(a, CG.donor, donor)
        self.out.link(a, CG.recipient, recipient)
        self.out.interval(a, row)
        if row["fiscal_year"]:  # project.flow_years reads its year from the first 4 characters
            if not _FISCAL_YEAR.match(row["fiscal_year"]):
                raise row.fail(
                    f"fiscal_year: '{row['fiscal_year']}' is not a fiscal year (YYYY or 1976TQ)"
                )
            try:
                dates.check_year(int(row["fiscal_year"][:4]))
            except ValueError as error:
                raise row.fail(f"fiscal_year: {error}") from None
        self.out.text(a, CG.fiscalYear, row["fiscal_year"])
        self.out.link(a, CG.aidType, _choice(row, "type", AID_TYPES))
        self.out.text(a, CG.programme, row["programme"])
        if row["amount"]:
            try:
                amount = Decimal(row["amount"])
            except InvalidOperation:
                raise row.fail(f"amount: '{row['amount']}' is not a number") from None
            if not amount.is_finite() or amount < 0:
                raise row.fail(f"amount: {row['amount']} must be a non-negative number")
            self.out.add(a, CG.amount, nt.decimal(amount))
            self.out.link(a, CG.unit, _choice(row, "unit", UNITS))
        elif row["unit"]:
            raise row.fail("unit given without an amount")
        if row["figure"]:
            self.out.link(a, CG.figure, _choice(row, "figure", FIGURES))
        if row["estimate"] not in ("", "true", "false"):
            raise row.fail(f"estimate: '{row['estimate']}' must be true, false or empty")
        if row["estimate"]:
            self.out.add(a, CG.estimate, nt.boolean(row["estimate"] == "true"))
        self.out.text(a, CG.note, row["note"])
        self._source(row, a)


def data_files(folder: Path) -> list[tuple[str, Path]]:
    """The CSV files of ``folder`` in reading order, each with its family.

    A CSV file whose name belongs to no family is an error, so a misnamed file is never
    silently skipped.
    """
    if not folder.is_dir():
        raise CoopgraphError("no such data folder", path=shown(folder))
    files = []
    for path in sorted(folder.glob("*.csv")):
        kind = family(path)
        if kind is None:
            raise CoopgraphError(
                f"unknown data file (expected one of: {', '.join(ORDER)})", path=shown(path)
            )
        files.append((kind, path))
    return sorted(files, key=lambda item: (ORDER.index(item[0]), item[1].name))


@register("curated")
class CuratedSource:
    """The project's own facts: data/*.csv."""

    name = "curated"
    title = "coopgraph curated facts"

    def read(
        self,
        paths: list[Path],
        *,
        sink: Callable[[str], None] | None = None,
        piece_lines: int = PIECE_LINES,
    ) -> SourceResult:
        """Read every CSV file of the data folder(s) ``paths`` into N-Quads.

        States, their codes, names and capitals, and the sources go to the ``nations``
        graph; every other fact to ``curated``. A query or metric restricted to one
        imported dataset still sees the ``nations`` graph: it is what every source's
        facts point at.

        With a ``sink``, the N-Quads go to it in pieces of about ``piece_lines`` lines
        as they are made (a build loads each piece while the next is read), and the
        result's ``nquads`` is empty; without, they are the result's ``nquads``.
        """
        graph = ids.graph(self.name)
        state = _Curated(graph)
        records = []
        for folder in paths:
            for kind, path in data_files(folder):
                state.out.graph = ids.graph("nations") if kind in IDENTITY else graph
                record = FileRecord(path=path, sha256=sha256(path), graph=state.out.graph)
                handler = getattr(state, kind.replace("-", "_") + "_")
                for row in read_rows(path, COLUMNS[kind]):
                    record.rows_read += 1
                    handler(row)
                    record.rows_imported += 1
                    if sink is not None and len(state.out.lines) >= piece_lines:
                        sink(state.out.take())
                records.append(record)
        text = state.out.take()
        if sink is not None:
            sink(text)
            text = ""
        return SourceResult(
            self.name,
            graph,
            self.title,
            text,
            records,
            other_graphs={
                ids.graph("nations"): "coopgraph states, their codes and names, and sources"
            },
            triples=dict(state.out.triples),
        )
