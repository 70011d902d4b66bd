"""Commands that analyse the layers: metrics (centrality), align (foreign-policy
similarity), blocs, dependence, whatif and aidalign."""

from __future__ import annotations

from pathlib import Path

import click

from coopgraph import api
from coopgraph.cli.options import (
    YEAR,
    LazyChoice,
    first_year_option,
    last_year_option,
    layer_option,
    method_option,
    parse_dyads,
    parse_names,
    parse_weights,
    sources_option,
    tidy_output,
    top_option,
    year_option,
)
from coopgraph.cli.output import message, metric_columns, table
from coopgraph.paths import shown

#: The measures --by's help lists first: PageRank (the default) and the degrees.
_LISTED_FIRST = ("pagerank", "strength", "degree")


def rank_by() -> list[str]:
    """What --by ranks by: every measure of every layer (``centrality.MEASURES``), then the
    HITS scores of directed layers."""
    from coopgraph.metrics.centrality import DIRECTED, MEASURES

    return [
        *(m for m in _LISTED_FIRST if m in MEASURES),
        *(m for m in MEASURES if m not in _LISTED_FIRST),
        *(m for m in DIRECTED if not m.startswith(("in_", "out_"))),
    ]


@click.command(epilog="Example: coopgraph metrics --year 1999 --layer aid --format csv")
@year_option("The year (facts active at any time in it), or the first of --to.", series=True)
@last_year_option("Last year of a yearly series.")
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
@layer_option("layers", multiple=True, help="Layer(s) to rank (default: alliances, aid, arms).")
@click.option(
    "--metric",
    "metric",
    metavar="NAME,...",
    help="Only these measures as columns (e.g. pagerank,strength); default: all.",
)
@click.option(
    "--backend",
    metavar="NAME",
    help="Who computes betweenness and closeness: rustworkx (the default; the same values, "
    "compiled), networkx, or a networkx backend (e.g. parallel), which computes PageRank too.",
)
@click.option(
    "--weights",
    metavar="KIND=W,...",
    help="Alliance tie weight per commitment, e.g. defence=3,neutrality=2,entente=1,"
    "collective-security=1 (the default).",
)
@click.option(
    "--by",
    type=LazyChoice(rank_by),
    default="pagerank",
    show_default=True,
    help="Measure to rank by.",
)
@top_option("Show only the first N nations of each layer.")
@tidy_output
@sources_option("curated", "Sources whose facts make the layers, e.g. atop or curated,sipri-tiv.")
@click.pass_obj
def metrics(
    where,
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
        where,
        year if year is not None else day.year,
        layers or api.LAYERS,
        by=by,
        sources=parse_names(source_names),
        last=last,
        backend=backend,
        date=day.date() if day is not None else None,
        window=window,
        weights=parse_weights(weights),
    )
    if top:
        rows = [r for r in rows if r["rank"] <= top]
    table(rows, metric_columns(rows, parse_names(metric)), fmt, output)


@click.command(
    epilog="Example: coopgraph align --from 1946 --to 1990 --sources atop --measure kappa,s "
    "--format csv -o atop-alignment.csv"
)
@first_year_option("First year.", required=True)
@last_year_option("Last year (default: the first).")
@click.option(
    "--basis",
    type=LazyChoice(lambda: api.ALIGN_BASES),
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
@sources_option(help="Sources of the ties (default: curated for alliances, unvotes for votes).")
@click.option(
    "--dyad",
    "dyads",
    multiple=True,
    metavar="A,B",
    help="Only this pair of states (ids, names or aliases, e.g. USA,RUS); repeatable.",
)
@click.option("--directed", is_flag=True, help="Both orders of every dyad (directed dyad-years).")
@tidy_output
@click.pass_obj
def align(where, first, last, basis, measure, source_names, dyads, directed, fmt, output) -> None:
    """Foreign-policy similarity of dyads of states per year: Signorino-Ritter S
    (absolute, squared, capability-weighted), Cohen's kappa and Scott's pi (Häge 2011),
    Benati-Capurri's alignment index A (2026), Kendall's tau-b (Bueno de Mesquita 1975).

    One row per dyad and year with ccode1, ccode2, year beside the coopgraph ids and IRIs,
    so the table joins with peacesciencer-style dyad-years.
    """
    pairs = parse_dyads(dyads)
    rows = api.align(
        where,
        first,
        last if last is not None else first,
        basis=basis,
        measures=parse_names(measure),
        sources=parse_names(source_names),
        dyads=pairs,
        directed=directed,
    )
    columns = api.align_columns(rows) if rows else ["year", "state1", "state2"]
    table(rows, columns, fmt, output)


@click.command(
    epilog="Example: coopgraph blocs --from 1985 --to 1995 --format csv; "
    "coopgraph blocs --changes 1985 1995"
)
@year_option("The year, or the first of --to.", series=True)
@last_year_option("Last year of a yearly series.")
@click.option(
    "--changes",
    nargs=2,
    type=YEAR,
    metavar="YEAR1 YEAR2",
    help="List the states whose bloc changed between two years instead.",
)
@layer_option("layer_name", default="alliances")
@method_option("Louvain (fixed seed) or greedy modularity.")
@sources_option("curated")
@tidy_output
@click.pass_obj
def blocs(where, year, last, changes, layer_name, method, source_names, fmt, output) -> None:
    """Blocs of states per year (communities of a layer) and who changed bloc.

    One row per state and year: its bloc (1 = the largest), the bloc's size and the
    partition's modularity. A state without ties is a bloc of its own.
    """
    sources = parse_names(source_names)
    if changes:
        rows = api.bloc_changes(
            where, changes[0], changes[1], name=layer_name, method=method, sources=sources
        )
        table(rows, api.CHANGE_COLUMNS, fmt, output)
        return
    if year is None:
        raise click.BadParameter("give --year (or --from) or --changes", param_hint="--year")
    rows = api.blocs(where, year, last, name=layer_name, method=method, sources=sources)
    table(rows, api.BLOC_COLUMNS, fmt, output)


@click.command(epilog="Example: coopgraph dependence --from 2001 --to 2020 --layer aid")
@first_year_option("First year of the window.", required=True)
@last_year_option("Last year of the window (default: the first).")
@layer_option(
    "layer_name",
    choices=("aid", "arms"),
    default="aid",
    help="Aid in US dollars, or arms transfers in SIPRI TIV.",
)
@click.option("--recipient", help="Only this recipient (an id, name or alias: PAK, Pakistan).")
@sources_option("curated")
@tidy_output
@click.pass_obj
def dependence(where, first, last, layer_name, recipient, source_names, fmt, output) -> None:
    """Each recipient's donors over a window of years: amount, the donor's share, and the
    recipient's Herfindahl-Hirschman index of donor concentration (1: a single donor)."""
    rows = api.dependence(
        where,
        first,
        last,
        name=layer_name,
        sources=parse_names(source_names),
        recipient=recipient,
    )
    table(rows, api.DEPENDENCE_COLUMNS, fmt, output)


@click.command(
    epilog="Example: coopgraph whatif --year 2024 --leave TUR --from NATO; "
    "coopgraph whatif --year 2010 --stop-aid USA"
)
@year_option(required=True)
@click.option("--leave", help="A state that leaves an alliance (with --from): an id or name.")
@click.option(
    "--from", "alliance", help="The alliance it leaves: an id or name (NATO, 'Warsaw Pact')."
)
@click.option("--stop-aid", "stop_aid", help="A donor that gives no aid that year (id or name).")
@top_option("Only the N largest changes.")
@sources_option("curated")
@tidy_output
@click.pass_obj
def whatif(where, year, leave, alliance, stop_aid, top, source_names, fmt, output) -> None:
    """What if a state left an alliance, or a donor stopped its aid: every state's
    strength, betweenness, eigenvector centrality and PageRank, and its bloc, before and
    after, largest changes first."""
    if bool(leave) != bool(alliance):
        raise click.BadParameter("--leave and --from go together", param_hint="--leave")
    rows = api.whatif(
        where,
        year,
        leave=leave,
        alliance=alliance,
        stop_aid=stop_aid,
        sources=parse_names(source_names),
    )
    table(rows[:top] if top else rows, api.WHATIF_COLUMNS, fmt, output)


@click.command(epilog="Example: coopgraph aidalign --donor USA --from 1990 --to 2015 --format csv")
@click.option("--donor", required=True, help="The donor (an id, name or alias, e.g. USA).")
@first_year_option("First year.", required=True)
@last_year_option("Last year.", required=True)
@click.option("--recipient", help="Only this recipient (an id, name or alias).")
@sources_option("curated", "Sources of the aid (e.g. curated, or greenbook once imported).")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw aid against alignment per recipient: FILE.html (self-contained SVG) "
    "or FILE.png (needs matplotlib).",
)
@tidy_output
@click.pass_obj
def aidalign(where, donor, first, last, recipient, source_names, plot, fmt, output) -> None:
    """Does military aid align a recipient's UN votes with its donor's? One row per
    recipient-year: aid received from the donor, the donor's share, the recipient's UN
    voting alignment with the donor (S, kappa, pi; needs an unvotes import), and the
    change in kappa in the years after aid starts, rises or stops."""
    rows = api.aidalign(
        where, donor, first, last, sources=parse_names(source_names), recipient=recipient
    )
    if plot is not None:
        count = api.aidalign_plot(rows, plot, donor=donor, first=first, last=last)
        message(f"wrote {shown(plot)} ({count} recipients)")
    table(rows, api.AIDALIGN_COLUMNS, fmt, output)


COMMANDS = [metrics, align, blocs, dependence, whatif, aidalign]
