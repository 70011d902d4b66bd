"""The ontology reference in docs/ontology/ is up to date and documents every term."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from rdflib import OWL, RDF, Graph

pytest.importorskip("pylode")

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "ontology"
CG = "https://w3id.org/coopgraph/ontology#"
KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


def load_script():
    """scripts/ontology_docs.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "ontology_docs", ROOT / "scripts" / "ontology_docs.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated() -> tuple[str, str]:
    return load_script().reference()


def terms() -> set[str]:
    graph = Graph().parse(ROOT / "ontology" / "coopgraph.ttl", format="turtle")
    return {
        str(s) for kind in KINDS for s in graph.subjects(RDF.type, kind) if str(s).startswith(CG)
    }


def test_committed_reference_is_current(generated):
    page, svg = generated
    message = "docs/ontology/ is out of date: run python scripts/ontology_docs.py"
    assert (DOCS / "index.html").read_text(encoding="utf-8") == page, message
    assert (DOCS / "classes.svg").read_text(encoding="utf-8") == svg, message


def test_every_class_and_property_is_documented(generated):
    page, _ = generated
    found = terms()
    assert len(found) > 90  # classes and properties of coopgraph.ttl
    missing = sorted(t for t in found if t not in page)
    assert not missing, missing


def test_page_has_the_diagram_and_no_external_resources(generated):
    page, svg = generated
    assert '<div class="section" id="diagram">' in page
    assert svg.split("\n", 1)[1] in page  # the drawing, inlined
    for name in ("Membership", "Participation", "AidFlow", "State", "Alliance", "Operation"):
        assert f">cg:{name}<" in svg
    # nothing fetched when the page opens: no external script, stylesheet or image
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?://', page)


def test_heading_is_the_ontology_title(generated):
    page, _ = generated
    headings = re.findall(r"<h1>(.*?)</h1>", page)
    assert headings == ["coopgraph: an ontology of international military cooperation"]


def test_check_mode_reports_a_stale_file(tmp_path, capsys):
    script = load_script()
    assert script.main(["--out", str(tmp_path)]) == 0
    assert script.main(["--check", "--out", str(tmp_path)]) == 0
    (tmp_path / "classes.svg").write_text("stale", encoding="utf-8")
    assert script.main(["--check", "--out", str(tmp_path)]) == 1
    assert "out of date" in capsys.readouterr().err
