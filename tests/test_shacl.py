"""The build's SHACL validation (shapes as SPARQL, ``coopgraph.shacl``) against pySHACL.

pySHACL is the reference: both engines must give the same results (focus node, path,
constraint component, value, message, severity) on every shape's examples, on the bundled
data, and on a fixture that breaks each component the translation covers. Terms are
compared as the store holds them: Oxigraph keeps literals in canonical form ("1.0" as
"1"), so pySHACL's values are put through a store too, and blank nodes are compared as
blank nodes (their labels differ between engines).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from coopgraph import ids, shacl
from coopgraph.build import read_curated
from coopgraph.paths import ontology_dir
from coopgraph.validate import (
    from_results,
    graph_from_nquads,
    load_turtle,
    shapes_graph,
    validate_graph,
)

FIXTURES = Path(__file__).parent / "fixtures" / "shacl"
EXAMPLES = sorted((ontology_dir() / "examples").glob("S*.ttl"))
SHAPES = ontology_dir() / "shapes.ttl"
DATA = ox.NamedNode("urn:x-test:data")


def _canonical(term) -> str:
    """A pyoxigraph term as the store writes it back (literals in canonical form), blank
    node labels dropped."""
    if term is None:
        return ""
    memory = ox.Store()
    subject = ox.NamedNode("urn:x-test:s")
    memory.add(ox.Quad(subject, subject, term))
    return re.sub(r"^_:.*", "_:", str(next(iter(memory)).object))


def pyshacl_results(data, shapes) -> Counter:
    """pySHACL's report on rdflib graphs as a multiset of ``shacl.Result``."""
    import pyshacl
    import rdflib
    from rdflib.namespace import SH

    _, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", abort_on_first=False, allow_warnings=True
    )

    def term(node):
        if node is None:
            return None
        if isinstance(node, rdflib.URIRef):
            return ox.NamedNode(str(node))
        if isinstance(node, rdflib.BNode):
            return ox.BlankNode()
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is None:  # a plain literal: xsd:string
            return ox.Literal(str(node))
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))

    results = Counter()
    for r in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        results[
            shacl.Result(
                focus=_canonical(term(report.value(r, SH.focusNode))),
                path=_canonical(term(report.value(r, SH.resultPath))),
                component=_canonical(term(report.value(r, SH.sourceConstraintComponent))),
                value=_canonical(term(report.value(r, SH.value))),
                message=str(report.value(r, SH.resultMessage)),
                severity=_canonical(term(report.value(r, SH.resultSeverity))),
            )
        ] += 1
    return results


def store_results(store: ox.Store, shapes_path: Path, graphs: list[str]) -> Counter:
    """``coopgraph.shacl``'s results, blank node labels dropped, as a multiset."""
    results = shacl.check(store, shacl.read_shapes(shapes_path), graphs)
    return Counter(
        r.__class__(
            **{k: re.sub(r"^_:.*", "_:", v) for k, v in r.__dict__.items()},
        )
        for r in results
    )


def _turtle_store(files: list[Path]) -> ox.Store:
    memory = ox.Store()
    for path in files:
        memory.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=DATA)
    return memory


def test_each_component_as_pyshacl():
    shapes, data = FIXTURES / "shapes.ttl", FIXTURES / "data.ttl"
    expected = pyshacl_results(load_turtle([data]), load_turtle([shapes]))
    got = store_results(_turtle_store([data]), shapes, [DATA.value])
    assert got == expected
    components = {r.component.rsplit("#", 1)[-1][:-1] for r in got}
    translated = {c.name for c in shacl.COMPONENTS.values()}
    assert components == translated  # the fixture breaks every component
    assert {r.severity for r in got} == {f"<{shacl.SH}Violation>", f"<{shacl.SH}Warning>"}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_shape_examples_as_pyshacl(example):
    expected = pyshacl_results(load_turtle([example]), shapes_graph())
    got = store_results(_turtle_store([example]), SHAPES, [DATA.value])
    assert got == expected
    assert bool(got) == ("-invalid-" in example.name)


def test_examples_print_the_same_violations():
    """What the build prints for a violation is what ``coopgraph validate`` printed."""
    for example in EXAMPLES:
        memory = _turtle_store([example])
        results = shacl.check(memory, shacl.read_shapes(SHAPES), [DATA.value])
        data = graph_from_nquads(ox.serialize(memory, format=ox.RdfFormat.N_QUADS).decode("utf-8"))
        assert from_results(results) == validate_graph(data), example.name


def test_bundled_data_as_pyshacl():
    """The bundled data, with every invalid example's facts added to it (so that the
    shapes find something among the real facts), in the graphs a build validates."""
    curated = read_curated()
    memory = ox.Store()
    memory.bulk_load(curated.nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    broken = [p for p in EXAMPLES if "-invalid-" in p.name]
    for path in broken:
        memory.load(
            path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ids.graph("curated"))
        )
    data = graph_from_nquads(curated.nquads) + load_turtle(broken)
    expected = pyshacl_results(data, shapes_graph())
    graphs = [ids.graph("nations"), ids.graph("curated")]
    assert store_results(memory, SHAPES, graphs) == expected
    assert sum(expected.values()) >= len(broken)


def test_graphs_outside_the_data_are_not_validated():
    """Only the named graphs given are the data graph: a fact elsewhere is not checked."""
    memory = _turtle_store([ontology_dir() / "examples" / "S01-invalid-1.ttl"])
    assert shacl.check(memory, shacl.read_shapes(SHAPES), ["urn:x-test:other"]) == []


@pytest.mark.parametrize(
    ("shape", "named"),
    [
        ("sh:property [ sh:path ex:p ; sh:or ( [ sh:minCount 1 ] ) ; sh:message 'm' ]", "sh:or"),
        ("sh:property [ sh:path ex:p ; sh:node ex:Other ; sh:message 'm' ]", "sh:node"),
        ("sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:message 'm' ]", "not one IRI"),
        ("sh:property [ sh:path ex:p ; sh:minCount 1 ]", "0 sh:message"),
        ("sh:class ex:C", "a constraint on a node shape (sh:class)"),
        ("sh:sparql [ sh:select 'SELECT $this WHERE {}' ]", "sh:sparql"),
        ("sh:closed true", "sh:closed"),
        ("sh:property [ sh:path ex:p ; sh:datatype xsd:int ; sh:message 'm' ]", "xsd:int"),
        ("sh:property [ sh:path ex:p ; sh:uniqueLang true ; sh:message 'm' ]", "sh:uniqueLang"),
    ],
)
def test_untranslated_features_are_refused(tmp_path, shape, named):
    path = tmp_path / "shapes.ttl"
    path.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "@prefix ex: <https://example.org/> .\n"
        f"ex:S a sh:NodeShape ; sh:targetClass ex:C ; {shape} .\n"
    )
    with pytest.raises(shacl.UnsupportedShape) as info:
        shacl.read_shapes(path)
    text = str(info.value)
    assert named.replace("xsd:", "http://www.w3.org/2001/XMLSchema#") in text
    assert text.startswith(f"{path}: shape <https://example.org/") or "shapes.ttl" in text
    assert "coopgraph validate" in text


def test_implicit_class_target_is_refused(tmp_path):
    path = tmp_path / "shapes.ttl"
    path.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix ex: <https://example.org/> .\n"
        "ex:C a sh:NodeShape, rdfs:Class ;"
        " sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:message 'm' ] .\n"
    )
    with pytest.raises(shacl.UnsupportedShape, match="implicit target"):
        shacl.read_shapes(path)


def test_incomparable_values_break_a_range_as_shacl_says(tmp_path):
    """A date against a number: SHACL (and SPARQL) call the comparison an error, so the
    value breaks the range; pySHACL 0.40 orders such literals by their datatype IRI
    instead (a date is then "less" than an integer). The translation follows SHACL; the
    shapes of ontology/ compare only numbers of one type, where the two agree."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix ex: <https://example.org/> .\n"
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ;"
        " sh:property [ sh:path ex:p ; sh:maxInclusive 10 ; sh:message 'm' ] .\n"
    )
    data = tmp_path / "data.ttl"
    data.write_text(
        "@prefix ex: <https://example.org/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        'ex:a a ex:C ; ex:p "2000-01-01"^^xsd:date .\n'
    )
    got = shacl.check(_turtle_store([data]), shacl.read_shapes(shapes), [DATA.value])
    assert [r.value for r in got] == ['"2000-01-01"^^<http://www.w3.org/2001/XMLSchema#date>']
    assert not pyshacl_results(load_turtle([data]), load_turtle([shapes]))
