"""The ontology parses and the Python namespace matches it term for term."""

from __future__ import annotations

import rdflib
from rdflib.namespace import OWL, RDF

from coopgraph.namespace import CG, ONTOLOGY_IRI
from coopgraph.paths import ontology_dir


def _ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_dir() / "coopgraph.ttl", format="turtle")


def test_ontology_parses_and_declares_itself():
    graph = _ontology()
    assert (rdflib.URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) in graph
    assert len(graph) > 200


def test_namespace_terms_equal_ontology_terms():
    graph = _ontology()
    prefix = str(CG._NS)
    defined = {str(s)[len(prefix) :] for s in graph.subjects() if str(s).startswith(prefix)}
    declared = set(CG.__annotations__)
    assert declared == defined, (declared - defined, defined - declared)


def test_namespace_rejects_typos():
    import pytest

    with pytest.raises(AttributeError):
        CG.startdate  # noqa: B018


def test_every_term_has_a_label_and_a_type():
    graph = _ontology()
    prefix = str(CG._NS)
    for term in {s for s in graph.subjects() if str(s).startswith(prefix)}:
        assert graph.value(term, rdflib.RDFS.label) is not None, term
        assert graph.value(term, RDF.type) is not None, term
