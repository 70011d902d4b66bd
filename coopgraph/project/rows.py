"""RDF terms into Python values: the rows of a library query as dicts.

Every projection reads the store through ``rows``: one named query from the library, its
solutions turned into plain Python values (``int``, ``Decimal``, ``date``, ``bool``,
``str``) that networkx attributes and the analyses can hold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from coopgraph import queries
from coopgraph.namespace import PREFIXES

_XSD = PREFIXES["xsd"]
#: Literal datatype -> the function that gives its Python value (others stay strings).
_FROM_LITERAL = {
    ox.NamedNode(_XSD + "integer"): int,
    ox.NamedNode(_XSD + "decimal"): Decimal,
    ox.NamedNode(_XSD + "date"): dt.date.fromisoformat,
    ox.NamedNode(_XSD + "boolean"): "true".__eq__,
}


def _python(term: Any) -> Any:
    """A pyoxigraph term as a Python value (int, Decimal, date, bool, str).

    >>> _python(ox.Literal("1999-03-12", datatype=ox.NamedNode(_XSD + "date")))
    datetime.date(1999, 3, 12)
    >>> _python(ox.Literal("true", datatype=ox.NamedNode(_XSD + "boolean"))), _python(None)
    (True, None)
    """
    kind = type(term)
    if kind is ox.Literal:
        convert = _FROM_LITERAL.get(term.datatype)
        return convert(term.value) if convert else term.value
    if kind is ox.NamedNode:
        return term.value
    if term is None:
        return None
    return str(term)


def rows(
    store: ox.Store, name: str, graphs: Sequence[str] | None = None, **params: object
) -> list[dict[str, Any]]:
    """The rows of a library SELECT query as dicts of Python values, over the union of
    ``graphs`` (named graph IRIs; all graphs when None)."""
    query = queries.library()[name]
    result = queries.run(
        store,
        query,
        {k: str(v) for k, v in params.items()},
        graphs=list(graphs) if graphs is not None else None,
    )
    variables = [v.value for v in result.variables]
    # a solution iterates over its values in the order of ``variables``
    return [dict(zip(variables, map(_python, solution), strict=True)) for solution in result]
