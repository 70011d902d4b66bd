"""Each SHACL shape is numbered, has a message, and its examples pass or fail as named."""

from __future__ import annotations

import re

import pytest
import rdflib
from rdflib.namespace import SH

from coopgraph.paths import ontology_dir
from coopgraph.validate import load_turtle, shapes_graph, validate_graph

EXAMPLES = sorted((ontology_dir() / "examples").glob("S*.ttl"))
SHAPE_IDS = sorted(
    re.match(r"(S\d\d)", str(s).rsplit("#", 1)[-1]).group(1)
    for s in shapes_graph().subjects(rdflib.RDF.type, SH.NodeShape)
)


def test_shapes_are_numbered_with_messages():
    shapes = shapes_graph()
    assert [f"S{i:02d}" for i in range(1, len(SHAPE_IDS) + 1)] == SHAPE_IDS
    for prop in shapes.objects(None, SH.property):
        message = shapes.value(prop, SH.message)
        assert message is not None and re.match(r"S\d\d: ", str(message))


@pytest.mark.parametrize("shape", SHAPE_IDS)
def test_every_shape_has_valid_and_invalid_examples(shape):
    names = {p.name for p in EXAMPLES if p.name.startswith(shape + "-")}
    assert f"{shape}-valid.ttl" in names
    assert any(n.startswith(f"{shape}-invalid-") for n in names)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_outcome_matches_its_name(example):
    violations = validate_graph(load_turtle([example]))
    shape = example.name[:3]
    if "-valid" in example.name:
        assert violations == []
    else:
        assert violations, f"{example.name} should violate {shape}"
        assert all(v.message.startswith(f"{shape}:") for v in violations), violations
