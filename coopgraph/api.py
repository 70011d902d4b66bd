"""The Python API behind the command line: one function per command.

Each function takes where the data lives (a store directory, a ``remote.Endpoint``, a
``coopgraph.location`` location, or an open ``coopgraph.scope.Scope``), opens it once as a
scope of the chosen sources, and hands that to the analysis or output that does the work:
``coopgraph.analyses`` for the tables, ``coopgraph.outputs`` for pages and files.
A function that takes years warns (``coopgraph.errors.CoverageWarning``, one per source)
when a source it reads does not cover them all (``Scope.warn_uncovered``), and still
returns its result.

Importing this module costs what a query needs and no more: each function imports its
analysis or output when called, and the names re-exported from those modules (the column
lists, ``build``, ``VIEWS``...) are imported the first time they are read. The analyses
load networkx, numpy and rdflib; ``coopgraph --help`` and ``coopgraph query`` need none
of them (``tests/test_startup.py``).

Example (see README.md, "Python")::

    from coopgraph import api
    api.build(store_path)
    rows = api.metrics(store_path, 1999)
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coopgraph.analyses.layers import DEFAULT_SOURCES, LAYERS, MORE_LAYERS  # noqa: F401
from coopgraph.errors import CoopgraphError, UsageError  # noqa: F401  (UsageError re-exported)
from coopgraph.outputs.writers import write_parquet, write_text  # noqa: F401  (re-exported)
from coopgraph.paths import data_dir

if TYPE_CHECKING:
    from coopgraph.outputs.html import View
    from coopgraph.queries import Query
    from coopgraph.scope import Scope
    from coopgraph.validate import Violation

#: Where data lives, as the api takes it: a store directory, an endpoint, a location or
#: an open scope.
Where = Any

#: Names this module re-exports from the modules that declare them, each imported the
#: first time it is asked for (``__getattr__``): those modules load networkx, numpy or
#: rdflib, which a query or the command line's start does not need.
_ON_FIRST_USE: dict[str, tuple[str, str]] = {
    "Scope": ("coopgraph.scope", "Scope"),
    "ALWAYS": ("coopgraph.scope", "ALWAYS"),
    "KEYS": ("coopgraph.analyses.metrics", "KEYS"),
    "METRIC_COLUMNS": ("coopgraph.analyses.metrics", "METRIC_COLUMNS"),
    "ALIGN_BASES": ("coopgraph.analyses.alignment", "ALIGN_BASES"),
    "align_columns": ("coopgraph.analyses.alignment", "align_columns"),
    "BLOC_COLUMNS": ("coopgraph.analyses.blocs", "BLOC_COLUMNS"),
    "CHANGE_COLUMNS": ("coopgraph.analyses.blocs", "CHANGE_COLUMNS"),
    "DEPENDENCE_COLUMNS": ("coopgraph.analyses.dependence", "DEPENDENCE_COLUMNS"),
    "WHATIF_COLUMNS": ("coopgraph.analyses.whatif", "WHATIF_COLUMNS"),
    "WHATIF_MEASURES": ("coopgraph.analyses.whatif", "WHATIF_MEASURES"),
    "AIDALIGN_COLUMNS": ("coopgraph.analyses.aidalign", "AIDALIGN_COLUMNS"),
    "EVENT_YEARS": ("coopgraph.analyses.aidalign", "EVENT_YEARS"),
    "VIEWS": ("coopgraph.outputs.views", "VIEWS"),
    "SIZE_MEASURES": ("coopgraph.outputs.views", "SIZE_MEASURES"),
    "HISTORY": ("coopgraph.outputs.views", "HISTORY"),
    "EXPORT_FORMATS": ("coopgraph.outputs.rdf", "EXPORT_FORMATS"),
    "GRAPH_FORMATS": ("coopgraph.outputs.exporters", "FORMATS"),
    "STATS_COLUMNS": ("coopgraph.stats", "COLUMNS"),
    "build": ("coopgraph.build", "build"),
    "read_curated": ("coopgraph.build", "read_curated"),
    "BuildReport": ("coopgraph.build", "BuildReport"),
    "ValidationFailed": ("coopgraph.build", "ValidationFailed"),
    "aidalign_plot": ("coopgraph.outputs.charts", "aidalign_plot"),
}

SOURCES_COLUMNS = [
    "source", "title", "version", "coverage", "imported", "triples", "rows_read", "rows_imported",
    "rows_rejected", "files", "graph",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    """A name of ``_ON_FIRST_USE``, imported from its module on first use and kept here."""
    try:
        module, attribute = _ON_FIRST_USE[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """This module's names with those not imported yet (completion in a notebook)."""
    return sorted({*globals(), *_ON_FIRST_USE})


def _open(where: Where, sources: Sequence[str] | None = None) -> Scope:
    """``Scope.open``: the store (and the query machinery under it) is imported when a
    function first opens one, not with this module."""
    from coopgraph.scope import Scope

    return Scope.open(where, sources)


def scope(where: Where, sources: Sequence[str] | None) -> list[str] | None:
    """Named graph IRIs for a source selection (None: every graph); an unknown source is
    a usage error naming the loaded ones (``Scope.select``)."""
    return _open(where, sources).graphs


def query(
    where: Where,
    q: Query,
    params: dict[str, str] | None = None,
    fmt: str = "table",
    *,
    sources: Sequence[str] | None = None,
    base: str | None = None,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
) -> str:
    """Run a query on the store and render its result in ``fmt``; ``sources`` limits the
    dataset to those sources' graphs (and the ontology and states); ``base`` is the base
    IRI of relative IRIs (``queries.run``). ``default_graphs`` and ``named_graphs`` name
    the dataset as the SPARQL 1.1 Protocol's ``default-graph-uri`` and ``named-graph-uri``
    do (exactly those graphs, over the query's FROM; either alone leaves the other
    empty); not with ``sources``. A parameter naming a state, alliance, operation or
    source takes its id, name or alias. A year or date parameter that no chosen source
    covers (every loaded one when none are chosen) is warned about
    (``Scope.warn_unless_covered``)."""
    from coopgraph import queries
    from coopgraph.outputs import tables

    request = None
    if default_graphs is not None or named_graphs is not None:
        if sources is not None:
            raise UsageError("give --sources or --default-graph/--named-graph, not both")
        request = queries.dataset.request(default_graphs or (), named_graphs or ())
    chosen = _open(where, sources)
    if q.params:
        params = queries.resolve_names(q, params or {}, chosen.resolve)
    result = queries.run(chosen.reader, q, params, graphs=chosen.graphs, base=base, request=request)
    chosen.warn_unless_covered(queries.years(q, params or {}))
    try:
        return tables.query_result(result, fmt)
    except ValueError as error:
        raise CoopgraphError(str(error)) from None
    except (OSError, RuntimeError) as error:
        raise CoopgraphError(f"query failed: {error}", path=q.origin) from None


def layer(
    where: Where,
    name: str,
    year: int,
    *,
    sources: Sequence[str] = DEFAULT_SOURCES,
    weights: Mapping[str, float] | None = None,
):
    """The networkx graph of one layer in ``year`` (``analyses.layers.layer``)."""
    from coopgraph.analyses import layers as _layers

    chosen = _open(where, sources)
    graph = _layers.layer(chosen, name, year, weights=weights)
    chosen.warn_uncovered([year], _layers.sources_read(chosen, [name]))
    return graph


def layer_series(
    where: Where,
    name: str,
    first: int,
    last: int,
    *,
    sources: Sequence[str] = DEFAULT_SOURCES,
    weights: Mapping[str, float] | None = None,
) -> dict[int, Any]:
    """The graph of a layer in every year ``first``..``last`` (``analyses.layers``)."""
    from coopgraph.analyses import layers as _layers

    chosen = _open(where, sources)
    series = _layers.layer_series(chosen, name, first, last, weights=weights)
    chosen.warn_uncovered(range(first, last + 1), _layers.sources_read(chosen, [name]))
    return series


def loaded_names(where: Where) -> set[str]:
    """Names of the sources the store holds."""
    return set(_open(where).loaded)


def metrics(
    where: Where,
    year: int,
    layers: Sequence[str] = LAYERS,
    *,
    by: str = "pagerank",
    sources: Sequence[str] = DEFAULT_SOURCES,
    last: int | None = None,
    backend: str | None = None,
    date: dt.date | None = None,
    window: int = 1,
    weights: Mapping[str, float] | None = None,
) -> list[dict[str, Any]]:
    """Ranked centrality per layer, year and nation (``analyses.metrics.metrics``)."""
    from coopgraph.analyses import layers as _layers
    from coopgraph.analyses import metrics as _metrics

    weights = _metrics.commitment_weights(weights)  # bad choices fail before the store opens
    first, final = _metrics.span(year, last, date, window)
    chosen = _open(where, sources)
    rows = _metrics.metrics(
        chosen,
        year,
        layers,
        by=by,
        last=last,
        backend=backend,
        date=date,
        window=window,
        weights=weights,
    )
    chosen.warn_uncovered(range(first, final + 1), _layers.sources_read(chosen, layers))
    return rows


def align(
    where: Where,
    first: int,
    last: int,
    *,
    basis: str = "alliances",
    measures: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
    dyads: Sequence[tuple[str, str]] | None = None,
    directed: bool = False,
) -> list[dict[str, Any]]:
    """Foreign-policy similarity of dyads per year (``analyses.alignment.align``)."""
    from coopgraph.analyses import alignment as _alignment

    _alignment.check_basis(basis)
    opened = _open(where)
    rows = _alignment.align(
        opened,
        first,
        last,
        basis=basis,
        measures=measures,
        sources=sources,
        dyads=dyads,
        directed=directed,
    )
    opened.warn_uncovered(range(first, last + 1), _alignment.tie_sources(basis, sources))
    return rows


def blocs(
    where: Where,
    first: int,
    last: int | None = None,
    *,
    name: str = "alliances",
    method: str = "louvain",
    sources: Sequence[str] = DEFAULT_SOURCES,
) -> list[dict[str, Any]]:
    """Bloc membership per state and year (``analyses.blocs.blocs``)."""
    from coopgraph.analyses import blocs as _blocs
    from coopgraph.analyses import layers as _layers

    _blocs.check_method(method)
    chosen = _open(where, sources)
    rows = _blocs.blocs(chosen, first, last, name=name, method=method)
    final = last if last is not None else first
    chosen.warn_uncovered(range(first, final + 1), _layers.sources_read(chosen, [name]))
    return rows


def bloc_changes(
    where: Where,
    year1: int,
    year2: int,
    *,
    name: str = "alliances",
    method: str = "louvain",
    sources: Sequence[str] = DEFAULT_SOURCES,
) -> list[dict[str, Any]]:
    """States that changed bloc between two years (``analyses.blocs.bloc_changes``)."""
    from coopgraph.analyses import blocs as _blocs
    from coopgraph.analyses import layers as _layers

    chosen = _open(where, sources)
    rows = _blocs.bloc_changes(chosen, year1, year2, name=name, method=method)
    chosen.warn_uncovered([year1, year2], _layers.sources_read(chosen, [name]))
    return rows


def dependence(
    where: Where,
    first: int,
    last: int | None = None,
    *,
    name: str = "aid",
    sources: Sequence[str] = DEFAULT_SOURCES,
    recipient: str | None = None,
) -> list[dict[str, Any]]:
    """Each recipient's donors over a window (``analyses.dependence.dependence``)."""
    from coopgraph.analyses import dependence as _dependence
    from coopgraph.analyses import layers as _layers

    _dependence.check_layer(name)
    chosen = _open(where, sources)
    rows = _dependence.dependence(chosen, first, last, name=name, recipient=recipient)
    final = last if last is not None else first
    chosen.warn_uncovered(range(first, final + 1), _layers.sources_read(chosen, [name]))
    return rows


def whatif(
    where: Where,
    year: int,
    *,
    leave: str | None = None,
    alliance: str | None = None,
    stop_aid: str | None = None,
    sources: Sequence[str] = DEFAULT_SOURCES,
) -> list[dict[str, Any]]:
    """Centrality and blocs before and after a change (``analyses.whatif.whatif``)."""
    from coopgraph.analyses import whatif as _whatif

    chosen = _open(where, sources)
    rows = _whatif.whatif(chosen, year, leave=leave, alliance=alliance, stop_aid=stop_aid)
    chosen.warn_uncovered([year], chosen.sources)
    return rows


def aidalign(
    where: Where,
    donor: str,
    first: int,
    last: int,
    *,
    sources: Sequence[str] = DEFAULT_SOURCES,
    vote_sources: Sequence[str] = ("unvotes",),
    recipient: str | None = None,
) -> list[dict[str, Any]]:
    """Aid against UN voting alignment per recipient and year (``analyses.aidalign``)."""
    from coopgraph.analyses import aidalign as _aidalign

    _aidalign.check_years(first, last)
    chosen = _open(where, sources)
    rows = _aidalign.aidalign(
        chosen, donor, first, last, vote_sources=vote_sources, recipient=recipient
    )
    read = None if chosen.sources is None else (*chosen.sources, *vote_sources)
    chosen.warn_uncovered(range(first, last + 1), read)
    return rows


def viz(
    where: Where,
    view: str = "history",
    name: str | None = None,
    *,
    year: int | None = None,
    first: int | None = None,
    last: int | None = None,
    sources: Sequence[str] = DEFAULT_SOURCES,
    measure: str = "degree",
    method: str = "louvain",
) -> View:
    """An interactive HTML graph of one of the ``VIEWS`` (``outputs.views.view``)."""
    from coopgraph.outputs import views

    first, last = views.check(view, name, year, first, last, measure, method)
    chosen = _open(where, sources)
    page = views.view(
        chosen,
        view,
        name,
        year=year,
        first=first,
        last=last,
        measure=measure,
        method=method,
    )
    chosen.warn_uncovered(range(first, last + 1), chosen.sources)
    return page


def export(where: Where, fmt: str = "trig", *, sources: Sequence[str] | None = None) -> bytes:
    """The store (or the graphs of ``sources``) in ``fmt`` (``outputs.rdf.export``)."""
    from coopgraph.outputs import rdf

    rdf.check_format(fmt)
    return rdf.export(_open(where, sources), fmt)


def export_layer(
    where: Where,
    layer: str,
    year: int,
    fmt: str,
    *,
    sources: Sequence[str] = DEFAULT_SOURCES,
) -> bytes:
    """Layer ``layer`` of ``year`` as a graph file in ``fmt`` (``GRAPH_FORMATS``: GraphML
    and GEXF for Gephi, an edge-list CSV for igraph or R; ``outputs.exporters``)."""
    from coopgraph.analyses import layers as _layers
    from coopgraph.outputs import exporters

    exporters.check_format(fmt)
    _layers.check_layer(layer)
    chosen = _open(where, sources)
    data = exporters.export(_layers.layer(chosen, layer, year), fmt)
    chosen.warn_uncovered([year], _layers.sources_read(chosen, [layer]))
    return data


def void(where: Where) -> str:
    """A VoID description (Turtle) of the store (``outputs.rdf.void``)."""
    from coopgraph.outputs import rdf

    return rdf.void(_open(where))


def import_source(
    where: Where,
    name: str,
    files: Sequence[Path],
    *,
    strict: bool = False,
    replace_anyway: bool = False,
    progress: Any = None,
    graph: str | None = None,
    base: str | None = None,
):
    """Import published ``files`` as source ``name`` (see ``coopgraph.importer.run``);
    returns the ``ImportReport``. ``replace_anyway`` imports a file that ends mid-record
    or would drop more than half of the source's loaded triples (refused otherwise).
    ``graph`` and ``base`` are for ``rdf``: the named graph to write and the base IRI of
    relative IRIs."""
    from coopgraph import importer

    return importer.run(
        where,
        name,
        list(files),
        strict=strict,
        replace_anyway=replace_anyway,
        progress=progress,
        graph=graph,
        base=base,
    )


def sources(where: Where) -> list[dict[str, Any]]:
    """What the store holds per source: title, version, coverage (the first and last year
    of its dated facts, a ``coverage.Coverage`` or None), time, triples and rows, one row
    per named graph (``SOURCES_COLUMNS``)."""
    return list(_open(where).loaded.values())


def remove(where: Where, name: str) -> int:
    """Drop an imported source's graph in a new store generation; triples removed."""
    from coopgraph import importer

    return importer.remove(where, name)


def stats(where: Where) -> list[dict[str, Any]]:
    """Counts per class, source and decade, unsourced facts and identifier gaps
    (``coopgraph.stats.stats``); columns ``STATS_COLUMNS``."""
    from coopgraph import stats as store_stats

    return store_stats.stats(_open(where).reader)


def validate(files: Sequence[Path] = (), *, data: Path | None = None) -> list[Violation]:
    """SHACL violations of Turtle ``files``, or of the curated data when none are given."""
    from coopgraph.build import read_curated
    from coopgraph.validate import graph_from_nquads, load_turtle, validate_graph

    if files:
        graph = load_turtle(list(files))
    else:
        graph = graph_from_nquads(read_curated(data or data_dir()).nquads)
    return validate_graph(graph)
