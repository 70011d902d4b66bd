"""The only place instance IRIs are minted.

Every nation, alliance, operation, fact, source and named graph gets its IRI here, under
``https://w3id.org/coopgraph/id/`` (instances) and ``https://w3id.org/coopgraph/graph/``
(named graphs). A fact's IRI is built from its parties and start, so the same row always
gives the same IRI and rebuilding is idempotent.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import quote

from coopgraph.namespace import BASE

ID = BASE + "id/"
GRAPH = BASE + "graph/"
#: The dataset as a whole: the subject of its VoID description (``coopgraph export --void``).
DATASET = BASE + "void#dataset"

#: The named graphs a build writes, by name (``graph(name)``): the ontology, the SHACL
#: shapes, the states (``nations``), the curated facts and ``meta``, the provenance of
#: every graph. Every other graph is an imported source's: a build keeps it, and only
#: those can be removed.
BUILT_GRAPHS = ("ontology", "shapes", "nations", "curated", "meta")
#: The built graphs that hold no facts, only what describes them (the vocabulary, the
#: shapes, the provenance): statistics leave them out, and so does a list of sources.
NON_DATA_GRAPHS = ("ontology", "shapes", "meta")

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
#: What ``quote`` never encodes (its always-safe characters): most values are only these,
#: and returning them as they are spares urllib's per-character work.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


def _part(value: str) -> str:
    """One path segment, percent-encoded so no IRI can be broken by a value."""
    if _UNRESERVED.fullmatch(value):
        return value
    return _quoted(value)


@functools.lru_cache(maxsize=4096)
def _quoted(value: str) -> str:
    """``value`` percent-encoded; kept for the values that recur (a programme's name on
    each of its thousands of aid flows)."""
    return quote(value, safe="-._~")


def is_slug(value: str) -> bool:
    """True when ``value`` may be used as an id (letters, digits and '-')."""
    return bool(_SLUG.match(value))


def nation(code: str) -> str:
    """IRI of the nation with coopgraph id ``code`` (ISO 3166-1 alpha-3 or former code)."""
    return f"{ID}nation/{_part(code)}"


def organisation(slug: str) -> str:
    """IRI of an alliance or defence organisation."""
    return f"{ID}organisation/{_part(slug)}"


def operation(slug: str) -> str:
    """IRI of a military operation."""
    return f"{ID}operation/{_part(slug)}"


def source(slug: str) -> str:
    """IRI of a source (publication or dataset)."""
    return f"{ID}source/{_part(slug)}"


def fact(kind: str, *parts: str) -> str:
    """IRI of an n-ary fact node, e.g. ``fact("membership", "NATO", "POL", "1999-03-12")``."""
    return f"{ID}{_part(kind)}/" + "/".join(_part(p) if p else "-" for p in parts)


def graph(name: str) -> str:
    """IRI of a named graph: ``ontology``, ``curated``, ``meta`` or an imported source."""
    return f"{GRAPH}{_part(name)}"


def local_name(iri: str) -> str:
    """The last path segment of a coopgraph IRI (``.../nation/POL`` -> ``POL``)."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
