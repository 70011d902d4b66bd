"""The ``coopgraph`` command: a thin click layer over ``coopgraph.api``.

Each command parses its options, calls one API function and prints. Data go to stdout,
messages to stderr (a ``CoverageWarning`` as one ``coopgraph: warning:`` line); exit codes
are 0 ok, 1 invalid data or query, 2 usage.

The commands live by job in ``data`` (build, import, sources, remove, validate, stats,
export), ``query`` (query, queries, serve), ``analysis`` (metrics, align, blocs,
dependence, whatif, aidalign) and ``views`` (viz); the options they share in ``options``,
what they print in ``output``.

``coopgraph --help`` imports click and these modules, little more: the store, the query
machinery and the analyses are imported by the command that runs (through
``coopgraph.api``), and the choices of options that name measures, views or formats are
read when used (``options.LazyChoice``). ``tests/test_startup.py`` holds that line.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import click

from coopgraph import __version__
from coopgraph.cli import analysis, data, query, views
from coopgraph.cli.output import message
from coopgraph.errors import CoopgraphError, CoverageWarning

__all__ = ["main"]


class _Group(click.Group):
    """Turns a CoopgraphError anywhere below into one line and its exit code, and each
    CoverageWarning into one ``coopgraph: warning:`` line (the command goes on)."""

    def invoke(self, ctx: click.Context):
        try:
            with warnings.catch_warnings():  # restores the filters and showwarning after
                warnings.simplefilter("always", CoverageWarning)  # each command its own
                warnings.showwarning = _show_warning(warnings.showwarning)
                return super().invoke(ctx)
        except CoopgraphError as error:
            message(str(error), error=True)
            ctx.exit(error.exit_code)


def _show_warning(other: Callable[..., None]) -> Callable[..., None]:
    """``warnings.showwarning`` printing a CoverageWarning as one line without its file and
    line (it is about the data, not the code), ``other`` for any other warning."""

    def show(warning, category, filename, lineno, file=None, line=None) -> None:
        if issubclass(category, CoverageWarning):
            message(str(warning), warning=True)
        else:
            other(warning, category, filename, lineno, file, line)

    return show


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
    from coopgraph.location import LocalStore, RemoteStore
    from coopgraph.paths import default_store
    from coopgraph.remote import Endpoint

    if update_endpoint and not endpoint:
        raise click.UsageError("--update-endpoint needs --endpoint (the query endpoint) too")
    if endpoint:
        try:
            ctx.obj = RemoteStore(Endpoint(endpoint, update_endpoint))
        except CoopgraphError as error:
            raise click.UsageError(error.message) from None
    else:
        ctx.obj = LocalStore(store_path or default_store())


for _module in (data, query, analysis, views):
    for _command in _module.COMMANDS:
        main.add_command(_command)
