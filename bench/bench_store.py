"""Benchmark: coopgraph's store (embedded Oxigraph on disk) beside rdflib's in-memory Dataset.

One run measures, on two datasets and for both engines:

- load: coopgraph's path is ``coopgraph.store.write`` of a new generation from empty through
  Oxigraph's bulk loader (flush, fsync and pointer switch included) followed by
  ``store.open_reader``; rdflib's is ``rdflib.Dataset(default_union=True).parse(...,
  format="nquads")``. Both read the same N-Quads file.
- three typical queries from coopgraph's library, parameters bound by coopgraph's own runner
  (``queries.bind`` and ``queries.substitute``), with the default graph as the union of the
  named graphs: Q1 members of an alliance in a year (``alliance-members-in-year``), Q2 aid
  summed per donor-recipient pair (``aid-by-pair``, 1946-2024), Q3 a two-hop question, aid
  between allies in a year (``aid-to-allies``). A latency is the query call plus reading
  every row into Python strings; the median of ``--repeat`` runs is printed.
- that both engines return the same rows (sorted tuples of strings, numbers rounded to six
  decimal places); a difference is printed loudly.

The datasets are (a) the bundled data, as ``coopgraph build`` reads it (the curated graph
plus the ontology), and (b) a seeded graph of ``--triples`` triples (default 1,000,000)
shaped like the curated graph: the package's own IRIs (``coopgraph.ids``), N-Quads writer
(``coopgraph.ntriples``), classes, properties and controlled values, with random facts.

Each engine runs in its own worker process (this file with ``--worker``), so neither pays
for the other's memory or garbage collection, each gets its own peak RSS, and a slow rdflib
query can be stopped: a load or query run longer than ``--rdflib-timeout`` (or
``--coopgraph-timeout``) seconds kills the worker and is reported as not run; the worker is
started again for the queries left. A query is repeated until ``--repeat`` runs or until its
runs took ``--budget`` seconds together, whichever comes first; the table says how many.

    python bench/bench_store.py                    # bundled data and 1M generated triples
    python bench/bench_store.py --triples 100000   # quicker

Figures are printed, never asserted: timing belongs to benchmarks, not to tests.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import datetime as dt
import json
import os
import platform
import queue
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
import rdflib

from coopgraph import build, ids, queries, store
from coopgraph import ntriples as nt
from coopgraph.namespace import CG, PREFIXES
from coopgraph.paths import ontology_dir
from coopgraph.sources.curated import (
    AID_TYPES,
    COMMITMENTS,
    FIGURES,
    OPERATION_KINDS,
    ROLES,
    UNITS,
)

RDFS_LABEL = PREFIXES["rdfs"] + "label"
SKOS = PREFIXES["skos"]
DCT = PREFIXES["dcterms"]
ORG = PREFIXES["org"]
PROV = PREFIXES["prov"]
XSD = nt.XSD
NUMERIC = {XSD + t for t in ("decimal", "integer", "double", "float", "long", "int")}

ENGINES = {"coopgraph": "coopgraph (Oxigraph)", "rdflib": "rdflib Dataset"}
#: The three queries: label, library name.
QUERIES = [
    ("Q1", "alliance-members-in-year"),
    ("Q2", "aid-by-pair"),
    ("Q3", "aid-to-allies"),
]
TITLES = {
    "Q1": "members of an alliance in a year",
    "Q2": "aid summed per donor-recipient pair",
    "Q3": "two-hop: aid between allies in a year",
}
#: Ratios the issue asks coopgraph's path to keep over rdflib (printed, not asserted).
TARGETS = {"load": 8.0, "Q2": 20.0}


# ------------------------------------------------------------------------------ datasets


@dataclass
class Dataset:
    """An N-Quads file and the parameter values its three queries run with."""

    name: str
    path: Path
    values: dict[str, dict[str, str]]
    note: str = ""


def ontology_nquads() -> str:
    """ontology/coopgraph.ttl as N-Quads in the ontology graph, as ``coopgraph build`` loads it.

    It carries the controlled values' ``skos:notation`` that the queries read (units, types).
    """
    graph = ox.NamedNode(ids.graph("ontology"))
    triples = ox.parse(path=str(ontology_dir() / "coopgraph.ttl"), format=ox.RdfFormat.TURTLE)
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8")


def bundled_dataset(folder: Path) -> Dataset:
    """The bundled data (data/*.csv through the curated source) plus the ontology."""
    path = folder / "bundled.nq"
    path.write_text(build.read_curated().nquads + ontology_nquads(), encoding="utf-8")
    values = {
        "Q1": {"alliance": "NATO", "year": "1999"},
        "Q2": {"from": "1946", "to": "2024"},
        "Q3": {"year": "2010"},
    }
    note = (
        "bundled data: Q3 has no rows for any year here (no donor and recipient in the "
        "bundled data share an alliance), but it does all the work"
    )
    return Dataset("bundled data", path, values, note)


class QuadWriter:
    """Writes N-Quads lines of one graph to a file, counting them."""

    def __init__(self, handle: IO[str], graph: str):
        self.handle = handle
        self.graph = graph
        self.count = 0
        self._lines: list[str] = []

    def add(self, subject: str, predicate: str, obj: str) -> None:
        self._lines.append(nt.quad(subject, predicate, obj, self.graph))
        self.count += 1
        if len(self._lines) >= 50_000:
            self.flush()

    def link(self, subject: str, predicate: str, target: str) -> None:
        self.add(subject, predicate, nt.iri(target))

    def text(self, subject: str, predicate: str, value: str, lang: str | None = None) -> None:
        self.add(subject, predicate, nt.literal(value, lang=lang))

    def interval(
        self, subject: str, start: dt.date, end: dt.date | None, precision: str = CG.Day
    ) -> None:
        self.add(subject, CG.startDate, nt.date(start))
        self.link(subject, CG.startPrecision, precision)
        if end is not None:
            self.add(subject, CG.endDate, nt.date(end))
            self.link(subject, CG.endPrecision, precision)

    def flush(self) -> None:
        self.handle.write("".join(self._lines))
        self._lines.clear()


PROGRAMMES = [
    "Foreign Military Financing",
    "International Military Education and Training",
    "Military Assistance Program",
    "Excess Defense Articles",
    "Peacekeeping Operations",
    "Nonproliferation, Anti-terrorism, Demining and Related Programs",
    "International Narcotics Control and Law Enforcement",
    "Cooperative Threat Reduction",
    "Coalition Support Funds",
    "Security Forces Fund",
    "Section 1206 Train and Equip",
    "Global Peace Operations Initiative",
]
NOTES = [
    "Figure as published; later revisions not applied.",
    "Amount includes equipment delivered in kind, valued by the donor.",
    "Start taken from the treaty's entry into force; signature was earlier.",
    "Dates from the secondary source; the primary record gives only the year.",
]


def generated_dataset(folder: Path, triples: int, seed: int = 1) -> Dataset:
    """A seeded graph of about ``triples`` triples, shaped like the curated graph.

    Per million triples: 200 nations, 2,000 alliances (most with 2 members, a few large),
    about 10,000 memberships, 200 operations with about 6,000 participations, 50 sources,
    the ontology, and aid flows (three quarters of all triples, as in the bundled data)
    until the total is reached. Every fact produces the triples the curated source writes
    for its kind, with the same optional parts (notes, precisions, programmes, figures).
    """
    rng = random.Random(seed)
    path = folder / "generated.nq"
    started = time.perf_counter()
    with path.open("w", encoding="utf-8") as handle:
        ontology = ontology_nquads()
        handle.write(ontology)
        out = QuadWriter(handle, ids.graph("curated"))
        made = _generate(out, rng, triples - ontology.count("\n"))
        out.flush()
    total = ontology.count("\n") + out.count
    made["ontology triples"] = ontology.count("\n")
    summary = ", ".join(f"{n:,} {kind}" for kind, n in made.items() if kind != "_alliance")
    note = (
        f"generated {total:,} triples (seed {seed}) in {time.perf_counter() - started:.1f} s: "
        f"{summary}"
    )
    values = {
        "Q1": {"alliance": made["_alliance"], "year": "2000"},
        "Q2": {"from": "1946", "to": "2024"},
        "Q3": {"year": "2010"},
    }
    return Dataset("generated", path, values, note)


def _day(rng: random.Random, year: int) -> dt.date:
    return dt.date(year, rng.randint(1, 12), rng.randint(1, 28))


def _generate(out: QuadWriter, rng: random.Random, target: int) -> dict[str, Any]:
    """Write the facts; returns how many of each kind (and, as ``_alliance``, the largest)."""
    scale = max(target, 100_000) / 1_000_000
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    codes = sorted(rng.sample([a + b + c for a in letters for b in letters for c in letters], 200))

    sources = [f"source-{k:03d}" for k in range(max(20, round(50 * scale)))]
    for slug in sources:
        s = ids.source(slug)
        out.link(s, nt.RDF_TYPE, CG.Source)
        out.link(s, nt.RDF_TYPE, PROV + "Entity")
        out.text(s, DCT + "title", f"Dataset or publication number {slug[-3:]}")
        out.text(s, DCT + "publisher", f"Publisher {rng.randint(1, 30)}")
        out.add(s, DCT + "issued", nt.literal(str(rng.randint(1950, 2024)), datatype=XSD + "gYear"))
        out.link(s, CG.url, f"https://example.org/sources/{slug}")

    def source(subject: str) -> None:
        out.link(subject, DCT + "source", ids.source(rng.choice(sources)))

    def note(subject: str, share: float) -> None:
        if rng.random() < share:
            out.text(subject, CG.note, rng.choice(NOTES))

    for code in codes:
        n = ids.nation(code)
        out.link(n, nt.RDF_TYPE, CG.State)
        out.link(n, nt.RDF_TYPE, CG.Nation)
        out.text(n, RDFS_LABEL, f"Nation {code}", lang="en")
        out.text(n, SKOS + "prefLabel", f"Nation {code}", lang="en")
        out.text(n, SKOS + "notation", code)
        out.text(n, CG.iso3166Alpha3, code)
        out.interval(n, _day(rng, rng.randint(1800, 1995)), None)
        source(n)

    memberships = 0
    alliances = max(10, round(2_000 * scale))
    sizes, weights = [2, 3, 4, 6, 10, 16, 25, 40], [60, 10, 8, 8, 6, 4, 3, 1]
    for k in range(alliances):
        slug = f"ALLIANCE-{k:04d}"
        a = ids.organisation(slug)
        start_year = 1949 if k == 0 else rng.randint(1946, 2020)  # the first: NATO-like
        start = _day(rng, start_year)
        end = None
        if k and rng.random() < 0.3:
            end = _day(rng, min(2024, start_year + rng.randint(5, 50)))
        out.link(a, nt.RDF_TYPE, CG.Alliance)
        out.link(a, nt.RDF_TYPE, ORG + "FormalOrganization")
        out.text(a, RDFS_LABEL, f"Alliance {k}", lang="en")
        out.text(a, SKOS + "notation", slug)
        out.link(a, CG.commitment, rng.choice(list(COMMITMENTS.values())))
        out.interval(a, start, end)
        note(a, 0.5)
        source(a)
        size = 32 if k == 0 else rng.choices(sizes, weights)[0]
        for member in rng.sample(codes, size):
            joined = start if rng.random() < 0.7 else _day(rng, rng.randint(start_year, 2024))
            left = end
            if left is None and rng.random() < 0.25:
                left = _day(rng, min(2024, joined.year + rng.randint(1, 40)))
            if left is not None and left < joined:
                joined, left = left, joined
            m = ids.fact("membership", slug, member, joined.isoformat())
            out.link(m, nt.RDF_TYPE, CG.Membership)
            out.link(m, nt.RDF_TYPE, ORG + "Membership")
            out.link(m, ORG + "member", ids.nation(member))
            out.link(m, ORG + "organization", a)
            out.interval(m, joined, left)
            note(m, 0.1)
            source(m)
            memberships += 1

    participations = 0
    operations = max(5, round(200 * scale))
    for k in range(operations):
        slug = f"OPERATION-{k:04d}"
        o = ids.operation(slug)
        start_year = rng.randint(1950, 2020)
        start, end = _day(rng, start_year), _day(rng, min(2024, start_year + rng.randint(0, 15)))
        out.link(o, nt.RDF_TYPE, CG.Operation)
        out.text(o, RDFS_LABEL, f"Operation {k}", lang="en")
        out.text(o, SKOS + "notation", slug)
        out.link(o, CG.operationKind, rng.choice(list(OPERATION_KINDS.values())))
        out.link(o, CG.place, ids.nation(rng.choice(codes)))
        if rng.random() < 0.6:
            out.link(o, CG.ledBy, ids.organisation(f"ALLIANCE-{rng.randrange(alliances):04d}"))
        out.interval(o, start, end if rng.random() < 0.8 else None)
        note(o, 0.3)
        source(o)
        for member in rng.sample(codes, rng.randint(3, 60)):
            p = ids.fact("participation", slug, member, "")
            out.link(p, nt.RDF_TYPE, CG.Participation)
            out.link(p, CG.operation, o)
            out.link(p, CG.participant, ids.nation(member))
            out.link(p, CG.role, rng.choice(list(ROLES.values())))
            if rng.random() < 0.3:
                out.interval(p, start, end)
            if rng.random() < 0.8:
                out.add(p, CG.peakTroops, nt.integer(rng.randint(10, 20_000)))
                out.add(p, CG.peakTroopsDate, nt.date(start))
            note(p, 0.1)
            source(p)
            participations += 1

    # Aid: a few large donors, any recipient, one record per fiscal year, type and
    # programme, like the Greenbook rows; then until the target is reached.
    donors = codes[:30]
    donor_weights = [1 / (i + 1) for i in range(len(donors))]
    aid_types = list(AID_TYPES.items())
    units, unit_weights = list(UNITS.values()), [80, 10, 5, 5]
    figures = list(FIGURES.values())
    keys: set[tuple[str, ...]] = set()
    flows = 0
    while out.count < target:
        donor = rng.choices(donors, donor_weights)[0]
        recipient = rng.choice(codes)
        year = rng.randint(1946, 2024)
        type_slug, aid_type = rng.choice(aid_types)
        programme = rng.choice(PROGRAMMES) if rng.random() < 0.9 else ""
        fiscal = rng.random() < 0.9
        start = dt.date(year - 1, 10, 1) if fiscal else dt.date(year, 1, 1)
        key = (donor, recipient, start.isoformat(), type_slug, programme)
        if donor == recipient or key in keys:
            continue
        keys.add(key)
        f = ids.fact("aid", *key)
        out.link(f, nt.RDF_TYPE, CG.AidFlow)
        out.link(f, CG.donor, ids.nation(donor))
        out.link(f, CG.recipient, ids.nation(recipient))
        if fiscal:
            out.interval(f, start, dt.date(year, 9, 30))
            out.text(f, CG.fiscalYear, str(year))
        else:
            out.interval(f, start, dt.date(year + rng.randint(0, 3), 12, 31), CG.Year)
        out.link(f, CG.aidType, aid_type)
        if programme:
            out.text(f, CG.programme, programme)
        if rng.random() < 0.95:
            unit = rng.choices(units, unit_weights)[0]
            if unit == CG.SipriTIV:
                amount = Decimal(rng.randint(1, 50_000)) / 10
            else:
                amount = Decimal(rng.randint(1, 99_999)) * 10 ** rng.randint(1, 4)
            out.add(f, CG.amount, nt.decimal(amount))
            out.link(f, CG.unit, unit)
            if rng.random() < 0.9:
                out.link(f, CG.figure, rng.choice(figures))
        if rng.random() < 0.05:
            out.add(f, CG.estimate, nt.boolean(True))
        note(f, 0.05)
        source(f)
        flows += 1
    return {
        "nations": len(codes),
        "alliances": alliances,
        "memberships": memberships,
        "operations": operations,
        "participations": participations,
        "aid flows": flows,
        "sources": len(sources),
        "_alliance": "ALLIANCE-0000",
    }


PLAIN = Path(__file__).resolve().parent / "plain"


def query_texts(values: dict[str, dict[str, str]], engine: str) -> list[tuple[str, str]]:
    """The three queries with their parameters bound by coopgraph's runner.

    coopgraph runs its library's text. rdflib runs the plain single-block formulation of a
    query where ``bench/plain/`` has one: the library's subqueries make Oxigraph join by
    hashing, but rdflib evaluates a join of subqueries by comparing every row with every
    row, so the plain text is the one an rdflib user would run and the faster for rdflib.
    Both give the same rows (the report checks).
    """
    library = queries.library()
    texts = []
    for label, name in QUERIES:
        query = library[name]
        plain = PLAIN / f"{name}.rq"
        if engine == "rdflib" and plain.exists():
            query = queries.load(file=plain)
        texts.append((label, queries.substitute(query.text, queries.bind(query, values[label]))))
    return texts


# ------------------------------------------------------------------------------ worker


def number(lexical: str) -> str:
    """A numeric literal rounded to six decimal places, written without exponent."""
    value = round(Decimal(lexical), 6).normalize()
    return format(value, "f")


def oxigraph_text(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal) and term.datatype.value in NUMERIC:
        return number(term.value)
    return term.value


def rdflib_text(term: rdflib.term.Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, rdflib.Literal) and str(term.datatype) in NUMERIC:
        return number(str(term))
    return str(term)


Rows = list[tuple[str, ...]]


def load_coopgraph(data: Path, workdir: Path) -> tuple[Callable[[str], Rows], dict]:
    """coopgraph's load path; returns a query function and what to report about the load."""
    root = workdir / "store"
    started = time.perf_counter()
    store.write(
        root,
        lambda target: store.load_nquads(target, data.read_bytes()),
        from_empty=True,
    )
    reader = store.open_reader(root)
    seconds = time.perf_counter() - started
    disk = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())

    def select(text: str) -> Rows:
        result = reader.query(text, use_default_graph_as_union=True)
        names = result.variables
        return [tuple(oxigraph_text(row[v]) for v in names) for row in result]

    return select, {"seconds": seconds, "quads": len(reader), "disk_mb": disk / 2**20}


def load_rdflib(data: Path, workdir: Path) -> tuple[Callable[[str], Rows], dict]:
    """rdflib's in-memory Dataset, default graph the union of the named graphs."""
    started = time.perf_counter()
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(str(data), format="nquads")
    seconds = time.perf_counter() - started
    quads = sum(len(graph) for graph in dataset.graphs())

    def select(text: str) -> Rows:
        return [tuple(rdflib_text(v) for v in row) for row in dataset.query(text)]

    return select, {"seconds": seconds, "quads": quads}


def worker() -> None:
    """Load one dataset into one engine and run the queries; report JSON lines on stdout."""
    spec = json.load(sys.stdin)

    def emit(**event: Any) -> None:
        print(json.dumps(event), flush=True)

    load = {"coopgraph": load_coopgraph, "rdflib": load_rdflib}[spec["engine"]]
    select, loaded = load(Path(spec["data"]), Path(spec["workdir"]))
    emit(event="loaded", **loaded, peak_rss_mb=peak_rss_mb())
    for label, text in spec["queries"]:
        emit(event="start", label=label)
        spent, rows = 0.0, []
        for _ in range(spec["repeat"]):
            started = time.perf_counter()
            rows = select(text)
            seconds = time.perf_counter() - started
            spent += seconds
            emit(event="run", label=label, seconds=seconds)
            if spent >= spec["budget"]:
                break
        emit(event="rows", label=label, rows=rows)
    emit(event="done", peak_rss_mb=peak_rss_mb())


def peak_rss_mb() -> float:
    """The peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------------------ parent


@dataclass
class QueryResult:
    times: list[float] = field(default_factory=list)
    rows: Rows | None = None
    note: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.rows is not None else None


@dataclass
class EngineResult:
    engine: str
    load: dict = field(default_factory=dict)
    load_note: str = ""
    peak_rss_mb: float | None = None
    queries: dict[str, QueryResult] = field(default_factory=dict)


def progress(text: str) -> None:
    """A progress line on stderr, so stdout keeps only the results."""
    print(text, file=sys.stderr, flush=True)


def _die_with_parent() -> None:
    """In a worker, before exec: be killed when the benchmark ends, however it ends (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _lines(stream: IO[str], into: queue.Queue) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


def run_engine(
    engine: str,
    data: Dataset,
    texts: list[tuple[str, str]],
    *,
    repeat: int,
    budget: float,
    timeout: float | None,
    workdir: Path,
) -> EngineResult:
    """Run the worker for ``engine``; a run past ``timeout`` s kills it (a new one goes on)."""
    result = EngineResult(engine)
    pending = list(texts)
    while pending:
        spec = {
            "engine": engine,
            "data": str(data.path),
            "workdir": tempfile.mkdtemp(dir=workdir, prefix=f"{engine}-"),
            "queries": pending,
            "repeat": repeat,
            "budget": budget,
        }
        process = subprocess.Popen(
            [sys.executable, __file__, "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            preexec_fn=_die_with_parent,
        )
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps(spec))
        process.stdin.close()
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True).start()
        current: str | None = None
        loaded = False
        while True:
            try:
                line = lines.get(timeout=timeout)
            except queue.Empty:
                process.kill()
                process.wait()
                what = f"{current} run" if current else "load"
                note = f"not run: a {what} went past --{engine}-timeout {timeout:.0f} s"
                if current is None:
                    result.load_note = note
                    for label, _ in pending:
                        result.queries[label] = QueryResult(note="not run: load timed out")
                    pending = []
                else:
                    result.queries[current] = QueryResult(note=note)
                    pending = [(lab, t) for lab, t in pending if lab != current]
                break
            if line is None:  # the worker ended
                code = process.wait()
                if code != 0:
                    note = f"not run: worker failed (exit {code})"
                    if not loaded:
                        result.load_note = note
                    for label, _ in pending:
                        result.queries.setdefault(label, QueryResult(note=note))
                pending = []
                break
            event = json.loads(line)
            kind = event.pop("event")
            if kind in ("loaded", "run"):
                label = event.get("label", "load")
                progress(f"  {label} {event['seconds'] * 1000:,.1f} ms")
            if "peak_rss_mb" in event:
                peak = event.pop("peak_rss_mb")
                result.peak_rss_mb = max(result.peak_rss_mb or 0.0, peak)
            if kind == "loaded":
                loaded = True
                if not result.load:  # a restarted worker reloads; keep the first figure
                    result.load = event
            elif kind == "start":
                current = event["label"]
                result.queries[current] = QueryResult()
            elif kind == "run":
                result.queries[event["label"]].times.append(event["seconds"])
            elif kind == "rows":
                result.queries[event["label"]].rows = [tuple(r) for r in event["rows"]]
                pending = [(lab, t) for lab, t in pending if lab != event["label"]]
                current = None
    return result


def compare(a: Rows | None, b: Rows | None) -> str:
    """Whether two engines' rows agree, in words; a difference shows a few rows."""
    if a is None or b is None:
        return "not compared (a query did not run)"
    if sorted(a) == sorted(b):
        return f"{len(a):,} rows from both, same rows"
    only_a = sorted(set(a) - set(b))[:3]
    only_b = sorted(set(b) - set(a))[:3]
    return (
        f"!!! RESULTS DIFFER: {len(a):,} rows from coopgraph, {len(b):,} from rdflib; "
        f"only in coopgraph e.g. {only_a}; only in rdflib e.g. {only_b}"
    )


# ------------------------------------------------------------------------------ report


def machine() -> str:
    """One line saying what this ran on."""
    tmp = tempfile.gettempdir()
    cpu = "unknown CPU"
    memory = ""
    try:
        info = Path("/proc/cpuinfo").read_text()
        cpu = next(
            line.split(":", 1)[1].strip() for line in info.splitlines() if "model name" in line
        )
        kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    return (
        f"{len(os.sched_getaffinity(0))} cores ({cpu}){memory}, {platform.system()} "
        f"{platform.release()}, temp dir {tmp} on {filesystem(tmp)}; "
        f"Python {platform.python_version()}, pyoxigraph {ox.__version__}, "
        f"rdflib {rdflib.__version__}"
    )


def filesystem(path: str) -> str:
    """The file system type holding ``path`` (from /proc/mounts), or 'unknown'."""
    best, kind = "", "unknown"
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            _, mount, fstype, *_ = line.split()
            if path.startswith(mount) and len(mount) > len(best):
                best, kind = mount, fstype
    except OSError:
        pass
    return kind


def cell_ms(result: QueryResult | None, repeat: int) -> str:
    if result is None or result.median is None:
        return "not run"
    text = f"{result.median * 1000:,.1f}"
    if len(result.times) < repeat:
        text += f" ({len(result.times)} run{'s' if len(result.times) > 1 else ''})"
    return text


def ratio(slow: float | None, fast: float | None) -> str:
    return f"{slow / fast:,.1f}x" if slow and fast else "-"


def report(results: list[tuple[Dataset, dict[str, EngineResult]]], repeat: int) -> None:
    """The table, the row checks and the issue's targets."""
    header = [
        "dataset", "engine", "triples", "load s", "triples/s", "peak RSS MB",
        "Q1 ms", "Q2 ms", "Q3 ms",
    ]  # fmt: skip
    table = [header]
    checks = []
    for data, engines in results:
        for key, result in engines.items():
            load = result.load
            seconds = load.get("seconds")
            rss = f"{result.peak_rss_mb:,.0f}" if result.peak_rss_mb else "-"
            if key == "coopgraph" and "disk_mb" in load:
                rss += f" (+{load['disk_mb']:,.0f} on disk)"
            table.append([
                data.name,
                ENGINES[key],
                f"{load['quads']:,}" if load else "-",
                f"{seconds:,.2f}" if seconds else result.load_note or "not run",
                f"{load['quads'] / seconds:,.0f}" if seconds else "-",
                rss,
                *(cell_ms(result.queries.get(label), repeat) for label, _ in QUERIES),
            ])  # fmt: skip
        ox_, rdf = engines["coopgraph"], engines["rdflib"]
        table.append([
            data.name,
            "rdflib / coopgraph",
            "",
            ratio(rdf.load.get("seconds"), ox_.load.get("seconds")),
            ratio(rdf.load.get("seconds"), ox_.load.get("seconds")),
            ratio(rdf.peak_rss_mb, ox_.peak_rss_mb),
            *(
                ratio(rdf.queries[label].median, ox_.queries[label].median)
                if label in rdf.queries and label in ox_.queries
                else "-"
                for label, _ in QUERIES
            ),
        ])  # fmt: skip
        for label, _ in QUERIES:
            a = ox_.queries.get(label, QueryResult()).rows
            b = rdf.queries.get(label, QueryResult()).rows
            notes = [r.queries[label].note for r in (ox_, rdf) if r.queries.get(label)]
            extra = "".join(f"; {n}" for n in notes if n)
            checks.append(f"{data.name}, {label} ({TITLES[label]}): {compare(a, b)}{extra}")
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in table
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print("\n".join(lines))
    print(f"\nQuery latency: median of {repeat} runs unless fewer are shown (--budget).")
    print("Same results?")
    for line in checks:
        print(f"  {line}")
    print("Issue targets (rdflib time / coopgraph time, printed, not asserted):")
    for data, engines in results:
        ox_, rdf = engines["coopgraph"], engines["rdflib"]
        measured = {
            "load": ratio(rdf.load.get("seconds"), ox_.load.get("seconds")),
            "Q2": ratio(
                rdf.queries.get("Q2", QueryResult()).median,
                ox_.queries.get("Q2", QueryResult()).median,
            ),
        }
        shown = ", ".join(f"{k} {v} (target {TARGETS[k]:.0f}x)" for k, v in measured.items())
        print(f"  {data.name}: {shown}")


# ------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--triples", type=int, default=1_000_000, help="size of the generated graph"
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs of each query (median shown)")
    parser.add_argument(
        "--budget",
        type=float,
        default=60.0,
        help="stop repeating a query once its runs took this many seconds (default 60)",
    )
    parser.add_argument(
        "--rdflib-timeout",
        type=float,
        default=300.0,
        help="give up an rdflib load or query run after this many seconds (default 300)",
    )
    parser.add_argument(
        "--coopgraph-timeout",
        type=float,
        default=300.0,
        help="give up a coopgraph load or query run after this many seconds (default 300)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated graph")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker()
        return
    print(f"coopgraph store benchmark, {dt.datetime.now().isoformat(timespec='seconds')}")
    print(f"machine: {machine()}")
    results = []
    with tempfile.TemporaryDirectory(prefix="coopgraph-bench-") as tmp:
        workdir = Path(tmp)
        for make in (
            lambda: bundled_dataset(workdir),
            lambda: generated_dataset(workdir, args.triples, args.seed),
        ):
            data = make()
            if data.note:
                print(data.note, flush=True)
            engines = {}
            for engine in ENGINES:
                texts = query_texts(data.values, engine)
                progress(f"{data.name} on {ENGINES[engine]}:")
                engines[engine] = run_engine(
                    engine,
                    data,
                    texts,
                    repeat=args.repeat,
                    budget=args.budget,
                    timeout=getattr(args, f"{engine}_timeout"),
                    workdir=workdir,
                )
            results.append((data, engines))
            data.path.unlink()
    print("\nParameters:")
    for data, _ in results:
        bound = "; ".join(
            f"{label} " + ", ".join(f"{k}={v}" for k, v in values.items())
            for label, values in data.values.items()
        )
        print(f"  {data.name}: {bound}")
    print()
    report(results, args.repeat)


if __name__ == "__main__":
    main()
