"""The command that draws the graph: viz, an interactive HTML page."""

from __future__ import annotations

import time

import click

from coopgraph import api
from coopgraph.cli.options import (
    LazyChoice,
    first_year_option,
    last_year_option,
    method_option,
    output_option,
    parse_names,
    sources_option,
    year_option,
)
from coopgraph.cli.output import message
from coopgraph.paths import shown


@click.command(
    epilog="Example: coopgraph viz alliances --year 1999 -o alliances.html\n\n"
    "\b\nMore examples:\n"
    "  coopgraph viz aid --from 2001 --to 2010 -o aid.html\n"
    "  coopgraph viz operation ISAF -o isaf.html\n"
    "  coopgraph viz ego POL --year 2000 -o poland.html\n"
    "  coopgraph viz blocs --year 1980 -o blocs.html\n"
    "  coopgraph viz history -o history.html   (the same as: coopgraph viz --year 2024)"
)
@click.argument("view", type=LazyChoice(lambda: api.VIEWS), default="history", required=False)
@click.argument("name", required=False)
@year_option("The year shown first (default: the last).")
@first_year_option("First year in the page (default 1945).")
@last_year_option("Last year in the page (default 2024).")
@output_option("HTML file to write.", required=True)
@sources_option("curated", "Sources whose facts to draw.")
@click.option(
    "--size-by",
    "measure",
    type=LazyChoice(lambda: api.SIZE_MEASURES),
    default="degree",
    show_default=True,
    help="Centrality that sizes the nodes at first (the page can change it).",
)
@method_option("Bloc detection of the blocs view.")
@click.pass_obj
def viz(where, view, name, year, first, last, output, source_names, measure, method) -> None:
    """Write an interactive HTML graph: VIEW is history (default), alliances, aid,
    operation NAME, ego NAME or blocs.

    One self-contained file that opens offline, holding every year from --from to --to:
    a slider shows the network of each year; hover a node or line for its fact, dates
    and source. NAME is an operation's id or name (operation) or a nation's code or name
    (ego).
    """
    started = time.perf_counter()
    view_page = api.viz(
        where,
        view,
        name,
        year=year,
        first=first,
        last=last,
        sources=parse_names(source_names),
        measure=measure,
        method=method,
    )
    api.write_text(view_page.html, output)
    size = view_page.figures["bytes"] / 1024
    message(
        f"wrote {shown(output)} ({size:,.0f} KiB, {view_page.figures['facts']} facts, "
        f"{time.perf_counter() - started:.1f} s)"
    )


COMMANDS = [viz]
