"""Commands that make, change, check and dump the store: build, import, sources, remove,
validate, stats, export."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from coopgraph import api
from coopgraph.cli.options import (
    RECORD_FORMATS,
    YEAR,
    LazyChoice,
    format_option,
    output_option,
    parse_names,
    sources_option,
    tidy_output,
)
from coopgraph.cli.output import emit, emit_bytes, import_report, message, progress_bar, table
from coopgraph.errors import UsageError
from coopgraph.paths import shown

if TYPE_CHECKING:
    from coopgraph.location import Location


@click.command(epilog="Example: coopgraph build --store /tmp/cg-store")
@click.option(
    "--data", type=click.Path(path_type=Path), help="Curated data folder (default data/)."
)
@click.option(
    "--ontology", type=click.Path(path_type=Path), help="Ontology folder (default ontology/)."
)
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation (not recommended).")
@click.pass_obj
def build(where: Location, data: Path | None, ontology: Path | None, no_validate: bool) -> None:
    """Build the store from ontology/ and data/, replacing it atomically.

    Every row is checked, the result is validated with the SHACL shapes, and only then is
    the new store made current: a failed build leaves the previous store as it was.
    Prints the triples loaded per named graph and the time taken.
    """
    try:
        report = api.build(where, data=data, ontology=ontology, validate=not no_validate)
    except api.ValidationFailed as failed:
        for violation in failed.violations:
            click.echo(str(violation), err=True)
        raise
    total = 0
    for count in report.counts:
        click.echo(f"{count.triples:>9,}  {count.graph or '(default graph)'}")
        total += count.triples
    click.echo(f"{total:>9,}  triples in {shown(report.store)}")
    message(f"built in {report.seconds:.2f} s")


@click.command(
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
@click.option(
    "--graph",
    metavar="IRI",
    help="rdf only: the named graph to import into (default .../graph/rdf); the import is "
    "then listed, chosen with --sources and removed under this IRI.",
)
@click.option(
    "--base",
    metavar="IRI",
    help="rdf only: the base IRI relative IRIs in the files resolve against (refused without it).",
)
@click.pass_obj
def import_(where, source, files, strict, replace_anyway, graph, base) -> None:
    """Import a published dataset into its own named graph, replacing its previous import.

    SOURCE is one of: atop, cow-alliances, cow-states, cow-nmc, sipri, sipri-tiv, unvotes,
    greenbook, kiel (plain or gzip-compressed files, as published), or rdf: a researcher's
    own Turtle, N-Triples, N-Quads, TriG, RDF/XML or JSON-LD (format from the extension),
    into the graph .../graph/rdf or the one --graph names; named graphs of quads files keep
    their names. Every country is resolved to the
    curated states; rows that cannot be read or resolved are rejected, counted and
    reported (with --strict the import is refused). A file that ends mid-record, or an
    import that would replace a loaded source with less than half its triples, is refused
    unless --replace-anyway is given. The store changes atomically: an import that fails
    or is killed leaves it as it was.
    """
    files = list(files)
    with progress_bar(f"importing {source}", files) as progress:
        report = api.import_source(
            where,
            source,
            files,
            strict=strict,
            replace_anyway=replace_anyway,
            progress=progress,
            graph=graph,
            base=base,
        )
    import_report(report)


@click.command(epilog="Example: coopgraph sources --format csv")
@format_option(RECORD_FORMATS)
@click.pass_obj
def sources(where, fmt) -> None:
    """List what the store holds per source: version, import time, triples, rows."""
    from coopgraph.outputs.tables import records

    emit(records(api.sources(where), fmt, api.SOURCES_COLUMNS), None)


@click.command(epilog="Example: coopgraph remove atop")
@click.argument("source", metavar="SOURCE")
@click.pass_obj
def remove(where, source) -> None:
    """Drop an imported source (its graph and provenance), atomically."""
    triples = api.remove(where, source)
    message(f"removed {source} ({triples:,} triples)")


@click.command(epilog="Example: coopgraph validate my-facts.ttl")
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
        message(f"{len(violations)} violation(s) in {what}", error=True)
        sys.exit(1)
    message(f"{what}: valid")


@click.command(epilog="Example: coopgraph stats --format csv -o stats.csv")
@tidy_output
@click.pass_obj
def stats(where, fmt, output) -> None:
    """Count what the store holds and what it lacks.

    Nodes per class; facts per source and per decade they start in; facts without a
    source (must be 0); states without a COW code or a Wikidata ID.
    """
    table(api.stats(where), api.STATS_COLUMNS, fmt, output)


@click.command(
    epilog="Example: coopgraph export --format trig -o coopgraph.trig\n\n"
    "\b\nA layer for Gephi, igraph or R:\n"
    "  coopgraph export --layer alliances --year 1999 --format graphml -o alliances-1999.graphml"
)
@format_option(
    LazyChoice(lambda: [*api.EXPORT_FORMATS, *api.GRAPH_FORMATS]),
    default="trig",
    help="trig and nquads keep the named graphs; turtle, ntriples and jsonld merge them. "
    "With --layer: graphml (the default there), gexf or edges-csv.",
)
@sources_option(help="Export only these sources' graphs (default: every graph).")
@click.option("--void", is_flag=True, help="Write the VoID description of the dataset instead.")
@click.option(
    "--layer",
    type=click.Choice([*api.LAYERS, *api.MORE_LAYERS]),
    help="Write this layer of --year as a graph file instead (from the curated facts unless "
    "--sources says otherwise).",
)
@click.option("--year", type=YEAR, help="The layer's year (with --layer).")
@output_option()
@click.pass_context
def export(ctx, fmt, source_names, void, layer, year, output) -> None:
    """Export the graph (or some sources) as TriG, N-Quads, Turtle, N-Triples or JSON-LD,
    or its VoID description (triples, classes and properties per named graph, sources,
    licence).

    With --layer and --year, write one layer of one year as a graph file instead: GraphML
    or GEXF (node labels, edge weights and amounts kept) or an edge list in CSV."""
    where = ctx.obj
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
        names = parse_names(source_names) or api.DEFAULT_SOURCES
        fmt = fmt if given else api.GRAPH_FORMATS[0]
        emit_bytes(api.export_layer(where, layer, year, fmt, sources=names), output)
    elif fmt in api.GRAPH_FORMATS:
        raise UsageError(f"--format {fmt} writes a layer: give --layer and --year")
    elif void:
        emit(api.void(where), output)
    else:
        emit_bytes(api.export(where, fmt, sources=parse_names(source_names)), output)


COMMANDS = [build, import_, sources, remove, validate, stats, export]
