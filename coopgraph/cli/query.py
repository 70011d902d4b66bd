"""Commands that answer SPARQL: query, queries (the bundled library) and serve (the
endpoint)."""

from __future__ import annotations

from pathlib import Path

import click

from coopgraph import api
from coopgraph.cli.options import (
    LazyChoice,
    format_option,
    output_option,
    parse_names,
    parse_params,
    query_formats,
    sources_option,
)
from coopgraph.cli.output import emit
from coopgraph.errors import CoopgraphError, UsageError
from coopgraph.namespace import PREFIXES


@click.command(
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
@format_option(
    LazyChoice(query_formats),
    help="table/csv/tsv/json/xml for SELECT and ASK; "
    "turtle/ntriples/jsonld for CONSTRUCT and DESCRIBE.",
)
@output_option()
@sources_option(help="Query only these sources' graphs (see 'coopgraph sources'); default: all.")
@click.option(
    "--default-graph",
    "default_graphs",
    multiple=True,
    metavar="IRI",
    help="A graph of the default graph, as the protocol's default-graph-uri (repeatable; "
    "over FROM; not with --sources).",
)
@click.option(
    "--named-graph",
    "named_graphs",
    multiple=True,
    metavar="IRI",
    help="A named graph, as the protocol's named-graph-uri (repeatable; over FROM NAMED).",
)
@click.option(
    "--base",
    metavar="IRI",
    help="The base IRI relative IRIs in the query resolve against "
    "(default https://w3id.org/coopgraph/id/).",
)
@click.option(
    "--list",
    "list_names",
    is_flag=True,
    help="List the bundled queries, one per line (name and title), and exit.",
)
@click.pass_obj
def query(
    where,
    sparql,
    file,
    name,
    params,
    fmt,
    output,
    source_names,
    default_graphs,
    named_graphs,
    base,
    list_names,
) -> None:
    """Run a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE) on the store.

    Give the query inline, from a file with --file, or by name from the bundled library
    with --name. Unless the query names its own dataset (FROM, FROM NAMED), the default
    graph is the union of all named graphs, or of the graphs of --sources (with the
    ontology and the states every source points at), and GRAPH sees those same graphs.
    --default-graph and --named-graph name the dataset exactly, as the SPARQL 1.1
    Protocol's default-graph-uri and named-graph-uri do.
    """
    from coopgraph import queries as query_library

    if list_names:
        for query_name, q in query_library.library().items():
            click.echo(f"{query_name}\t{q.title}")
        return
    values = parse_params(params)
    q = query_library.load(name, file=file, text=sparql)
    dataset = {}
    if default_graphs or named_graphs:
        dataset = {"default_graphs": default_graphs, "named_graphs": named_graphs}
    result = api.query(
        where, q, values, fmt, sources=parse_names(source_names), base=base, **dataset
    )
    emit(result, output)


@click.command(epilog="Example: coopgraph queries")
def queries() -> None:
    """List the bundled queries with their parameters, and the prefixes every query may
    use without declaring them."""
    from coopgraph import queries as query_library

    for name, q in query_library.library().items():
        click.echo(f"{name}\n    {q.title}")
        for p in q.params.values():
            click.echo(f"    --param {p.name}=<{p.kind}>  (default {p.default})  {p.help}")
    click.echo("\nPrefixes (no PREFIX declaration needed):")
    for prefix, iri in PREFIXES.items():
        click.echo(f"    {prefix + ':':<9} <{iri}>")


@click.command(epilog="Example: coopgraph serve --port 7878 --workers 2 --deadline 30")
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
    where,
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

    if where.directory is None:
        raise UsageError(
            "serve puts the embedded store on the web; with --endpoint, point clients at "
            f"{where} itself"
        )
    if not where.exists():
        raise CoopgraphError(
            "no store here: run 'coopgraph build' first (or pass --store)", path=str(where)
        )
    run(
        where.directory,
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


COMMANDS = [query, queries, serve]
