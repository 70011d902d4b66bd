"""Options shared by coopgraph's commands, declared once, and the parsers of their values.

Each decorator adds one option (or one pair) with the name, type and metavar every command
gives it; the command passes what differs (its default and its help). The parsers turn a
comma-separated value into what the API takes, a bad value into a usage error naming the
option.

Choices declared by modules that import networkx, numpy or rdflib (measures, bloc methods,
views, RDF formats) are read through ``LazyChoice``, when a command checks its value or
shows its help: ``coopgraph --help`` and ``coopgraph query`` start without those libraries.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

import click

from coopgraph import api, dates

F = TypeVar("F", bound=Callable[..., object])

YEAR = click.IntRange(dates.MIN_YEAR, dates.MAX_YEAR)
#: Formats of plain records (``tables.records``) and of the tidy tables, which may also go
#: to a Parquet file.
RECORD_FORMATS = ("table", "csv", "tsv", "json")
TIDY_FORMATS = (*RECORD_FORMATS, "parquet")
#: Every layer a command can project.
ALL_LAYERS = (*api.LAYERS, *api.MORE_LAYERS)


class LazyChoice(click.Choice):
    """A ``click.Choice`` whose names come from ``names()``, called the first time a value
    is checked or the help lists them rather than when the command is declared."""

    def __init__(self, names: Callable[[], Iterable[str]]) -> None:
        # click.Choice.__init__ would read the names now: set what it sets but them
        self._names = names
        self.case_sensitive = True

    @functools.cached_property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        """The names, read once."""
        return tuple(self._names())


def query_formats() -> tuple[str, ...]:
    """Formats of a query's result: the records' and SPARQL's for SELECT and ASK, RDF's for
    CONSTRUCT and DESCRIBE (``coopgraph.outputs.tables``, which imports pyoxigraph)."""
    from coopgraph.outputs.tables import GRAPH_FORMATS, RESULT_FORMATS

    return ("table", *RESULT_FORMATS, *GRAPH_FORMATS)


def _bloc_methods() -> tuple[str, ...]:
    """``coopgraph.metrics.blocs.METHODS`` (a module importing networkx)."""
    from coopgraph.metrics.blocs import METHODS

    return METHODS


def sources_option(default: str | None = None, help: str | None = None) -> Callable[[F], F]:
    """``--sources NAME,...`` (``source_names``, parsed with ``parse_names``): the sources whose
    graphs a command reads; ``default`` is shown in the help when there is one."""
    return click.option(
        "--sources",
        "source_names",
        metavar="NAME,...",
        default=default,
        show_default=default is not None,
        help=help,
    )


def format_option(
    choices: Sequence[str] | click.Choice, default: str = "table", help: str | None = None
) -> Callable[[F], F]:
    """``--format`` (``fmt``) among ``choices`` (names, or a ``LazyChoice``), its default
    shown."""
    return click.option(
        "--format",
        "fmt",
        type=choices if isinstance(choices, click.Choice) else click.Choice(list(choices)),
        default=default,
        show_default=True,
        help=help,
    )


def output_option(
    help: str = "Write to a file instead of stdout.", required: bool = False
) -> Callable[[F], F]:
    """``-o/--output FILE`` (``output``): where to write instead of stdout."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        required=required,
        help=help,
    )


def tidy_output(command: F) -> F:
    """The --format (table, CSV, TSV, JSON, Parquet) and --output options of the commands
    that write tidy tables (``output.table``)."""
    command = output_option("Write to a file instead of stdout (required for parquet).")(command)
    return format_option(TIDY_FORMATS)(command)


def year_option(
    help: str | None = None, *, required: bool = False, series: bool = False
) -> Callable[[F], F]:
    """``--year`` (``year``); with ``series`` also spelt ``--from``, the first of ``--to``."""
    names = ("--year", "--from") if series else ("--year",)
    return click.option(*names, "year", type=YEAR, required=required, help=help)


def first_year_option(help: str, *, required: bool = False) -> Callable[[F], F]:
    """``--from`` (``first``): the first year of a span."""
    return click.option("--from", "first", type=YEAR, required=required, help=help)


def last_year_option(help: str, *, required: bool = False) -> Callable[[F], F]:
    """``--to`` (``last``): the last year of a span or a yearly series."""
    return click.option("--to", "last", type=YEAR, required=required, help=help)


def layer_option(
    dest: str,
    *,
    choices: Sequence[str] = ALL_LAYERS,
    default: str | None = None,
    multiple: bool = False,
    help: str | None = None,
) -> Callable[[F], F]:
    """``--layer`` (``dest``) among the layers ``choices``, its default shown."""
    return click.option(
        "--layer",
        dest,
        type=click.Choice(list(choices)),
        default=default,
        show_default=default is not None,
        multiple=multiple,
        help=help,
    )


def method_option(help: str) -> Callable[[F], F]:
    """``--method``: the bloc detection of ``coopgraph.metrics.blocs``."""
    return click.option(
        "--method",
        type=LazyChoice(_bloc_methods),
        default="louvain",
        show_default=True,
        help=help,
    )


def top_option(help: str) -> Callable[[F], F]:
    """``--top N`` (``top``): only the first N rows."""
    return click.option("--top", type=click.IntRange(min=1), help=help)


def parse_names(value: str | None) -> list[str] | None:
    """A comma-separated --sources value as a list (None when not given)."""
    if value is None:
        return None
    found = [n.strip() for n in value.split(",") if n.strip()]
    if not found:
        raise click.BadParameter("give at least one source name", param_hint="--sources")
    return found


def parse_weights(value: str | None) -> dict[str, float] | None:
    """``defence=3,entente=0.5`` as a dict (None when not given)."""
    if value is None:
        return None
    found = {}
    for item in value.split(","):
        kind, sep, number = item.partition("=")
        try:
            found[kind.strip()] = float(number)
        except ValueError:
            raise click.BadParameter(
                f"'{item}' is not KIND=NUMBER", param_hint="--weights"
            ) from None
        if not sep:
            raise click.BadParameter(f"'{item}' is not KIND=NUMBER", param_hint="--weights")
    return found


def parse_dyads(values: Sequence[str]) -> list[tuple[str, str]] | None:
    """``--dyad A,B`` values as pairs (None when none is given)."""
    pairs = []
    for item in values:
        parts = [p.strip() for p in item.split(",")]
        if len(parts) != 2 or not all(parts):
            raise click.BadParameter(f"'{item}' is not A,B", param_hint="--dyad")
        pairs.append((parts[0], parts[1]))
    return pairs or None


def parse_params(values: Sequence[str]) -> dict[str, str]:
    """``--param NAME=VALUE`` values as a dict."""
    found = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"'{item}' is not NAME=VALUE", param_hint="--param")
        found[key.strip()] = value.strip()
    return found
