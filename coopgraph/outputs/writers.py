"""Writing output files: a one-line error for a path that cannot be written."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from coopgraph.errors import UsageError
from coopgraph.paths import shown


def write_text(text: str, path: Path) -> None:
    """Write an output file, an unwritable path reported in one line."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write output: {error.strerror}", path=shown(path)) from None


def write_parquet(rows: Sequence[dict[str, Any]], columns: Sequence[str], path: Path) -> None:
    """Write a tidy table as Parquet (needs pyarrow: ``pip install 'coopgraph[parquet]'``)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError("Parquet output needs pyarrow: pip install 'coopgraph[parquet]'") from None
    table = pa.Table.from_pylist([{c: row.get(c) for c in columns} for row in rows])
    try:
        pq.write_table(table, path)
    except OSError as error:
        raise UsageError(f"cannot write output: {error}", path=shown(path)) from None
