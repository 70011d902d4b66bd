"""SHACL shapes run as SPARQL queries over an Oxigraph store: the build's validation.

``coopgraph build`` loads the new generation, then asks it, one query per constraint, for
the focus nodes that break each shape, before the generation is made current. pySHACL
(``coopgraph.validate``) stays the reference: ``coopgraph validate`` runs it, and
tests/test_shacl.py checks that both give the same results (focus node, path, constraint
component, value, message, severity) on every shape's examples, on the bundled data and on
a case for each component translated here. docs/decisions/20261204-build-validation.md
says why.

What is translated, with pySHACL's semantics (no inference; ``rdfs:subClassOf`` triples of
the data are followed for classes, as SHACL says):

- node shapes with targets: ``sh:targetClass``, ``sh:targetNode``,
  ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, and ``sh:property``;
- property shapes with an IRI ``sh:path`` and the components in ``COMPONENTS`` below,
  ``sh:message`` (exactly one: the text a violation prints), ``sh:severity``;
- ``sh:deactivated true`` on either (the shape is skipped).

Anything else of the SHACL vocabulary in the shapes (a constraint on a node shape itself,
complex paths, ``sh:or``, ``sh:node``, ``sh:sparql``, ``sh:closed``, ...) is refused with
an error naming it, so a shape the translation does not cover can never be silently
ignored: run ``coopgraph validate`` (pySHACL) on such shapes, or extend this module.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from coopgraph.errors import CoopgraphError
from coopgraph.paths import shown

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"

_TRUE = ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))
_VIOLATION = SH + "Violation"

#: Datatypes SPARQL can cast to: a value is a well-formed literal of one of these exactly
#: when casting it to the datatype gives the same term back (Oxigraph keeps such literals in
#: their canonical form, and an ill-formed one fails the cast). That test costs a fifth of
#: DATATYPE() on Oxigraph, which the other datatypes take (and whose lexical forms go
#: unchecked: pySHACL checks them through rdflib).
CASTABLE = {
    XSD + name
    for name in (
        "string", "boolean", "integer", "decimal", "float", "double", "date", "dateTime", "time",
    )
}  # fmt: skip

#: Datatypes Oxigraph stores as another: every integer type derived from xsd:integer is
#: kept as xsd:integer ("7"^^xsd:int reads back as "7"^^xsd:integer), so a query over the
#: store cannot tell them apart. ``sh:datatype`` with one of these is refused.
STORED_AS_INTEGER = {
    XSD + name
    for name in (
        "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "negativeInteger", "nonPositiveInteger", "unsignedLong", "unsignedInt",
        "unsignedShort", "unsignedByte",
    )
}  # fmt: skip

#: Properties of a node shape that take part in validation, and those that only describe.
NODE_KEYS = {
    SH + "targetClass",
    SH + "targetNode",
    SH + "targetSubjectsOf",
    SH + "targetObjectsOf",
    SH + "property",
    SH + "deactivated",
}
#: Non-validating SHACL properties (SHACL 1.0, 2.3.2 and 4.1): accepted anywhere.
DESCRIPTIVE = {SH + name for name in ("name", "description", "order", "group", "defaultValue")}


@dataclass(frozen=True, order=True)
class Result:
    """One validation result, each term in N-Triples form (``value`` empty where the
    component reports none: the counts)."""

    focus: str
    path: str
    component: str
    value: str
    message: str
    severity: str


@dataclass
class PropertyShape:
    """A property shape: its path, constraints (component parameter -> its values),
    message and severity."""

    node: str
    path: str
    message: str
    severity: str
    constraints: dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]] = field(
        default_factory=dict
    )


@dataclass
class NodeShape:
    """A node shape with targets and the property shapes it applies to them."""

    node: str
    targets: dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode]]
    properties: list[PropertyShape]


class UnsupportedShape(CoopgraphError):
    """The shapes use SHACL the build's translation does not cover."""


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    """A term as SPARQL (and N-Triples) text."""
    return str(term)


class _Graph:
    """The shapes graph as subject -> predicate -> objects, with RDF lists read."""

    def __init__(self, quads: Iterable[ox.Quad | ox.Triple]):
        self.triples: dict[object, dict[str, list]] = {}
        for quad in quads:
            by_predicate = self.triples.setdefault(quad.subject, {})
            by_predicate.setdefault(quad.predicate.value, []).append(quad.object)

    def objects(self, subject: object, predicate: str) -> list:
        return self.triples.get(subject, {}).get(predicate, [])

    def items(self, head: object) -> list:
        """The members of the RDF list starting at ``head``."""
        members = []
        while head != ox.NamedNode(RDF + "nil"):
            first = self.objects(head, RDF + "first")
            rest = self.objects(head, RDF + "rest")
            if len(first) != 1 or len(rest) != 1:
                raise ValueError(f"{head} is not a well-formed RDF list")
            members.append(first[0])
            head = rest[0]
        return members


# ------------------------------------------------------------------ the components
# Each component is a subquery over every subject of the path, focus node or not: the
# candidates, rows of (?focus, ?value) that break it, or of ?focus alone where it reports
# no value. The query joins them with the shape's focus nodes afterwards, so where the
# candidates are none (the usual case) the focus nodes are never listed. The components
# that a focus node breaks by lacking something (sh:minCount, sh:hasValue) are the other
# way round: the focus nodes MINUS those that have it. Every pattern is its own subquery
# so that Oxigraph scans each property once and joins the scans by hashing, instead of
# looking up every node's values one by one (on the bundled data: 2.1 s against 0.04 s
# for S01's sh:class).


@dataclass(frozen=True)
class Component:
    """A SHACL Core constraint component as one SPARQL subquery (see above).

    ``candidates(path, parameter)`` is that subquery's text (``path`` and ``parameter``
    as SPARQL terms; for ``sh:in`` the parameter is the list's members, for
    ``sh:pattern`` the pattern and its flags)."""

    name: str  # e.g. "MinCountConstraintComponent"
    candidates: Callable[[str, Any], str]
    #: The rows of a result: the value node (none for the counts), and for the pairs the
    #: other value too (pySHACL reports each pair that fails).
    select: str = "?focus ?value"
    #: A focus node breaks it by lacking what ``candidates`` lists (the focus nodes
    #: MINUS the candidates).
    lacking: bool = False
    literal: bool = False  # the parameter must be a literal (a number, a text)


def _values(path: str, value: str = "?value") -> str:
    """The (?focus, ``value``) pairs of the property ``path``, as a subquery."""
    return f"{{ SELECT ?focus {value} WHERE {{ ?focus {path} {value} }} }}"


def _instances(classes: list[str], var: str) -> str:
    """A pattern binding ``var`` to the instances of ``classes`` (a class and its
    subclasses in the data, as ``check`` finds them: SHACL's rdf:type/rdfs:subClassOf*)."""
    t = f"?_{var[1:]}_type"
    return f"VALUES {t} {{ {' '.join(classes)} }} {var} a {t} ."


def _bool(expression: str) -> str:
    """``expression`` as a test that is false where it raises an error (an incomparable
    value breaks a range constraint, as in pySHACL)."""
    return f"COALESCE({expression}, false)"


def _count(test: str) -> Callable[[str, Any], str]:
    """Subjects whose count of distinct values passes ``test`` (``{n}``: the parameter)."""
    return lambda path, n: (
        f"SELECT ?focus WHERE {{ ?focus {path} ?value }} GROUP BY ?focus "
        f"HAVING (COUNT(DISTINCT ?value) {test.format(n=n)})"
    )


def _min_count(path: str, n: str) -> str:
    """Subjects with at least ``n`` values (the usual sh:minCount 1: every subject, a
    third faster without the grouping)."""
    if n == _term(ox.Literal(1)):
        return f"SELECT ?focus WHERE {{ ?focus {path} ?value }}"
    return _count(">= {n}")(path, n)


def _each(test: Callable[[Any], str]) -> Callable[[str, Any], str]:
    """A component that checks each value node: broken where ``test`` is false."""
    return lambda path, p: (
        f"SELECT ?focus ?value WHERE {{ ?focus {path} ?value FILTER (!({test(p)})) }}"
    )


def _pairs(test: str) -> Callable[[str, Any], str]:
    """A component comparing each value with each value of the parameter's property."""
    return lambda path, p: (
        f"SELECT ?focus ?value ?other WHERE {{ {_values(path)} {_values(p, '?other')} "
        f"FILTER (!{_bool(test)}) }}"
    )


def _datatype(datatype: str) -> str:
    if datatype[1:-1] in CASTABLE:
        return _bool(f"sameTerm(?value, {datatype}(?value))")
    return f"isLiteral(?value) && sameTerm(DATATYPE(?value), {datatype})"


def _text(test: str) -> Callable[[Any], str]:
    """A test of the value's text: a blank node has none, and fails it."""
    return lambda p: f"!isBlank(?value) && {_bool(test.format(p=p))}"


_NODE_KINDS = {
    "IRI": "isIRI(?value)",
    "BlankNode": "isBlank(?value)",
    "Literal": "isLiteral(?value)",
    "BlankNodeOrIRI": "isBlank(?value) || isIRI(?value)",
    "BlankNodeOrLiteral": "isBlank(?value) || isLiteral(?value)",
    "IRIOrLiteral": "isIRI(?value) || isLiteral(?value)",
}

COMPONENTS: dict[str, Component] = {
    "minCount": Component(
        "MinCountConstraintComponent", _min_count, select="?focus", lacking=True, literal=True
    ),
    "maxCount": Component(
        "MaxCountConstraintComponent", _count("> {n}"), select="?focus", literal=True
    ),
    "class": Component(
        "ClassConstraintComponent",
        lambda path, p: (
            f"SELECT ?focus ?value WHERE {{ ?focus {path} ?value "
            f"MINUS {{ {_instances(p, '?value')} }} }}"
        ),
    ),
    "datatype": Component("DatatypeConstraintComponent", _each(_datatype)),
    "nodeKind": Component(
        "NodeKindConstraintComponent", _each(lambda p: _NODE_KINDS[p[1:-1].removeprefix(SH)])
    ),
    "in": Component(
        "InConstraintComponent",
        _each(lambda members: " || ".join(f"sameTerm(?value, {m})" for m in members) or "false"),
    ),
    "pattern": Component(
        "PatternConstraintComponent",
        _each(lambda p: _text("REGEX(STR(?value), {p})")(", ".join(p))),
        literal=True,
    ),
    "minInclusive": Component(
        "MinInclusiveConstraintComponent", _each(lambda p: _bool(f"?value >= {p}")), literal=True
    ),
    "maxInclusive": Component(
        "MaxInclusiveConstraintComponent", _each(lambda p: _bool(f"?value <= {p}")), literal=True
    ),
    "minExclusive": Component(
        "MinExclusiveConstraintComponent", _each(lambda p: _bool(f"?value > {p}")), literal=True
    ),
    "maxExclusive": Component(
        "MaxExclusiveConstraintComponent", _each(lambda p: _bool(f"?value < {p}")), literal=True
    ),
    "minLength": Component(
        "MinLengthConstraintComponent",
        _each(_text("STRLEN(STR(?value)) >= {p}")),
        literal=True,
    ),
    "maxLength": Component(
        "MaxLengthConstraintComponent",
        _each(_text("STRLEN(STR(?value)) <= {p}")),
        literal=True,
    ),
    "lessThan": Component(
        "LessThanConstraintComponent", _pairs("?value < ?other"), select="?focus ?value ?other"
    ),
    "lessThanOrEquals": Component(
        "LessThanOrEqualsConstraintComponent",
        _pairs("?value <= ?other"),
        select="?focus ?value ?other",
    ),
    "equals": Component(
        "EqualsConstraintComponent",
        lambda path, p: (
            f"SELECT ?focus ?value WHERE {{ {{ {_values(path)} MINUS {_values(p)} }} "
            f"UNION {{ {_values(p)} MINUS {_values(path)} }} }}"
        ),
    ),
    "disjoint": Component(
        "DisjointConstraintComponent",
        lambda path, p: f"SELECT ?focus ?value WHERE {{ {_values(path)} {_values(p)} }}",
    ),
    "hasValue": Component(
        "HasValueConstraintComponent",
        lambda path, p: f"SELECT ?focus WHERE {{ ?focus {path} {p} }}",
        select="?focus",
        lacking=True,
    ),
}
#: Properties of a property shape besides its constraints.
PROPERTY_KEYS = {SH + "path", SH + "message", SH + "severity", SH + "deactivated"}
#: Parameters that come with a component's own (``sh:flags`` with ``sh:pattern``).
COMPANIONS = {SH + "flags"}

# ------------------------------------------------------------------ reading the shapes


def read_shapes(path: Path) -> list[NodeShape]:
    """The node shapes with targets in the Turtle file ``path``, translated; raises
    ``UnsupportedShape`` (naming the shape and the feature) for anything not covered."""
    with path.open("rb") as handle:
        quads = list(ox.parse(handle, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()))
    return shapes_of(quads, where=shown(path))


def shapes_of(quads: Iterable[ox.Quad | ox.Triple], *, where: str = "") -> list[NodeShape]:
    """The node shapes with targets in a shapes graph given as triples (see
    ``read_shapes``); ``where`` names the graph in errors."""
    graph = _Graph(quads)
    used = _sh_terms(graph)
    shapes = []
    for subject, by_predicate in graph.triples.items():
        if not any(p.startswith(SH + "target") for p in by_predicate):
            if _is_implicit_target(graph, subject):
                raise _refuse(where, subject, "a shape that is also a class (implicit target)")
            continue
        shape = _node_shape(graph, subject, where)
        if not _deactivated(graph, subject):
            shapes.append(shape)
    for subject, predicate in used:
        known = predicate in NODE_KEYS | PROPERTY_KEYS | DESCRIPTIVE | COMPANIONS
        known = known or predicate.removeprefix(SH) in COMPONENTS
        if not known:
            raise _refuse(where, subject, f"sh:{predicate.removeprefix(SH)}")
    return shapes


def _sh_terms(graph: _Graph) -> list[tuple[object, str]]:
    """Every (subject, predicate) of the shapes graph whose predicate is SHACL's."""
    return [(s, p) for s, by_p in graph.triples.items() for p in by_p if p.startswith(SH)]


def _is_implicit_target(graph: _Graph, subject: object) -> bool:
    types = {str(t) for t in graph.objects(subject, RDF + "type")}
    shape = f"<{SH}NodeShape>" in types or f"<{SH}PropertyShape>" in types
    return shape and bool(types & {f"<{RDFS}Class>", "<http://www.w3.org/2002/07/owl#Class>"})


def _deactivated(graph: _Graph, subject: object) -> bool:
    return _TRUE in graph.objects(subject, SH + "deactivated")


def _refuse(where: str, subject: object, what: str) -> UnsupportedShape:
    return UnsupportedShape(
        f"shape {subject}: {what} is not translated to SPARQL for the build; "
        "validate such shapes with 'coopgraph validate' (pySHACL), or build with "
        "--no-validate",
        path=where or None,
    )


def _node_shape(graph: _Graph, subject: object, where: str) -> NodeShape:
    constraints = [
        p
        for p in graph.triples[subject]
        if p.startswith(SH) and p not in NODE_KEYS | DESCRIPTIVE | {SH + "message", SH + "severity"}
    ]
    if constraints:
        raise _refuse(
            where, subject, f"a constraint on a node shape (sh:{constraints[0].removeprefix(SH)})"
        )
    targets = {
        name: graph.objects(subject, SH + name)
        for name in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
        if graph.objects(subject, SH + name)
    }
    for name, values in targets.items():
        if name != "targetNode" and not all(isinstance(v, ox.NamedNode) for v in values):
            raise _refuse(where, subject, f"sh:{name} with other than an IRI")
        if name == "targetNode" and any(isinstance(v, ox.BlankNode) for v in values):
            raise _refuse(where, subject, "sh:targetNode with a blank node")
    properties = []
    for node in graph.objects(subject, SH + "property"):
        if not _deactivated(graph, node):
            properties.append(_property_shape(graph, node, where))
    return NodeShape(str(subject), targets, properties)


def _property_shape(graph: _Graph, node: object, where: str) -> PropertyShape:
    paths = graph.objects(node, SH + "path")
    if len(paths) != 1 or not isinstance(paths[0], ox.NamedNode):
        raise _refuse(where, node, "a property shape whose sh:path is not one IRI")
    messages = graph.objects(node, SH + "message")
    if len(messages) != 1:
        raise _refuse(where, node, f"a property shape with {len(messages)} sh:message")
    severities = graph.objects(node, SH + "severity")
    if len(severities) > 1 or (severities and not isinstance(severities[0], ox.NamedNode)):
        raise _refuse(where, node, "a property shape with other than one IRI as sh:severity")
    shape = PropertyShape(
        str(node),
        paths[0].value,
        messages[0].value,
        severities[0].value if severities else _VIOLATION,
    )
    for predicate, values in graph.triples[node].items():
        name = predicate.removeprefix(SH)
        if predicate.startswith(SH) and name in COMPONENTS:
            if name == "in":
                values = [graph.items(v) for v in values]  # one list per sh:in
            elif COMPONENTS[name].literal and not all(isinstance(v, ox.Literal) for v in values):
                raise _refuse(where, node, f"sh:{name} with other than a literal")
            shape.constraints[name] = values
    flags = graph.objects(node, SH + "flags")
    if len(flags) > 1 or (flags and len(shape.constraints.get("pattern", [])) != 1):
        raise _refuse(where, node, "sh:flags other than once, beside one sh:pattern")
    if flags:
        shape.constraints["flags"] = flags
    for datatype in shape.constraints.get("datatype", []):
        if not isinstance(datatype, ox.NamedNode) or datatype.value in STORED_AS_INTEGER:
            raise _refuse(where, node, f"sh:datatype {datatype} (the store keeps it as another)")
    for kind in shape.constraints.get("nodeKind", []):
        if kind.value.removeprefix(SH) not in _NODE_KINDS:
            raise _refuse(where, node, f"sh:nodeKind {kind}")
    return shape


# ------------------------------------------------------------------ the queries


def _focus_nodes(shape: NodeShape, subclasses: Callable[[str], list[str]]) -> str:
    """A pattern binding ?focus to each focus node of ``shape`` (some more than once: the
    queries select DISTINCT rows)."""
    branches = []
    classes = [c for value in shape.targets.get("targetClass", []) for c in subclasses(str(value))]
    if classes:
        branches.append(_instances(classes, "?focus"))
    for name, values in shape.targets.items():
        for value in values:
            if name == "targetNode":
                branches.append(f"VALUES ?focus {{ {value} }}")
            elif name == "targetSubjectsOf":
                branches.append(f"?focus {value} ?_object .")
            elif name == "targetObjectsOf":
                branches.append(f"?_subject {value} ?focus .")
    if len(branches) == 1:
        return branches[0]
    return " UNION ".join(f"{{ {b} }}" for b in branches)


def queries(
    shape: NodeShape, subclasses: Callable[[str], list[str]]
) -> Iterator[tuple[PropertyShape, Component, str]]:
    """Each SPARQL query of ``shape``: one per constraint of each property shape, selecting
    ``?focus`` and, unless the component counts, ``?value``. ``subclasses`` gives a
    class (an IRI in SPARQL) and its subclasses in the data graph."""
    focus = _focus_nodes(shape, subclasses)
    for prop in shape.properties:
        path = f"<{prop.path}>"
        for name, values in prop.constraints.items():
            if name == "flags":
                continue
            component = COMPONENTS[name]
            for value in values:
                if name == "in":
                    parameter: Any = [_term(m) for m in value]
                elif name == "pattern":
                    parameter = [_term(v) for v in [value, *prop.constraints.get("flags", [])]]
                elif name == "class":
                    parameter = subclasses(_term(value))
                else:
                    parameter = _term(value)
                candidates = component.candidates(path, parameter)
                if component.lacking:
                    text = f"SELECT DISTINCT ?focus WHERE {{ {focus} MINUS {{ {candidates} }} }}"
                else:
                    text = (
                        f"SELECT DISTINCT {component.select} WHERE {{ {{ {candidates} }} {focus} }}"
                    )
                yield prop, component, text


def check(store: ox.Store, shapes: list[NodeShape], graphs: Iterable[str]) -> list[Result]:
    """The results of ``shapes`` over the union of the named ``graphs`` of ``store``,
    sorted (the data graph pySHACL would be given: those graphs merged)."""
    default = [ox.NamedNode(g) for g in graphs]
    closures: dict[str, list[str]] = {}

    def subclasses(cls: str) -> list[str]:
        if cls not in closures:
            query = f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS}subClassOf>* {cls} }}"
            found = {_term(row["c"]) for row in store.query(query, default_graph=default)}
            closures[cls] = sorted(found | {cls})
        return closures[cls]

    jobs = [job for shape in shapes for job in queries(shape, subclasses)]

    def run(job: tuple[PropertyShape, Component, str]) -> list[tuple[str, str]]:
        # on a thread of the pool: Oxigraph evaluates a query with the GIL released (the
        # queries run side by side on the cores), and a query's solutions must be read in
        # the thread that asked for them
        _, component, text = job
        with_value = "?value" in component.select
        return [
            (_term(row["focus"]), _term(row["value"]) if with_value else "")
            for row in store.query(text, default_graph=default)
        ]

    results = []
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        for (prop, component, _), rows in zip(jobs, pool.map(run, jobs), strict=True):
            for focus, value in rows:
                results.append(
                    Result(
                        focus=focus,
                        path=f"<{prop.path}>",
                        component=f"<{SH}{component.name}>",
                        value=value,
                        message=prop.message,
                        severity=f"<{prop.severity}>",
                    )
                )
    return sorted(results)
