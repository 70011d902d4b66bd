"""The years a source covers: measured when its graph is written, kept in ``meta``, and
checked against the years a command asks for.

A source's coverage is the first and last year of its dated facts (the predicates
``queries/internal/coverage.rq`` lists), measured by one query on the graphs a build or
an import has just written (``record``: 0.03 s for the whole UN votes import, against
0.9 s for reading its 872,000 N-Quads lines while they are written). It is recorded with
the source's other provenance in ``meta`` as W3C vocabulary, on an IRI node so that
``remove`` and a re-import drop it with the rest (``build.provenance_subjects``)::

    <graph> dcterms:temporal <.../id/coverage/SOURCE/GRAPH> .
    <.../id/coverage/SOURCE/GRAPH> a dcterms:PeriodOfTime ;
        dcat:startDate "1946"^^xsd:gYear ; dcat:endDate "2015"^^xsd:gYear .

A graph without dated facts gets none. Asking for years outside a source's coverage
gives an empty or carried-forward result (UN votes after 2015, a membership that still
holds after 2024), so the api warns (``CoverageWarning``) and still returns the result:
``warn_uncovered`` once per source that leaves out some of the years asked,
``warn_unless_covered`` for a library query, whose relevant source is not known.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from coopgraph import ids, queries
from coopgraph import ntriples as nt
from coopgraph.errors import CoverageWarning
from coopgraph.location import Reader
from coopgraph.namespace import PREFIXES

DCTERMS = PREFIXES["dcterms"]
DCAT = "http://www.w3.org/ns/dcat#"
RDF_TYPE = PREFIXES["rdf"] + "type"


class Coverage(NamedTuple):
    """The first and last year of a source's dated facts; written ``1946-2015``."""

    first: int
    last: int

    def __str__(self) -> str:
        return f"{self.first}-{self.last}"

    def missing(self, years: Iterable[int]) -> list[int]:
        """The ``years`` outside this coverage, sorted.

        >>> Coverage(1946, 2015).missing(range(2014, 2018))
        [2016, 2017]
        """
        return sorted({y for y in years if not self.first <= y <= self.last})


def measure(store: Reader, graphs: list[str]) -> Coverage | None:
    """The coverage of the dated facts in ``graphs`` of ``store`` (None: they hold none).

    Run inside a write on the new state: on the embedded store that is the new generation,
    on an endpoint the writer reads back the graphs it replaced (``EndpointWriter``)."""
    for row in queries.run(store, queries.internal("coverage"), graphs=graphs):
        if row["first"] is not None and row["last"] is not None:
            return Coverage(int(row["first"].value), int(row["last"].value))
    return None


def provenance(source: str, graph: str, coverage: Coverage) -> str:
    """N-Quads (``meta`` graph) giving ``graph`` of ``source`` its coverage (module doc)."""
    meta, period = ids.graph("meta"), ids.fact("coverage", source, ids.local_name(graph))
    return "".join(
        [
            nt.quad(graph, DCTERMS + "temporal", nt.iri(period), meta),
            nt.quad(period, RDF_TYPE, nt.iri(DCTERMS + "PeriodOfTime"), meta),
            nt.quad(period, DCAT + "startDate", _year(coverage.first), meta),
            nt.quad(period, DCAT + "endDate", _year(coverage.last), meta),
        ]
    )


def _year(year: int) -> str:
    """An ``xsd:gYear`` literal (at least four digits, as its lexical form requires)."""
    sign = "-" if year < 0 else ""
    return nt.literal(f"{sign}{abs(year):04d}", datatype=nt.XSD + "gYear")


def record(target: Any, source: str, graph: str, parts: Iterable[str] = ()) -> Coverage | None:
    """Measure the coverage of ``graph`` (with ``parts``, the other graphs its import wrote)
    in ``target``, the state a write is making, and add it to ``meta`` there; None and
    nothing added when they hold no dated facts."""
    coverage = measure(target, [graph, *parts])
    if coverage is not None:
        from coopgraph import store

        store.add_nquads(target, provenance(source, graph, coverage).encode("utf-8"))
    return coverage


def warn_uncovered(
    loaded: Mapping[str, Mapping[str, Any]],
    sources: Iterable[str],
    years: Iterable[int],
    *,
    stacklevel: int = 2,
) -> None:
    """Warn (``CoverageWarning``) once per source of ``sources`` whose coverage leaves out
    some of ``years``: "unvotes covers 1946-2015; 2016-2020 asked: those years have no
    data from it". A source not loaded, or loaded without a coverage (a graph of no
    dated facts, a store built before coverage was recorded), is not warned about."""
    years = list(years)
    for name in dict.fromkeys(sources):
        coverage = loaded.get(name, {}).get("coverage")
        missing = coverage.missing(years) if coverage is not None else []
        if missing:
            those = "that year has" if len(missing) == 1 else "those years have"
            warnings.warn(
                f"{name} covers {coverage}; {spans(missing)} asked: {those} no data from it",
                CoverageWarning,
                stacklevel=stacklevel + 1,
            )


def warn_unless_covered(
    loaded: Mapping[str, Mapping[str, Any]],
    sources: Iterable[str],
    years: Iterable[int],
    *,
    stacklevel: int = 2,
) -> None:
    """Warn once (``CoverageWarning``) when some of ``years`` lie outside the coverage of
    every source of ``sources`` that has one: "no source covers 2030 (curated covers
    1945-2024; unvotes covers 1946-2015)". For a query, whose relevant source is unknown."""
    known = {name: loaded.get(name, {}).get("coverage") for name in dict.fromkeys(sources)}
    known = {name: coverage for name, coverage in known.items() if coverage is not None}
    if not known:
        return
    missing = sorted(
        set.intersection(*(set(coverage.missing(years)) for coverage in known.values()))
    )
    if missing:
        covered = "; ".join(f"{name} covers {coverage}" for name, coverage in known.items())
        what = "that year has" if len(missing) == 1 else "those years have"
        warnings.warn(
            f"no source covers {spans(missing)} ({covered}): {what} no data",
            CoverageWarning,
            stacklevel=stacklevel + 1,
        )


def spans(years: list[int]) -> str:
    """Sorted years as runs: ``2016-2020``, ``1940-1944 and 2025-2030``, ``2030``.

    >>> spans([1940, 1941, 1944, 2025, 2026, 2027])
    '1940-1941, 1944 and 2025-2027'
    """
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][1] + 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    texts = [f"{a}-{b}" if a != b else f"{a}" for a, b in runs]
    return texts[0] if len(texts) == 1 else f"{', '.join(texts[:-1])} and {texts[-1]}"
