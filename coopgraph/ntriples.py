"""Writing RDF terms as N-Quads text, for Oxigraph's bulk parser.

Sources turn their rows into N-Quads lines with these helpers and hand the text to
``Store.replace``; Oxigraph parses it in Rust, so no triple goes through Python objects.
Escaping follows the N-Triples grammar (ECHAR and UCHAR).
"""

from __future__ import annotations

import re
from decimal import Decimal

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}
#: ``str.translate`` table of the escapes: one pass in C over a literal's text.
_ESCAPE_TABLE = str.maketrans(_ESCAPES)
#: Characters N-Triples forbids in an IRI: controls, space and ``<>"{}|^`\``.
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def iri(value: str) -> str:
    """An IRI term; raises ValueError for characters N-Triples forbids in IRIs.

    >>> iri("https://w3id.org/coopgraph/id/nation/POL")
    '<https://w3id.org/coopgraph/id/nation/POL>'
    """
    if ":" not in value or _IRI_FORBIDDEN.search(value):
        raise ValueError(f"not an absolute IRI: {value!r}")
    return f"<{value}>"


def literal(value: str, *, datatype: str | None = None, lang: str | None = None) -> str:
    """A literal term with its escapes; a plain string when no datatype or language.

    >>> literal('He said "no"\\n')
    '"He said \\\\"no\\\\"\\\\n"'
    >>> literal("1999-03-12", datatype=XSD + "date")
    '"1999-03-12"^^<http://www.w3.org/2001/XMLSchema#date>'
    """
    text = value.translate(_ESCAPE_TABLE)
    if lang:
        return f'"{text}"@{lang}'
    if datatype:
        return f'"{text}"^^{iri(datatype)}'
    return f'"{text}"'


def date(value: object) -> str:
    """An ``xsd:date`` literal from a ``datetime.date``."""
    return literal(str(value), datatype=XSD + "date")


def integer(value: int) -> str:
    """An ``xsd:integer`` literal."""
    return literal(str(int(value)), datatype=XSD + "integer")


def decimal(value: Decimal) -> str:
    """An ``xsd:decimal`` literal, always written with a decimal point."""
    text = format(value, "f")
    if "." not in text:
        text += ".0"
    return literal(text, datatype=XSD + "decimal")


def boolean(value: bool) -> str:
    """An ``xsd:boolean`` literal."""
    return literal("true" if value else "false", datatype=XSD + "boolean")


def quad(subject: str, predicate: str, obj: str, graph: str) -> str:
    """One N-Quads line; ``subject``, ``predicate`` and ``graph`` are plain IRIs."""
    return f"{iri(subject)} {iri(predicate)} {obj} {iri(graph)} .\n"
