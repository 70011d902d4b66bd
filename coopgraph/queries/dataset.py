"""Which RDF dataset a query runs on: SPARQL 1.1's rules, decided in one place.

coopgraph keeps every fact in a named graph, so by default a query's default graph is the
union of the named graphs, or of the chosen sources' graphs (``--sources``). That default
holds only when nothing else names a dataset; in order:

1. the request's dataset (the SPARQL 1.1 Protocol's ``default-graph-uri`` and
   ``named-graph-uri``): exactly those graphs, whatever the query says (Protocol, 2.1.4);
   a request naming only default graphs has no named graphs, and the other way round;
2. the query's own ``FROM`` and ``FROM NAMED`` (SPARQL 1.1 Query, 13.2), read by Oxigraph:
   a query with only ``FROM NAMED <g>`` has an empty default graph, one with only
   ``FROM <g>`` has g as its default graph and no named graphs;
3. ``graphs`` (the chosen sources): their union is the default graph, and they are the
   named graphs ``GRAPH`` sees, as a request naming them in both of the protocol's
   parameters would have it (so ``--sources rdf`` hides the ``meta`` graph from
   ``GRAPH ?g`` as it hides it from the default graph);
4. the union of all named graphs (and every named graph for ``GRAPH``).

Oxigraph's ``use_default_graph_as_union`` replaces whatever dataset the query names, so it
is given only in case 4 (DESIGN.md, "Modelling decisions": measured in main, the union
overrode FROM). Whether a query names a dataset is read from its parse: the endpoint's
screen has parsed it already (``declares``); ``names_dataset`` parses a text only when it
holds the keyword FROM outside comments, strings and IRIs, so queries without it (the whole
library) cost no parse.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from coopgraph.queries import lexical

_FROM = re.compile(r"(?i)(?<![\w:?$])FROM(?![\w:])")


@dataclass(frozen=True)
class Dataset:
    """A dataset named by a request: the graphs whose merge is the default graph, and the
    named graphs (IRIs)."""

    default: tuple[str, ...] = ()
    named: tuple[str, ...] = ()


def request(default: Sequence[str], named: Sequence[str]) -> Dataset:
    """The dataset of ``coopgraph query --default-graph IRI --named-graph IRI``, each IRI
    checked: an IRI that is not absolute is a usage error."""
    from coopgraph.errors import UsageError

    for option, iris in (("--default-graph", default), ("--named-graph", named)):
        for iri in iris:
            try:
                ox.NamedNode(iri)
            except ValueError as error:
                raise UsageError(f"{option} '{iri}' is not an absolute IRI: {error}") from None
    return Dataset(tuple(default), tuple(named))


def declares(node) -> bool:
    """Whether an rdflib query node (parsed or translated) has a FROM or FROM NAMED clause."""
    return bool(node.datasetClause)


@functools.lru_cache(maxsize=256)
def names_dataset(text: str) -> bool:
    """Whether the query ``text`` names its own dataset with FROM or FROM NAMED.

    >>> names_dataset("SELECT * FROM NAMED <urn:g> { GRAPH ?g { ?s ?p ?o } }")
    True
    >>> names_dataset('SELECT ?from { ?s <urn:from> "FROM" } # FROM <urn:g>')
    False

    A text rdflib cannot parse (Oxigraph reads some it does not) is judged by its keyword.
    """
    if not _FROM.search(lexical.code(text)):
        return False
    from rdflib.plugins.sparql import parser

    try:
        parsed = parser.Query.parse_string(text, parse_all=True)
    except Exception:  # noqa: BLE001 - pyparsing's errors, RecursionError: keep the keyword's word
        return True
    return declares(parsed[1])


def options(
    *, own: bool, request: Dataset | None = None, graphs: Sequence[str] | None = None
) -> dict[str, object]:
    """The dataset arguments of ``pyoxigraph.Store.query`` by the rules of the module doc.

    ``own``: the query names its dataset (``names_dataset``, ``declares``); ``request``:
    the protocol's dataset; ``graphs``: the chosen sources' graphs.

    >>> options(own=False)
    {'use_default_graph_as_union': True}
    >>> options(own=True, graphs=["urn:g"])
    {}
    >>> options(own=True, request=Dataset(named=("urn:g",)))["default_graph"]
    []
    """
    if request is not None:
        return {
            "default_graph": [ox.NamedNode(g) for g in request.default],
            "named_graphs": [ox.NamedNode(g) for g in request.named],
        }
    if own:
        return {}
    if graphs is not None:
        chosen = [ox.NamedNode(g) for g in graphs]
        return {"default_graph": chosen, "named_graphs": chosen}
    return {"use_default_graph_as_union": True}
