"""Importer ``rdf``: a researcher's own RDF files, as they are, into a named graph.

Reads Turtle (``.ttl``), N-Triples (``.nt``), N-Quads (``.nq``), TriG (``.trig``), RDF/XML
(``.rdf``, ``.owl``, ``.xml``) and JSON-LD (``.jsonld``), each plain or gzip-compressed
(``.gz`` after the extension; gzip is recognised by its first bytes, within
``MAX_DECOMPRESSED_BYTES``). The format comes from the extension. Oxigraph's parsers stream
the statements; each becomes one N-Quads line, so memory stays flat however large the file.

Where the statements go:

- the triples of a file's default graph go to the import's graph: ``ImportContext.graph``,
  ``https://w3id.org/coopgraph/graph/rdf`` unless ``coopgraph import rdf --graph IRI``;
- a named graph of an N-Quads, TriG or JSON-LD file keeps its name (a SPARQL ``GRAPH``
  query finds it as the file named it) and is counted in ``ImportContext.parts``: the
  runner records it as part of the import, which a re-import or ``coopgraph remove``
  drops with the rest. A graph named by a blank node is refused (no one could name it in
  a query or a removal).

Blank node labels get a random prefix per file (two files that both say ``_:b1`` mean two
nodes), so importing a file again gives the same graph up to blank node names. Relative
IRIs resolve against ``ImportContext.base`` (``--base IRI``, or the file's own ``@base``
or ``xml:base``); without one they are an error, since a base made from where the file
happens to lie (``file:///home/...``) would put that path into every IRI.

A file that does not parse is refused whole with the parser's line and problem
(``data.ttl:12: ...``); RDF/XML and JSON-LD parsers mostly report no line. RDF/XML is read
by expat first, as the bytes arrive (``_CheckedXml``): Oxigraph's RDF/XML parser expands
XML entities without a bound (a 1 kB "billion laughs" file aborted the process) and takes
time growing with the square of the nesting depth (20,000 levels: 21 s).
"""

from __future__ import annotations

import io
import secrets
import xml.parsers.expat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from coopgraph.errors import CoopgraphError
from coopgraph.paths import shown
from coopgraph.sources import (
    MAX_CELL_CHARS,
    READ_ERRORS,
    ImportContext,
    Importer,
    content,
    importer,
)

#: File extensions and the formats they name (a ``.gz`` after them is dropped first).
FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}
#: Deepest element nesting an RDF/XML file may have: 1,000. RDF/XML that tools write
#: nests a few levels per resource; Oxigraph's parser took 0.8 s at 5,000 levels, 3.9 s at
#: 10,000 and 21 s at 20,000 (2 cores, Dec 2026).
MAX_XML_DEPTH = 1_000
#: Longest replacement text of an XML entity in RDF/XML (characters): 4 KiB. Ontology
#: editors declare entities as namespace abbreviations (``<!ENTITY owl "http://...#">``).
MAX_ENTITY_CHARS = 4096


def rdf_format(path: Path) -> ox.RdfFormat:
    """The RDF format ``path``'s extension names (``.gz`` dropped), or a one-line error."""
    name = path.name.lower().removesuffix(".gz")
    suffix = Path(name).suffix
    if suffix not in FORMATS:
        known = " ".join(FORMATS)
        raise CoopgraphError(
            f"not an RDF file extension: give one of {known} (each may end in .gz)",
            path=shown(path),
        )
    return FORMATS[suffix]


@importer("rdf")
class Rdf(Importer):
    """RDF files of any common syntax, into the import's graph (see the module doc)."""

    name = "rdf"
    title = "RDF files (coopgraph import rdf)"
    needs_states = False
    options = ("graph", "base")

    def order(self, files: list[Path]) -> list[Path]:
        """The files as given, once each has an RDF extension (checked before any is read)."""
        for path in files:
            rdf_format(path)
        return files

    def header(self, ctx: ImportContext) -> list[str]:
        return []

    def read(self, raw: BinaryIO, path: Path, ctx: ImportContext) -> Iterator[list[str]]:
        """One N-Quads line per statement of the file (see the module doc)."""
        fmt = rdf_format(path)
        try:
            stream = content(raw, path)
            if not stream.peek(1):  # type: ignore[attr-defined]
                raise CoopgraphError("empty file", path=shown(path), line=1)
            if fmt == ox.RdfFormat.RDF_XML:
                stream = io.BufferedReader(_CheckedXml(stream, path))
            target = f" <{ctx.graph}> .\n"
            salt = secrets.token_hex(8)  # this file's blank nodes are its own
            for quad in ox.parse(stream, format=fmt, base_iri=ctx.base):
                graph = quad.graph_name
                if type(graph) is ox.DefaultGraph:
                    end = target
                elif type(graph) is ox.BlankNode:
                    raise CoopgraphError(
                        "a named graph without a name (a blank node): name it with an IRI",
                        path=shown(path),
                    )
                else:
                    if graph.value != ctx.graph:
                        ctx.parts[graph.value] += 1
                    end = f" {graph} .\n"
                yield [_statement(quad, salt) + end]
        except SyntaxError as error:
            raise _located(error, path, ctx.base) from None
        except READ_ERRORS as error:
            raise CoopgraphError(f"cannot read the file: {error}", path=shown(path)) from None

    def version(self, ctx: ImportContext) -> str:
        return ""


def _statement(quad: ox.Quad, salt: str) -> str:
    """The quad's subject, predicate and object in N-Triples, each blank node's label
    prefixed by ``salt``.

    Oxigraph's ``rename_blank_nodes`` would do this with a map of every label it met, which
    grew by 70 bytes per blank node (85 MB for 1.2 million triples with 300,000 blank
    nodes); a prefix needs no memory. A file's anonymous nodes get random labels from the
    parser, its ``_:x`` the label ``x``: the prefix keeps both apart from other files'."""
    subject, obj = quad.subject, quad.object
    if type(obj) is ox.Triple:  # an RDF 1.2 triple term, which may hold blank nodes
        return str(ox.Quad(_renamed(subject, salt), quad.predicate, _renamed(obj, salt)))
    if type(subject) is ox.BlankNode or type(obj) is ox.BlankNode:
        subject_text = f"_:{salt}{subject.value}" if type(subject) is ox.BlankNode else subject
        object_text = f"_:{salt}{obj.value}" if type(obj) is ox.BlankNode else obj
        return f"{subject_text} {quad.predicate} {object_text}"
    if type(quad.graph_name) is ox.DefaultGraph:
        return str(quad)  # a quad of the default graph prints as its triple: the fastest way
    return f"{subject} {quad.predicate} {obj}"


def _renamed(term, salt: str):
    """``term`` with each blank node's label, its own or its parts', prefixed by ``salt``."""
    if type(term) is ox.BlankNode:
        return ox.BlankNode(f"{salt}{term.value}")
    if type(term) is ox.Triple:
        return ox.Triple(_renamed(term.subject, salt), term.predicate, _renamed(term.object, salt))
    return term


def _located(error: SyntaxError, path: Path, base: str | None) -> CoopgraphError:
    """A parser's SyntaxError as "FILE:LINE: problem (column N)"."""
    message = error.msg or str(error)
    line = error.lineno or None
    if line is not None:
        problem = message.split(": ", 1)[-1]
        column = f" (column {error.offset})" if error.offset else ""
        message = f"{problem}{column}"
    if "No LoadDocumentCallback" in message:
        message = "a remote JSON-LD @context: coopgraph fetches nothing; put it in the file"
    elif base is None and "No scheme found" in message:
        message += " (a relative IRI: give the file an @base, or pass --base IRI)"
    return CoopgraphError(message, path=shown(path), line=line)


class _CheckedXml(io.RawIOBase):
    """RDF/XML bytes handed on as they are read, once expat has read them too.

    Refuses, in one line naming the file and line: XML that is not well-formed; a
    parameter or external entity, an entity whose text holds a reference or markup or is
    longer than ``MAX_ENTITY_CHARS``; nesting deeper than ``MAX_XML_DEPTH``; and text and
    attributes that, entities expanded, grow past twice the bytes read plus
    ``MAX_CELL_CHARS``. So the RDF/XML parser behind it never sees more than that; expat
    (2.4 and later) also refuses "billion laughs" amplification itself.
    """

    def __init__(self, stream: BinaryIO, path: Path):
        self._stream, self._path = stream, path
        self._parser = xml.parsers.expat.ParserCreate()
        self._depth = 0
        self._ended = False
        self._read = 0  # bytes read
        self._text = 0  # characters of text and attribute values, entities expanded
        parser = self._parser
        parser.EntityDeclHandler = self._entity
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._characters

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._ended:
            return 0
        count = self._stream.readinto(buffer)  # type: ignore[attr-defined]
        self._read += count
        self._ended = count == 0
        try:
            self._parser.Parse(bytes(buffer[:count]), count == 0)
        except xml.parsers.expat.ExpatError as error:
            reason = xml.parsers.expat.errors.messages[error.code]
            self._refuse(f"not well-formed XML: {reason}", error.lineno)
        if self._text > 2 * self._read + MAX_CELL_CHARS:
            self._refuse("its XML entities expand past twice the file's size: refused")
        return count

    def _refuse(self, problem: str, line: int | None = None) -> None:
        raise CoopgraphError(
            problem, path=shown(self._path), line=line or self._parser.CurrentLineNumber
        )

    def _entity(self, name, is_parameter, value, base, system_id, public_id, notation) -> None:
        if is_parameter or value is None:
            self._refuse(f"XML entity '{name}' is a parameter or external entity: refused")
        if len(value) > MAX_ENTITY_CHARS or "&" in value or "<" in value:
            self._refuse(
                f"XML entity '{name}' holds a reference, markup or more than "
                f"{MAX_ENTITY_CHARS:,} characters (MAX_ENTITY_CHARS): refused"
            )

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        self._depth += 1
        if self._depth > MAX_XML_DEPTH:
            self._refuse(f"elements nested deeper than {MAX_XML_DEPTH:,} (MAX_XML_DEPTH): refused")
        self._text += sum(len(value) for value in attributes.values())

    def _end(self, name: str) -> None:
        self._depth -= 1

    def _characters(self, data: str) -> None:
        self._text += len(data)
