"""The ``coopgraph`` command: a thin click layer over ``coopgraph.api``.

Each command parses its options, calls one API function and prints. Data go to stdout,
messages to stderr; exit codes are 0 ok, 1 invalid data or query, 2 usage.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from coopgraph import __version__, api, dates, store
from coopgraph import queries as query_library
from coopgraph.errors import CoopgraphError, UsageError, printable
from coopgraph.namespace import PREFIXES
from coopgraph.paths import default_store, shown
from coopgraph.remote import Endpoint

YEAR = click.IntRange(dates.MIN_YEAR, dates.MAX_YEAR)


def _message(text: str, *, error: bool = False) -> None:
    text = printable(text)  # names from files (unresolved, rejected rows) stay inert text
    colour = sys.stderr.isatty() and "NO_COLOR" not in os.environ
    if error:
        prefix = click.style("error:", fg="red", bold=True) if colour else "error:"
        click.echo(f"coopgraph: {prefix} {text}", err=True)
    else:
        click.echo(text, err=True)


class _Group(click.Group):
    """Turns a CoopgraphError anywhere below into one line and its exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CoopgraphError as error:
            _message(str(error), error=True)
            ctx.exit(error.exit_code)


def _tidy_output(command):
    """The --format (table, CSV, TSV, JSON, Parquet) and --output options of the commands
    that write tidy tables."""
    command = click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write to a file instead of stdout (required for parquet).",
    )(command)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "csv", "tsv", "json", "parquet"]),
        default="table",
        show_default=True,
    )(command)


@click.group(cls=_Group, epilog="Example: coopgraph build && coopgraph metrics --year 1999")
@click.version_option(__version__, prog_name="coopgraph")
@click.option(
    "--store",
    "store_path",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="COOPGRAPH_STORE",
    default=None,
    help="Store directory (env COOPGRAPH_STORE; default ~/.local/share/coopgraph/store).",
)
@click.option(
    "--endpoint",
    envvar="COOPGRAPH_ENDPOINT",
    default=None,
    metavar="URL",
    help="Use an external SPARQL 1.1 endpoint instead of the embedded store "
    "(env COOPGRAPH_ENDPOINT), e.g. http://127.0.0.1:7878/query for an Oxigraph server.",
)
@click.option(
    "--update-endpoint",
    envvar="COOPGRAPH_UPDATE_ENDPOINT",
    default=None,
    metavar="URL",
    help="Its SPARQL 1.1 Update endpoint, for build, import and remove "
    "(env COOPGRAPH_UPDATE_ENDPOINT), e.g. http://127.0.0.1:7878/update.",
)
@click.pass_context
def main(
    ctx: click.Context, store_path: Path | None, endpoint: str | None, update_endpoint: str | None
) -> None:
    """coopgraph: a knowledge graph of international military cooperation.

    Alliances and their members, military operations and their participants, and
    military aid from donors to recipients, each fact dated and sourced; query it in
    SPARQL, compute centrality per year, draw it as an interactive HTML graph.
    """
    if update_endpoint and not endpoint:
        raise click.UsageError("--update-endpoint needs --endpoint (the query endpoint) too")
    if endpoint:
        try:
            ctx.obj = Endpoint(endpoint, update_endpoint)
        except CoopgraphError as error:
            raise click.UsageError(error.message) from None
    else:
        ctx.obj = store_path or default_store()


@main.command(epilog="Example: coopgraph build --store /tmp/cg-store")
@click.option(
    "--data", type=click.Path(path_type=Path), help="Curated data folder (default data/)."
)
@click.option(
    "--ontology", type=click.Path(path_type=Path), help="Ontology folder (default ontology/)."
)
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation (not recommended).")
@click.pass_obj
def build(store_path: Path, data: Path | None, ontology: Path | None, no_validate: bool) -> None:
    """Build the store from ontology/ and data/, replacing it atomically.

    Every row is checked, the result is validated with the SHACL shapes, and only then is
    the new store made current: a failed build leaves the previous store as it was.
    Prints the triples loaded per named graph and the time taken.
    """
    try:
        report = api.build(store_path, data=data, ontology=ontology, validate=not no_validate)
    except api.ValidationFailed as failed:
        for violation in failed.violations:
            click.echo(str(violation), err=True)
        raise
    total = 0
    for count in report.counts:
        click.echo(f"{count.triples:>9,}  {count.graph or '(default graph)'}")
        total += count.triples
    click.echo(f"{total:>9,}  triples in {shown(report.store)}")
    _message(f"built in {report.seconds:.2f} s")


@main.command(
    epilog="Example: coopgraph query -n alliance-members -p alliance=NATO -p date=1990-01-01"
)
@click.argument("sparql", required=False)
@click.option(
    "-f",
    "--file",
    "file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the query from a .rq file.",
)
@click.option(
    "-n", "--name", help="Run a query of the bundled library by name (see 'coopgraph queries')."
)
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind a declared parameter (repeatable), e.g. year=1999.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "jsonld"]),
    default="table",
    show_default=True,
    help="table/csv/tsv/json/xml for SELECT and ASK; "
    "turtle/ntriples/jsonld for CONSTRUCT and DESCRIBE.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to a file instead of stdout.",
)
@click.option(
    "--sources",
    "source_names",
    metavar="NAME,...",
    help="Query only these sources' graphs (see 'coopgraph sources'); default: all.",
)
@click.option(
    "--list",
    "list_names",
    is_flag=True,
    help="List the bundled queries, one per line (name and title), and exit.",
)
@click.pass_obj
def query(store_path, sparql, file, name, params, fmt, output, source_names, list_names) -> None:
    """Run a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE) on the store.

    Give the query inline, from a file with --file, or by name from the bundled library
    with --name. The default graph is the union of all named graphs, or of the graphs of
    --sources (with the ontology and the states every source points at).
    """
    if list_names:
        for query_name, q in query_library.library().items():
            click.echo(f"{query_name}\t{q.title}")
        return
    values = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"'{item}' is not NAME=VALUE", param_hint="--param")
        values[key.strip()] = value.strip()
    q = query_library.load(name, file=file, text=sparql)
    text = api.query(store_path, q, values, fmt, sources=_names(source_names))
    _emit(text, output)


@main.command(epilog="Example: coopgraph queries")
def queries() -> None:
    """List the bundled queries with their parameters, and the prefixes every query may
    use without declaring them."""
    for name, q in query_library.library().items():
        click.echo(f"{name}\n    {q.title}")
        for p in q.params.values():
            click.echo(f"    --param {p.name}=<{p.kind}>  (default {p.default})  {p.help}")
    click.echo("\nPrefixes (no PREFIX declaration needed):")
    for prefix, iri in PREFIXES.items():
        click.echo(f"    {prefix + ':':<9} <{iri}>")


@main.command(epilog="Example: coopgraph metrics --year 1999 --layer aid --format csv")
@click.option(
    "--year",
    "--from",
    "year",
    type=YEAR,
    help="The year (facts active at any time in it), or the first of --to.",
)
@click.option("--to", "last", type=YEAR, help="Last year of a yearly series.")
@click.option(
    "--date",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    help="As of this day (alliance layer; the other layers for its year).",
)
@click.option(
    "--window",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Sum the aid and arms layers over this many years ending with each year.",
)
@click.option(
    "--layer",
    "layers",
    type=click.Choice([*api.LAYERS, *api.MORE_LAYERS]),
    multiple=True,
    help="Layer(s) to rank (default: alliances, aid, arms).",
)
@click.option(
    "--metric",
    "metric",
    metavar="NAME,...",
    help="Only these measures as columns (e.g. pagerank,strength); default: all.",
)
@click.option("--backend", help="networkx backend for betweenness, closeness and PageRank.")
@click.option(
    "--weights",
    metavar="KIND=W,...",
    help="Alliance tie weight per commitment, e.g. defence=3,neutrality=2,entente=1,"
    "collective-security=1 (the default).",
)
@click.option(
    "--by",
    type=click.Choice(
        [
            "pagerank",
            "strength",
            "degree",
            "betweenness",
            "closeness",
            "eigenvector",
            "katz",
            "hub",
            "authority",
        ]
    ),
    default="pagerank",
    show_default=True,
    help="Measure to rank by.",
)
@click.option(
    "--top", type=click.IntRange(min=1), help="Show only the first N nations of each layer."
)
@_tidy_output
@click.option(
    "--sources",
    "source_names",
    metavar="NAME,...",
    default="curated",
    show_default=True,
    help="Sources whose facts make the layers, e.g. atop or curated,sipri-tiv.",
)
@click.pass_obj
def metrics(
    store_path,
    year,
    last,
    day,
    window,
    layers,
    metric,
    backend,
    weights,
    by,
    top,
    fmt,
    output,
    source_names,
) -> None:
    """Rank nations by centrality in the layers of a year, or of each year of a span.

    Layers: alliances, aid and arms (default), operations (co-participation), votes (UN
    voting agreement, from an unvotes import) and multiplex (all of them, each layer's
    weights scaled to (0, 1] and summed). Measures: degree, strength (sum of commitment
    weights for alliances, millions of current USD for aid, millions of SIPRI TIV for
    arms), betweenness, closeness, eigenvector, Katz, PageRank; in and out degree and
    strength and HITS hubs and authorities on directed layers.
    """
    if year is None and day is None:
        raise click.BadParameter("give --year (or --from), or --date", param_hint="--year")
    rows = api.metrics(
        store_path,
        year if year is not None else day.year,
        layers or api.LAYERS,
        by=by,
        sources=_names(source_names),
        last=last,
        backend=backend,
        date=day.date() if day is not None else None,
        window=window,
        weights=_weights(weights),
    )
    if top:
        rows = [r for r in rows if r["rank"] <= top]
    columns = [c for c in api.METRIC_COLUMNS if c in api.KEYS or any(c in r for r in rows)]
    chosen = _names(metric)
    if chosen:
        unknown = [m for m in chosen if m not in api.METRIC_COLUMNS]
        if unknown:
            raise click.BadParameter(f"unknown measure '{unknown[0]}'", param_hint="--metric")
        columns = [c for c in columns if c in api.KEYS or c in chosen]
    _table(rows, columns, fmt, output)


@main.command(
    epilog="Example: coopgraph align --from 1946 --to 1990 --sources atop --measure kappa,s "
    "--format csv -o atop-alignment.csv"
)
@click.option("--from", "first", type=YEAR, required=True, help="First year.")
@click.option("--to", "last", type=YEAR, help="Last year (default: the first).")
@click.option(
    "--basis",
    type=click.Choice(list(api.ALIGN_BASES)),
    default="alliances",
    show_default=True,
    help="Alliance portfolios or UN General Assembly votes.",
)
@click.option(
    "--measure",
    "measure",
    metavar="NAME,...",
    help="Measures among s, s2, s_w, s2_w, kappa, pi, bca, taub (default: all that apply).",
)
@click.option(
    "--sources",
    "source_names",
    metavar="NAME,...",
    help="Sources of the ties (default: curated for alliances, unvotes for votes).",
)
@click.option(
    "--dyad",
    "dyads",
    multiple=True,
    metavar="A,B",
    help="Only this pair of states (coopgraph ids, e.g. USA,RUS); repeatable.",
)
@click.option("--directed", is_flag=True, help="Both orders of every dyad (directed dyad-years).")
@_tidy_output
@click.pass_obj
def align(
    store_path, first, last, basis, measure, source_names, dyads, directed, fmt, output
) -> None:
    """Foreign-policy similarity of dyads of states per year: Signorino-Ritter S
    (absolute, squared, capability-weighted), Cohen's kappa and Scott's pi (Häge 2011),
    Benati-Capurri's alignment index A (2026), Kendall's tau-b (Bueno de Mesquita 1975).

    One row per dyad and year with ccode1, ccode2, year beside the coopgraph ids and IRIs,
    so the table joins with peacesciencer-style dyad-years.
    """
    pairs = []
    for item in dyads:
        parts = [p.strip() for p in item.split(",")]
        if len(parts) != 2 or not all(parts):
            raise click.BadParameter(f"'{item}' is not A,B", param_hint="--dyad")
        pairs.append((parts[0], parts[1]))
    measures = _names(measure)
    rows = api.align(
        store_path,
        first,
        last if last is not None else first,
        basis=basis,
        measures=measures,
        sources=_names(source_names),
        dyads=pairs or None,
        directed=directed,
    )
    columns = api.align_columns(rows) if rows else ["year", "state1", "state2"]
    if fmt == "parquet":
        if output is None:
            raise click.BadParameter("parquet needs --output FILE", param_hint="--format")
        api.write_parquet(rows, columns, output)
        _message(f"wrote {shown(output)} ({len(rows):,} rows)")
        return
    from coopgraph.outputs.tables import records

    _emit(records(rows, fmt, columns), output)


@main.command(
    epilog="Example: coopgraph blocs --from 1985 --to 1995 --format csv; "
    "coopgraph blocs --changes 1985 1995"
)
@click.option("--year", "--from", "year", type=YEAR, help="The year, or the first of --to.")
@click.option("--to", "last", type=YEAR, help="Last year of a yearly series.")
@click.option(
    "--changes",
    nargs=2,
    type=YEAR,
    metavar="YEAR1 YEAR2",
    help="List the states whose bloc changed between two years instead.",
)
@click.option(
    "--layer",
    "layer_name",
    type=click.Choice([*api.LAYERS, *api.MORE_LAYERS]),
    default="alliances",
    show_default=True,
)
@click.option(
    "--method",
    type=click.Choice(["louvain", "greedy"]),
    default="louvain",
    show_default=True,
    help="Louvain (fixed seed) or greedy modularity.",
)
@click.option("--sources", "source_names", metavar="NAME,...", default="curated", show_default=True)
@_tidy_output
@click.pass_obj
def blocs(store_path, year, last, changes, layer_name, method, source_names, fmt, output) -> None:
    """Blocs of states per year (communities of a layer) and who changed bloc.

    One row per state and year: its bloc (1 = the largest), the bloc's size and the
    partition's modularity. A state without ties is a bloc of its own.
    """
    sources = _names(source_names)
    if changes:
        rows = api.bloc_changes(
            store_path, changes[0], changes[1], name=layer_name, method=method, sources=sources
        )
        _table(rows, api.CHANGE_COLUMNS, fmt, output)
        return
    if year is None:
        raise click.BadParameter("give --year (or --from) or --changes", param_hint="--year")
    rows = api.blocs(store_path, year, last, name=layer_name, method=method, sources=sources)
    _table(rows, api.BLOC_COLUMNS, fmt, output)


@main.command(epilog="Example: coopgraph dependence --from 2001 --to 2020 --layer aid")
@click.option("--from", "first", type=YEAR, required=True, help="First year of the window.")
@click.option("--to", "last", type=YEAR, help="Last year of the window (default: the first).")
@click.option(
    "--layer",
    "layer_name",
    type=click.Choice(["aid", "arms"]),
    default="aid",
    show_default=True,
    help="Aid in US dollars, or arms transfers in SIPRI TIV.",
)
@click.option("--recipient", help="Only this recipient (coopgraph id).")
@click.option("--sources", "source_names", metavar="NAME,...", default="curated", show_default=True)
@_tidy_output
@click.pass_obj
def dependence(store_path, first, last, layer_name, recipient, source_names, fmt, output) -> None:
    """Each recipient's donors over a window of years: amount, the donor's share, and the
    recipient's Herfindahl-Hirschman index of donor concentration (1: a single donor)."""
    rows = api.dependence(store_path, first, last, name=layer_name, sources=_names(source_names))
    if recipient:
        rows = [r for r in rows if r["recipient"] == recipient]
    _table(rows, api.DEPENDENCE_COLUMNS, fmt, output)


@main.command(
    epilog="Example: coopgraph whatif --year 2024 --leave TUR --from NATO; "
    "coopgraph whatif --year 2010 --stop-aid USA"
)
@click.option("--year", type=YEAR, required=True)
@click.option("--leave", help="A state that leaves an alliance (with --from).")
@click.option("--from", "alliance", help="The alliance it leaves (an alliance id, e.g. NATO).")
@click.option("--stop-aid", "stop_aid", help="A donor that gives no aid that year.")
@click.option("--top", type=click.IntRange(min=1), help="Only the N largest changes.")
@click.option("--sources", "source_names", metavar="NAME,...", default="curated", show_default=True)
@_tidy_output
@click.pass_obj
def whatif(store_path, year, leave, alliance, stop_aid, top, source_names, fmt, output) -> None:
    """What if a state left an alliance, or a donor stopped its aid: every state's
    strength, betweenness, eigenvector centrality and PageRank, and its bloc, before and
    after, largest changes first."""
    if bool(leave) != bool(alliance):
        raise click.BadParameter("--leave and --from go together", param_hint="--leave")
    rows = api.whatif(
        store_path,
        year,
        leave=leave,
        alliance=alliance,
        stop_aid=stop_aid,
        sources=_names(source_names),
    )
    _table(rows[:top] if top else rows, api.WHATIF_COLUMNS, fmt, output)


def _table(rows: list[dict], columns: list[str], fmt: str, output: Path | None) -> None:
    """Emit tidy rows as a table, CSV, TSV, JSON or (to a file) Parquet."""
    if fmt == "parquet":
        if output is None:
            raise click.BadParameter("parquet needs --output FILE", param_hint="--format")
        api.write_parquet(rows, columns, output)
        _message(f"wrote {shown(output)} ({len(rows):,} rows)")
        return
    from coopgraph.outputs.tables import records

    _emit(records(rows, fmt, columns), output)


@main.command(epilog="Example: coopgraph serve --port 7878 --workers 2 --deadline 30")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to bind (0.0.0.0 exposes it)."
)
@click.option("--port", default=7878, show_default=True, type=int)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1),
    help="Query worker processes.",
)
@click.option(
    "--deadline",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds a query may run; past it its worker is killed and replaced.",
)
@click.option(
    "--queue",
    default=64,
    show_default=True,
    type=click.IntRange(0),
    help="Queries that may wait; beyond: 503 with Retry-After.",
)
@click.option("--max-rows", default=100_000, show_default=True, type=click.IntRange(1))
@click.option("--max-bytes", default=50_000_000, show_default=True, type=click.IntRange(1))
@click.option("--cors", is_flag=True, help="Send CORS headers (Access-Control-Allow-Origin: *).")
@click.option(
    "--cache-mb",
    default=64.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Result cache size in MB, emptied when the store changes; 0 turns it off.",
)
@click.option(
    "--max-memory-mb",
    default=1024,
    show_default=True,
    type=click.IntRange(0),
    help="Memory cap of each query worker; past it the query gets 507 and the worker is "
    "replaced. 0: no cap.",
)
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    metavar="NAME",
    help="A Host name to answer besides the bound address (repeatable; '*' answers any: "
    "only behind a proxy that checks Host).",
)
@click.pass_obj
def serve(
    store_path,
    host,
    port,
    workers,
    deadline,
    queue,
    max_rows,
    max_bytes,
    cors,
    cache_mb,
    max_memory_mb,
    allow_hosts,
) -> None:
    """Serve the store as a read-only SPARQL 1.1 endpoint, with a query page.

    /sparql and /query answer GET and POST (SPARQL 1.1 Protocol) in JSON, XML, CSV, TSV,
    Turtle, N-Triples or JSON-LD by content negotiation; the query page at / is YASGUI,
    shipped in the package, with the bundled queries as examples. Each query is parsed and
    runs in a worker process under a hard deadline and a memory cap, with no network;
    updates and SERVICE are refused; a rebuild or import is picked up without a restart.
    Requests whose Host is not the bound address (or an --allow-host name) get 400.
    """
    from coopgraph.serve import run

    if isinstance(store_path, Endpoint):
        raise UsageError(
            "serve puts the embedded store on the web; with --endpoint, point clients at "
            f"{store_path} itself"
        )
    if not store.exists(store_path):
        raise CoopgraphError(
            "no store here: run 'coopgraph build' first (or pass --store)", path=shown(store_path)
        )
    run(
        store_path,
        host=host,
        port=port,
        workers=workers,
        deadline=deadline,
        queue=queue,
        max_rows=max_rows,
        max_bytes=max_bytes,
        cors=cors,
        cache_mb=cache_mb,
        max_memory=max_memory_mb * 1024 * 1024 or None,
        allow_hosts=allow_hosts,
    )


@main.command(
    epilog="Example: coopgraph export --format trig -o coopgraph.trig\n\n"
    "\b\nA layer for Gephi, igraph or R:\n"
    "  coopgraph export --layer alliances --year 1999 --format graphml -o alliances-1999.graphml"
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*api.EXPORT_FORMATS, *api.GRAPH_FORMATS]),
    default="trig",
    show_default=True,
    help="trig and nquads keep the named graphs; turtle, ntriples and jsonld merge them. "
    "With --layer: graphml (the default there), gexf or edges-csv.",
)
@click.option(
    "--sources",
    "source_names",
    metavar="NAME,...",
    help="Export only these sources' graphs (default: every graph).",
)
@click.option("--void", is_flag=True, help="Write the VoID description of the dataset instead.")
@click.option(
    "--layer",
    type=click.Choice([*api.LAYERS, *api.MORE_LAYERS]),
    help="Write this layer of --year as a graph file instead (from the curated facts unless "
    "--sources says otherwise).",
)
@click.option("--year", type=YEAR, help="The layer's year (with --layer).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to a file instead of stdout.",
)
@click.pass_context
def export(ctx, fmt, source_names, void, layer, year, output) -> None:
    """Export the graph (or some sources) as TriG, N-Quads, Turtle, N-Triples or JSON-LD,
    or its VoID description (triples, classes and properties per named graph, sources,
    licence).

    With --layer and --year, write one layer of one year as a graph file instead: GraphML
    or GEXF (node labels, edge weights and amounts kept) or an edge list in CSV."""
    store_path = ctx.obj
    given = ctx.get_parameter_source("fmt") is not click.core.ParameterSource.DEFAULT
    if layer is not None or year is not None:
        if layer is None or year is None:
            raise UsageError("--layer and --year go together: give both")
        if void:
            raise UsageError("--void describes the whole store: leave out --layer and --year")
        if given and fmt not in api.GRAPH_FORMATS:
            raise UsageError(
                f"--format {fmt} is not a graph format "
                f"(with --layer: {', '.join(api.GRAPH_FORMATS)})"
            )
        names = _names(source_names) or api.DEFAULT_SOURCES
        fmt = fmt if given else api.GRAPH_FORMATS[0]
        data = api.export_layer(store_path, layer, year, fmt, sources=names)
    elif fmt in api.GRAPH_FORMATS:
        raise UsageError(f"--format {fmt} writes a layer: give --layer and --year")
    elif void:
        _emit(api.void(store_path), output)
        return
    else:
        data = api.export(store_path, fmt, sources=_names(source_names))
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        try:
            output.write_bytes(data)
        except OSError as error:
            raise UsageError(f"cannot write output: {error.strerror}", path=shown(output)) from None
        _message(f"wrote {shown(output)} ({len(data) / 1024:,.0f} KiB)")


@main.command(epilog="Example: coopgraph aidalign --donor USA --from 1990 --to 2015 --format csv")
@click.option("--donor", required=True, help="The donor (coopgraph id, e.g. USA).")
@click.option("--from", "first", type=YEAR, required=True, help="First year.")
@click.option("--to", "last", type=YEAR, required=True, help="Last year.")
@click.option("--recipient", help="Only this recipient.")
@click.option(
    "--sources",
    "source_names",
    metavar="NAME,...",
    default="curated",
    show_default=True,
    help="Sources of the aid (e.g. curated, or greenbook once imported).",
)
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw aid against alignment per recipient: FILE.html (self-contained SVG) "
    "or FILE.png (needs matplotlib).",
)
@_tidy_output
@click.pass_obj
def aidalign(store_path, donor, first, last, recipient, source_names, plot, fmt, output) -> None:
    """Does military aid align a recipient's UN votes with its donor's? One row per
    recipient-year: aid received from the donor, the donor's share, the recipient's UN
    voting alignment with the donor (S, kappa, pi; needs an unvotes import), and the
    change in kappa in the years after aid starts, rises or stops."""
    rows = api.aidalign(store_path, donor, first, last, sources=_names(source_names))
    if recipient:
        rows = [r for r in rows if r["recipient"] == recipient]
    if plot is not None:
        count = api.aidalign_plot(rows, plot, donor=donor, first=first, last=last)
        _message(f"wrote {shown(plot)} ({count} recipients)")
    _table(rows, api.AIDALIGN_COLUMNS, fmt, output)


@main.command(epilog="Example: coopgraph stats --format csv -o stats.csv")
@_tidy_output
@click.pass_obj
def stats(store_path, fmt, output) -> None:
    """Count what the store holds and what it lacks.

    Nodes per class; facts per source and per decade they start in; facts without a
    source (must be 0); states without a COW code or a Wikidata ID.
    """
    _table(api.stats(store_path), api.STATS_COLUMNS, fmt, output)


@main.command(
    epilog="Example: coopgraph viz alliances --year 1999 -o alliances.html\n\n"
    "\b\nMore examples:\n"
    "  coopgraph viz aid --from 2001 --to 2010 -o aid.html\n"
    "  coopgraph viz operation ISAF -o isaf.html\n"
    "  coopgraph viz ego POL --year 2000 -o poland.html\n"
    "  coopgraph viz blocs --year 1980 -o blocs.html\n"
    "  coopgraph viz history -o history.html   (the same as: coopgraph viz --year 2024)"
)
@click.argument("view", type=click.Choice(list(api.VIEWS)), default="history", required=False)
@click.argument("name", required=False)
@click.option("--year", type=YEAR, help="The year shown first (default: the last).")
@click.option("--from", "first", type=YEAR, help="First year in the page (default 1945).")
@click.option("--to", "last", type=YEAR, help="Last year in the page (default 2024).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="HTML file to write.",
)
@click.option(
    "--sources",
    "source_names",
    metavar="NAME,...",
    default="curated",
    show_default=True,
    help="Sources whose facts to draw.",
)
@click.option(
    "--size-by",
    "measure",
    type=click.Choice(list(api.SIZE_MEASURES)),
    default="degree",
    show_default=True,
    help="Centrality that sizes the nodes at first (the page can change it).",
)
@click.option(
    "--method",
    type=click.Choice(["louvain", "greedy"]),
    default="louvain",
    show_default=True,
    help="Bloc detection of the blocs view.",
)
@click.pass_obj
def viz(store_path, view, name, year, first, last, output, source_names, measure, method) -> None:
    """Write an interactive HTML graph: VIEW is history (default), alliances, aid,
    operation NAME, ego NAME or blocs.

    One self-contained file that opens offline, holding every year from --from to --to:
    a slider shows the network of each year; hover a node or line for its fact, dates
    and source. NAME is an operation's id or name (operation) or a nation's code or name
    (ego).
    """
    started = time.perf_counter()
    view_page = api.viz(
        store_path,
        view,
        name,
        year=year,
        first=first,
        last=last,
        sources=_names(source_names),
        measure=measure,
        method=method,
    )
    api.write_text(view_page.html, output)
    size = view_page.figures["bytes"] / 1024
    _message(
        f"wrote {shown(output)} ({size:,.0f} KiB, {view_page.figures['facts']} facts, "
        f"{time.perf_counter() - started:.1f} s)"
    )


@main.command(epilog="Example: coopgraph validate my-facts.ttl")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--data",
    type=click.Path(path_type=Path),
    help="Curated data folder to validate (default data/).",
)
def validate(files, data) -> None:
    """Validate Turtle FILES (or the curated data) against the SHACL shapes.

    Prints one violation per line (focus node, property, message) and exits 1 when
    there is any.
    """
    violations = api.validate([Path(f) for f in files], data=data)
    for violation in violations:
        click.echo(str(violation))
    what = ", ".join(shown(f) for f in files) if files else "curated data"
    if violations:
        _message(f"{len(violations)} violation(s) in {what}", error=True)
        sys.exit(1)
    _message(f"{what}: valid")


def _weights(value: str | None) -> dict[str, float] | None:
    """``defence=3,entente=0.5`` as a dict (None when not given)."""
    if value is None:
        return None
    weights = {}
    for item in value.split(","):
        kind, sep, number = item.partition("=")
        try:
            weights[kind.strip()] = float(number)
        except ValueError:
            raise click.BadParameter(
                f"'{item}' is not KIND=NUMBER", param_hint="--weights"
            ) from None
        if not sep:
            raise click.BadParameter(f"'{item}' is not KIND=NUMBER", param_hint="--weights")
    return weights


def _names(value: str | None) -> list[str] | None:
    """A comma-separated --sources value as a list (None when not given)."""
    if value is None:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    if not names:
        raise click.BadParameter("give at least one source name", param_hint="--sources")
    return names


@main.command(
    "import",
    epilog="Example: coopgraph import atop atop5_1m.csv.gz atop5_1a.csv",
)
@click.argument("source", metavar="SOURCE")
# click checks nothing of the files: the import names each problem in one line
@click.argument("files", nargs=-1, required=True, type=click.Path(readable=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Refuse the whole import at the first bad row.")
@click.option(
    "--replace-anyway",
    is_flag=True,
    help="Import even when a file ends mid-record (truncated) or the import would drop "
    "more than half of the source's loaded triples (both refused otherwise).",
)
@click.pass_obj
def import_(store_path, source, files, strict, replace_anyway) -> None:
    """Import a published dataset into its own named graph, replacing its previous import.

    SOURCE is one of: atop, cow-alliances, cow-states, cow-nmc, sipri, sipri-tiv, unvotes,
    greenbook, kiel (plain or gzip-compressed files, as published). Every country is resolved to the
    curated states; rows that cannot be read or resolved are rejected, counted and
    reported (with --strict the import is refused). A file that ends mid-record, or an
    import that would replace a loaded source with less than half its triples, is refused
    unless --replace-anyway is given. The store changes atomically: an import that fails
    or is killed leaves it as it was.
    """
    bar = None
    progress = None
    if sys.stderr.isatty():
        total = sum(Path(f).stat().st_size for f in files if _regular(Path(f)))
        bar = click.progressbar(length=max(total, 1), label=f"importing {source}", file=sys.stderr)
        bar.__enter__()
        state = {"done": 0}

        def progress(done: int, _total: int) -> None:
            bar.update(done - state["done"])
            state["done"] = done

    try:
        report = api.import_source(
            store_path,
            source,
            [Path(f) for f in files],
            strict=strict,
            replace_anyway=replace_anyway,
            progress=progress,
        )
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    for line in report.rejected:
        _message(f"rejected {line}")
    if report.rows_rejected > len(report.rejected):
        _message(f"... and {report.rows_rejected - len(report.rejected):,} more rejected rows")
    for name, count in report.unresolved.most_common():
        _message(f"unresolved: {name} ({count:,} rows)")
    _message(
        f"{report.source}: {report.rows_read:,} rows read, {report.rows_imported:,} imported, "
        f"{report.rows_rejected:,} rejected"
        + (f", {report.rows_skipped:,} skipped" if report.rows_skipped else "")
        + f"; {report.triples:,} triples in "
        f"{report.graph} ({report.version or 'version not stated'}) in {report.seconds:.1f} s"
    )


@main.command(epilog="Example: coopgraph sources --format csv")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json"]),
    default="table",
    show_default=True,
)
@click.pass_obj
def sources(store_path, fmt) -> None:
    """List what the store holds per source: version, import time, triples, rows."""
    from coopgraph.outputs.tables import records

    _emit(records(api.sources(store_path), fmt, api.SOURCES_COLUMNS), None)


@main.command(epilog="Example: coopgraph remove atop")
@click.argument("source", metavar="SOURCE")
@click.pass_obj
def remove(store_path, source) -> None:
    """Drop an imported source (its graph and provenance), atomically."""
    triples = api.remove(store_path, source)
    _message(f"removed {source} ({triples:,} triples)")


def _regular(path: Path) -> bool:
    """True for a regular file (the progress bar's total; the import reports the rest)."""
    try:
        return path.is_file()
    except OSError:  # a name too long, a loop: the import says so in one line
        return False


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        api.write_text(text, output)
        _message(f"wrote {shown(output)}")


if __name__ == "__main__":  # pragma: no cover
    main()
