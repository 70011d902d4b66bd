"""What the derivation scripts share: reading a published file, its checksum, and mapping
the names other datasets give states to coopgraph nation ids through data/.

Python 3 standard library only, so the scripts run without coopgraph installed.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
from collections import defaultdict
from pathlib import Path
from typing import TextIO

Names = dict[str, list[tuple[int | None, int | None, str]]]


def open_text(path: Path, encoding: str = "utf-8-sig") -> TextIO:
    """The file as text, gunzipped if it starts with the gzip magic number."""
    with path.open("rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
    if gzipped:
        return gzip.open(path, "rt", encoding=encoding, newline="")
    return path.open(encoding=encoding, newline="")


def sha256(path: Path) -> str:
    """Hex SHA-256 of the file's bytes (as published, compressed or not)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def nation_names(data: Path) -> Names:
    """Name -> [(first year, last year, nation id)], from the labels in data/nations.csv
    and the "name" rows of data/crosswalk.csv (whoever's name it is: datasets share many).
    Years are None where a row gives none."""
    names: Names = defaultdict(list)
    with (data / "nations.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            names[row["label"]].append((None, None, row["id"]))
    with (data / "crosswalk.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["scheme"] == "name":
                first = int(row["start_year"]) if row["start_year"] else None
                last = int(row["end_year"]) if row["end_year"] else None
                names[row["code"]].append((first, last, row["nation"]))
    return names


def nation_of(names: Names, name: str, year: int) -> str | None:
    """The one nation ``name`` stands for in ``year``, else None.

    A name the crosswalk bounds by years ("Vietnam": RVN to 1975, VNM from 1976) wins over
    one that holds for all years (a label such as VNM's "Vietnam")."""
    entries = names.get(name, [])
    dated = {
        nation
        for first, last, nation in entries
        if (first, last) != (None, None)
        and (first or 0) <= year <= (last if last is not None else 9999)
    }
    if dated:
        return dated.pop() if len(dated) == 1 else None
    undated = {nation for first, last, nation in entries if (first, last) == (None, None)}
    return undated.pop() if len(undated) == 1 else None
