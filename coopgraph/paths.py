"""Where coopgraph finds its ontology, curated data and store.

The ontology/ and data/ folders sit at the top of the project, beside the package (the
design card's layout); coopgraph is installed from a checkout with ``pip install -e .``.
``COOPGRAPH_DATA`` and ``COOPGRAPH_ONTOLOGY`` point elsewhere; ``COOPGRAPH_STORE`` (or
``--store``) sets the store, by default ``$XDG_DATA_HOME/coopgraph/store``
(``~/.local/share/coopgraph/store``).
"""

from __future__ import annotations

import os
from pathlib import Path

from coopgraph.errors import escape

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The curated data folder."""
    return Path(os.environ.get("COOPGRAPH_DATA") or PROJECT_ROOT / "data")


def ontology_dir() -> Path:
    """The folder holding coopgraph.ttl, shapes.ttl and examples/."""
    return Path(os.environ.get("COOPGRAPH_ONTOLOGY") or PROJECT_ROOT / "ontology")


def default_store() -> Path:
    """The store location: ``$COOPGRAPH_STORE``, else the per-user data directory."""
    if os.environ.get("COOPGRAPH_STORE"):
        return Path(os.environ["COOPGRAPH_STORE"])
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "coopgraph" / "store"


def shown(path: Path | str) -> str:
    """A path as a user should read it in a message: relative to the working directory
    when it lies below it, else as given. A remote store shows as its URL. Bytes of the
    name that do not decode and control characters are shown escaped (``caf\\xe9.csv``),
    and a path that cannot be resolved (a symbolic link loop) is shown as given."""
    if not isinstance(path, (str, Path)):
        return str(path)
    path = Path(path)
    try:
        return escape(str(path.resolve().relative_to(Path.cwd().resolve())))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (< 3.13)
        return escape(str(path))
