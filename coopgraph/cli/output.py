"""What the commands print: data to stdout or a file, messages to stderr.

``table`` is the one writer of tidy tables (aligned text, CSV, TSV, JSON, or Parquet to a
file); messages are escaped to one inert line and coloured only on a terminal without
NO_COLOR.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from coopgraph import api
from coopgraph.errors import UsageError, printable
from coopgraph.paths import shown

if TYPE_CHECKING:
    from coopgraph.importer import ImportReport


def message(text: str, *, error: bool = False, warning: bool = False) -> None:
    """Print a message (or an ``error:`` or ``warning:`` line) to stderr."""
    text = printable(text)  # names from files (unresolved, rejected rows) stay inert text
    colour = sys.stderr.isatty() and "NO_COLOR" not in os.environ
    if error or warning:
        label, hue = ("error:", "red") if error else ("warning:", "yellow")
        prefix = click.style(label, fg=hue, bold=True) if colour else label
        click.echo(f"coopgraph: {prefix} {text}", err=True)
    else:
        click.echo(text, err=True)


def emit(text: str, output: Path | None) -> None:
    """Print ``text`` to stdout, or write it to ``output`` and say so."""
    if output is None:
        click.echo(text, nl=False)
    else:
        api.write_text(text, output)
        message(f"wrote {shown(output)}")


def emit_bytes(data: bytes, output: Path | None) -> None:
    """Print UTF-8 ``data`` to stdout, or write it to ``output`` and say how large."""
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
        return
    try:
        output.write_bytes(data)
    except OSError as error:
        raise UsageError(f"cannot write output: {error.strerror}", path=shown(output)) from None
    message(f"wrote {shown(output)} ({len(data) / 1024:,.0f} KiB)")


def table(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str, output: Path | None
) -> None:
    """Emit tidy rows as a table, CSV, TSV, JSON or (to a file) Parquet."""
    if fmt == "parquet":
        if output is None:
            raise click.BadParameter("parquet needs --output FILE", param_hint="--format")
        api.write_parquet(rows, columns, output)
        message(f"wrote {shown(output)} ({len(rows):,} rows)")
        return
    from coopgraph.outputs.tables import records

    emit(records(rows, fmt, columns), output)


def metric_columns(rows: Sequence[dict[str, Any]], chosen: Sequence[str] | None) -> list[str]:
    """The columns of a metrics table: the keys and the measures some row has, only the
    ``chosen`` measures (``--metric``) when given."""
    columns = [c for c in api.METRIC_COLUMNS if c in api.KEYS or any(c in r for r in rows)]
    if not chosen:
        return columns
    unknown = [m for m in chosen if m not in api.METRIC_COLUMNS]
    if unknown:
        raise click.BadParameter(f"unknown measure '{unknown[0]}'", param_hint="--metric")
    return [c for c in columns if c in api.KEYS or c in chosen]


@contextmanager
def progress_bar(label: str, files: Sequence[Path]) -> Iterator[Callable[[int, int], None] | None]:
    """On a terminal, a progress bar over the bytes of ``files``, fed by the callback this
    yields (bytes done, total); elsewhere None."""
    if not sys.stderr.isatty():
        yield None
        return
    total = sum(f.stat().st_size for f in files if _regular(f))
    with click.progressbar(length=max(total, 1), label=label, file=sys.stderr) as bar:
        shown_done = 0

        def update(done: int, _total: int) -> None:
            nonlocal shown_done
            bar.update(done - shown_done)
            shown_done = done

        yield update


def _regular(path: Path) -> bool:
    """True for a regular file (the progress bar's total; the import reports the rest)."""
    try:
        return path.is_file()
    except OSError:  # a name too long, a loop: the import says so in one line
        return False


def import_report(report: ImportReport) -> None:
    """The rejected rows, unresolved names and counts of an import, on stderr."""
    for line in report.rejected:
        message(f"rejected {line}")
    if report.rows_rejected > len(report.rejected):
        message(f"... and {report.rows_rejected - len(report.rejected):,} more rejected rows")
    for name, count in report.unresolved.most_common():
        message(f"unresolved: {name} ({count:,} rows)")
    for part, count in sorted(report.parts.items()):
        message(f"named graph {part}: {count:,} triples")
    message(
        f"{report.source}: {report.rows_read:,} rows read, {report.rows_imported:,} imported, "
        f"{report.rows_rejected:,} rejected"
        + (f", {report.rows_skipped:,} skipped" if report.rows_skipped else "")
        + f"; {report.triples:,} triples in "
        f"{report.graph} ({report.version or 'version not stated'}) in {report.seconds:.1f} s"
    )
