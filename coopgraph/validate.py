"""SHACL validation with pySHACL against ontology/shapes.ttl, as a readable report.

``validate_graph`` returns one ``Violation`` per result (focus node, property, message);
the CLI prints one per line and exits 1 when there is any. ``coopgraph validate`` runs
pySHACL; ``coopgraph build`` runs the same shapes as SPARQL over the store it loads
(``coopgraph.shacl``), and ``from_results`` writes its results as the same violations.
rdflib and pySHACL are imported only by the functions that use them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from coopgraph.errors import CoopgraphError
from coopgraph.namespace import PREFIXES
from coopgraph.paths import ontology_dir, shown

if TYPE_CHECKING:
    import rdflib

    from coopgraph.shacl import Result


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL result."""

    focus: str
    path: str
    message: str
    severity: str = "Violation"

    def __str__(self) -> str:
        return f"{self.focus}\t{self.path or '-'}\t{self.message}"


def check_turtle(path: Path) -> None:
    """Parse a Turtle file with Oxigraph's parser to report syntax errors as file:line."""
    try:
        with path.open("rb") as handle:
            for _ in ox.parse(handle, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()):
                pass
    except OSError as error:
        raise CoopgraphError(f"cannot read file: {error.strerror}", path=shown(path)) from None
    except SyntaxError as error:
        line = error.lineno
        message = error.msg.split(": ", 1)[-1] if line else error.msg
        raise CoopgraphError(f"invalid Turtle: {message}", path=shown(path), line=line) from None


def load_turtle(paths: list[Path]) -> rdflib.Graph:
    """Parse Turtle files into one rdflib graph, syntax errors reported as file:line."""
    import rdflib

    graph = rdflib.Graph()
    for path in paths:
        check_turtle(path)
        graph.parse(path, format="turtle")
    return graph


def shapes_graph(folder: Path | None = None) -> rdflib.Graph:
    """The coopgraph SHACL shapes."""
    return load_turtle([(folder or ontology_dir()) / "shapes.ttl"])


def _short(term: rdflib.term.Node | None, namespaces: rdflib.namespace.NamespaceManager) -> str:
    import rdflib

    if term is None:
        return ""
    if isinstance(term, rdflib.URIRef):
        try:
            return namespaces.normalizeUri(term)
        except Exception:  # noqa: BLE001 - any IRI rdflib cannot shorten is shown whole
            return f"<{term}>"
    return str(term)


def _namespaces(data: rdflib.Graph) -> rdflib.namespace.NamespaceManager:
    """The prefixes violations are written with: rdflib's defaults, those of ``data``,
    and coopgraph's ``PREFIXES`` over both."""
    import rdflib

    namespaces = rdflib.Graph().namespace_manager
    for prefix, uri in data.namespace_manager.namespaces():
        namespaces.bind(prefix, uri, override=False)
    for prefix, uri in PREFIXES.items():
        namespaces.bind(prefix, uri, override=True)
    return namespaces


def validate_graph(data: rdflib.Graph, shapes: rdflib.Graph | None = None) -> list[Violation]:
    """Validate ``data`` against the shapes; return the violations, sorted.

    No inference is run: the data states each node's classes (a nation is typed both
    cg:State and cg:Nation), so validation is fast and its result plain to read.
    """
    import pyshacl
    import rdflib
    from rdflib.namespace import SH

    shapes = shapes if shapes is not None else shapes_graph()
    _, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", abort_on_first=False, allow_warnings=True
    )
    namespaces = _namespaces(data)
    violations = []
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        message = report.value(result, SH.resultMessage)
        severity = report.value(result, SH.resultSeverity)
        violations.append(
            Violation(
                focus=_short(report.value(result, SH.focusNode), namespaces),
                path=_short(report.value(result, SH.resultPath), namespaces),
                message=str(message) if message else "violates a shape",
                severity=_short(severity, namespaces).split(":")[-1],
            )
        )
    return sorted(violations)


def from_results(results: Iterable[Result]) -> list[Violation]:
    """The build's SHACL results (``coopgraph.shacl.check``, terms as N-Triples) as the
    violations ``validate_graph`` gives for the same data read from N-Quads, sorted."""
    import rdflib

    namespaces = _namespaces(rdflib.Graph())
    violations = []
    for result in results:
        focus, path, severity = (
            _term(_parse_term(t)) for t in (result.focus, result.path, result.severity)
        )
        violations.append(
            Violation(
                focus=_short(focus, namespaces),
                path=_short(path, namespaces),
                message=result.message,
                severity=_short(severity, namespaces).split(":")[-1],
            )
        )
    return sorted(violations)


def _parse_term(text: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An N-Triples term back into a pyoxigraph term."""
    statement = f"<urn:x:s> <urn:x:p> {text} .".encode()
    return next(iter(ox.parse(statement, format=ox.RdfFormat.N_TRIPLES))).object


def graph_from_nquads(text: str) -> rdflib.Graph:
    """All quads of an N-Quads text as one rdflib graph (graph names dropped)."""
    import rdflib

    graph = rdflib.Graph()
    for quad in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS):
        graph.add((_term(quad.subject), _term(quad.predicate), _term(quad.object)))
    return graph


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
