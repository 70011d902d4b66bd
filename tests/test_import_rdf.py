"""``coopgraph import rdf``: a researcher's own RDF files into a named graph of their own."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from coopgraph import api, ids, importer, queries, store
from coopgraph.cli import main
from coopgraph.errors import CoopgraphError, UsageError
from coopgraph.location import locate
from coopgraph.sources import rdf

EX = "http://example.org/"
RDF_GRAPH = ids.graph("rdf")
TURTLE = f"""@prefix ex: <{EX}> .
ex:treaty ex:party ex:a , ex:b ;
    ex:signed "1949-04-04"^^<http://www.w3.org/2001/XMLSchema#date> ;
    ex:note [ ex:text "a blank node" ] .
"""
#: The same four triples as TURTLE, in each format; quads files add a named graph.
SAME = {
    "data.nt": f"""<{EX}treaty> <{EX}party> <{EX}a> .
<{EX}treaty> <{EX}party> <{EX}b> .
<{EX}treaty> <{EX}signed> "1949-04-04"^^<http://www.w3.org/2001/XMLSchema#date> .
<{EX}treaty> <{EX}note> _:n .
_:n <{EX}text> "a blank node" .
""",
    "data.rdf": f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="{EX}">
  <rdf:Description rdf:about="{EX}treaty">
    <ex:party rdf:resource="{EX}a"/>
    <ex:party rdf:resource="{EX}b"/>
    <ex:signed rdf:datatype="http://www.w3.org/2001/XMLSchema#date">1949-04-04</ex:signed>
    <ex:note><rdf:Description><ex:text>a blank node</ex:text></rdf:Description></ex:note>
  </rdf:Description>
</rdf:RDF>
""",
    "data.jsonld": f"""{{"@context": {{"ex": "{EX}"}},
 "@id": "ex:treaty",
 "ex:party": [{{"@id": "ex:a"}}, {{"@id": "ex:b"}}],
 "ex:signed": {{"@value": "1949-04-04", "@type": "http://www.w3.org/2001/XMLSchema#date"}},
 "ex:note": {{"ex:text": "a blank node"}}}}
""",
    "data.ttl": TURTLE,
}
QUADS = {
    "data.nq": SAME["data.nt"] + f'<{EX}a> <{EX}name> "A" <{EX}graph/names> .\n',
    "data.trig": TURTLE + f'<{EX}graph/names> {{ <{EX}a> <{EX}name> "A" . }}\n',
}


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    data = text.encode() if isinstance(text, str) else text
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


def triples(root: Path, graph: str) -> set[tuple[str, str, str]]:
    """The graph's triples, a blank node written as _:"""
    reader = store.open_reader(root)
    show = lambda t: "_:" if isinstance(t, ox.BlankNode) else t.value  # noqa: E731
    return {
        (show(q.subject), show(q.predicate), show(q.object))
        for q in reader.quads_for_pattern(None, None, None, ox.NamedNode(graph))
    }


EXPECTED = {
    (f"{EX}treaty", f"{EX}party", f"{EX}a"),
    (f"{EX}treaty", f"{EX}party", f"{EX}b"),
    (f"{EX}treaty", f"{EX}signed", "1949-04-04"),
    (f"{EX}treaty", f"{EX}note", "_:"),
    ("_:", f"{EX}text", "a blank node"),
}


@pytest.fixture
def root(tmp_path) -> Path:
    """A store that does not exist yet: ``import rdf`` makes it."""
    return tmp_path / "store"


@pytest.fixture
def built_copy(fixture_store, tmp_path) -> Path:
    """A private copy of a built store (tests/fixtures/data)."""
    copy = tmp_path / "built"
    shutil.copytree(fixture_store, copy)
    return copy


@pytest.mark.parametrize("name", sorted(SAME) + [n + ".gz" for n in sorted(SAME)])
def test_each_format_plain_or_gzip_lands_in_the_rdf_graph(root, tmp_path, name):
    path = write(tmp_path, name, SAME[name.removesuffix(".gz")])
    report = importer.run(root, "rdf", [path])
    assert (report.source, report.graph, report.triples, report.parts) == (
        "rdf",
        RDF_GRAPH,
        5,
        {},
    )
    assert triples(root, RDF_GRAPH) == EXPECTED


@pytest.mark.parametrize("name", sorted(QUADS))
def test_quads_files_keep_their_named_graphs_as_parts_of_the_import(root, tmp_path, name):
    path = write(tmp_path, name, QUADS[name])
    report = importer.run(root, "rdf", [path])
    assert report.parts == {f"{EX}graph/names": 1} and report.triples == 6
    assert triples(root, RDF_GRAPH) == EXPECTED  # the default graph's triples
    assert triples(root, f"{EX}graph/names") == {(f"{EX}a", f"{EX}name", "A")}
    (loaded,) = [s for s in api.sources(root) if s["source"] == "rdf"]
    assert loaded["parts"] == [f"{EX}graph/names"] and loaded["triples"] == 6
    # --sources rdf sees the parts too; GRAPH finds them under their own names
    q = queries.load(text=f"SELECT ?n WHERE {{ ?s <{EX}name> ?n }}")
    assert "A" in api.query(root, q, fmt="csv", sources=["rdf"])
    q = queries.load(text=f"SELECT ?n WHERE {{ GRAPH <{EX}graph/names> {{ ?s ?p ?n }} }}")
    assert "A" in api.query(root, q, fmt="csv")
    # remove drops the graph and its parts
    assert api.remove(root, "rdf") == 6
    assert triples(root, f"{EX}graph/names") == set()
    assert "rdf" not in {s["source"] for s in api.sources(root)}


def test_provenance_is_listed_by_sources_and_the_cli(root, tmp_path):
    path = write(tmp_path, "data.ttl", TURTLE)
    importer.run(root, "rdf", [path])
    (loaded,) = [s for s in api.sources(root) if s["source"] == "rdf"]
    assert loaded["graph"] == RDF_GRAPH
    assert loaded["files"] == "data.ttl"
    assert (loaded["triples"], loaded["rows_read"], loaded["rows_imported"]) == (5, 5, 5)
    assert loaded["title"] == rdf.Rdf.title and loaded["imported"]
    sha = store.open_reader(root).query(
        "SELECT ?h WHERE { GRAPH ?m { ?f <https://w3id.org/coopgraph/ontology#sha256> ?h } }"
    )
    assert [row["h"].value for row in sha] == [api_sha(path)]
    result = CliRunner().invoke(main, ["--store", str(root), "sources", "--format", "csv"])
    assert result.exit_code == 0 and "rdf," in result.output and RDF_GRAPH in result.output


def api_sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_cli_imports_and_removes(root, tmp_path):
    path = write(tmp_path, "data.nt", SAME["data.nt"])
    runner = CliRunner()
    result = runner.invoke(main, ["--store", str(root), "import", "rdf", str(path)])
    assert result.exit_code == 0, result.output
    assert "5 triples in https://w3id.org/coopgraph/graph/rdf" in result.output
    result = runner.invoke(main, ["--store", str(root), "remove", "rdf"])
    assert result.exit_code == 0, result.output
    assert triples(root, RDF_GRAPH) == set()


def test_a_graph_option_makes_a_source_of_its_own(root, tmp_path):
    path = write(tmp_path, "data.ttl", TURTLE)
    importer.run(root, "rdf", [path])
    mine = "https://example.org/graphs/mine"
    report = importer.run(root, "rdf", [path], graph=mine)
    assert (report.source, report.graph) == (mine, mine)
    assert triples(root, mine) == EXPECTED and triples(root, RDF_GRAPH) == EXPECTED
    names = {s["source"] for s in api.sources(root)}
    assert {"rdf", mine} <= names
    q = queries.load(text="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert api.query(root, q, fmt="csv", sources=[mine]).splitlines()[1] == "5"
    api.remove(root, mine)
    assert triples(root, mine) == set() and triples(root, RDF_GRAPH) == EXPECTED


def test_the_cli_takes_graph_and_base_and_refuses_them_for_other_sources(root, tmp_path):
    path = write(tmp_path, "rel.ttl", "<a> <b> <#c> .\n")
    mine = "https://example.org/graphs/mine"
    runner = CliRunner()
    args = ["--store", str(root), "import", "rdf", str(path)]
    result = runner.invoke(main, [*args, "--graph", mine, "--base", f"{EX}doc"])
    assert result.exit_code == 0, result.output
    assert f"1 triples in {mine}" in result.output
    assert triples(root, mine) == {(f"{EX}a", f"{EX}b", f"{EX}doc#c")}
    result = runner.invoke(main, [*args, "--graph", mine])
    assert result.exit_code == 1 and "rel.ttl:1:" in result.output
    assert triples(root, mine) == {(f"{EX}a", f"{EX}b", f"{EX}doc#c")}
    result = runner.invoke(main, ["--store", str(root), "import", "atop", str(path), "--base", EX])
    assert result.exit_code == 2
    assert result.output.strip() == "coopgraph: error: --base is for 'coopgraph import rdf' only"


def test_graphs_the_import_may_not_write_are_refused(root, built_copy, tmp_path):
    path = write(tmp_path, "data.ttl", TURTLE)
    with pytest.raises(UsageError, match="coopgraph names its own graphs"):
        importer.run(root, "rdf", [path], graph=ids.graph("mine"))
    with pytest.raises(UsageError, match="it holds source 'curated'"):
        importer.run(built_copy, "rdf", [path], graph=ids.graph("curated"))
    with pytest.raises(UsageError, match="not an absolute IRI"):
        importer.run(root, "rdf", [path], graph="mine")
    with pytest.raises(UsageError, match="--graph is for 'coopgraph import rdf' only"):
        importer.run(built_copy, "cow-states", [path], graph=f"{EX}g")
    # a file naming coopgraph's graphs, or another import's, is refused whole
    generation = store.current_generation(built_copy)
    curated = write(tmp_path, "curated.nq", f'<{EX}a> <{EX}p> "x" <{ids.graph("curated")}> .\n')
    with pytest.raises(CoopgraphError, match="writes graph .*curated>, but it holds source"):
        importer.run(built_copy, "rdf", [curated])
    assert store.current_generation(built_copy) == generation
    importer.run(root, "rdf", [write(tmp_path, "data.trig", QUADS["data.trig"])])
    with pytest.raises(CoopgraphError, match="graph/names>, but it holds source 'rdf'"):
        importer.run(root, "rdf", [tmp_path / "data.trig"], graph=f"{EX}other")


def test_a_graph_no_import_recorded_is_neither_written_nor_dropped(root, tmp_path):
    foreign = ox.Quad(ox.NamedNode(f"{EX}s"), ox.NamedNode(f"{EX}p"), ox.Literal("theirs"))
    locate(root).write(
        lambda target: target.add(ox.Quad(*foreign.triple, ox.NamedNode(f"{EX}graph/names"))),
        from_empty=True,
    )
    with pytest.raises(CoopgraphError, match="names>, but it holds data no import recorded"):
        importer.run(root, "rdf", [write(tmp_path, "data.trig", QUADS["data.trig"])])
    with pytest.raises(UsageError, match="it holds data no import recorded"):
        importer.run(root, "rdf", [write(tmp_path, "data.ttl", TURTLE)], graph=f"{EX}graph/names")
    assert triples(root, f"{EX}graph/names") == {(f"{EX}s", f"{EX}p", "theirs")}


def test_a_graph_named_by_a_blank_node_is_refused(root, tmp_path):
    path = write(tmp_path, "blank.trig", f'_:g {{ <{EX}a> <{EX}p> "x" . }}\n')
    with pytest.raises(CoopgraphError, match="blank.trig: a named graph without a name"):
        importer.run(root, "rdf", [path])


def test_reimport_replaces_the_graph_and_its_parts(root, tmp_path):
    importer.run(root, "rdf", [write(tmp_path, "data.trig", QUADS["data.trig"])])
    smaller = write(tmp_path, "more.ttl", TURTLE + f"<{EX}c> <{EX}p> <{EX}d> .\n")
    report = importer.run(root, "rdf", [smaller])
    assert report.triples == 6 and report.parts == {}
    assert triples(root, f"{EX}graph/names") == set()
    assert (f"{EX}c", f"{EX}p", f"{EX}d") in triples(root, RDF_GRAPH)
    (loaded,) = [s for s in api.sources(root) if s["source"] == "rdf"]
    assert loaded["files"] == "more.ttl" and loaded["parts"] == []


def test_a_built_store_keeps_the_import_through_a_rebuild(built_copy, tmp_path):
    importer.run(built_copy, "rdf", [write(tmp_path, "data.trig", QUADS["data.trig"])])
    api.build(built_copy, data=Path(__file__).parent / "fixtures" / "data")
    assert triples(built_copy, RDF_GRAPH) == EXPECTED
    assert triples(built_copy, f"{EX}graph/names") == {(f"{EX}a", f"{EX}name", "A")}
    (loaded,) = [s for s in api.sources(built_copy) if s["source"] == "rdf"]
    assert loaded["parts"] == [f"{EX}graph/names"]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("bad.ttl", f'@prefix ex: <{EX}> .\nex:a ex:p ex:b .\nex:a ex:p "open .\n', "bad.ttl:3: "),
        ("bad.nt", f"<{EX}a> <{EX}p> <{EX}b> .\n<{EX}a> <{EX}p> .\n", "bad.nt:2: "),
        ("bad.nq.gz", f"<{EX}a> <{EX}p> <{EX}b> .\n\n<{EX}a> <p> <{EX}b> .\n", "bad.nq.gz:3: "),
        ("bad.trig", f"<{EX}g> {{ <{EX}a> <{EX}p> }}\n", "bad.trig:1: "),
        ("rel.ttl", "<a> <b> <c> .\n", "rel.ttl:1: "),
        ("bad.rdf", "<?xml version='1.0'?>\n<rdf:RDF>\n</x>\n", "bad.rdf:3: not well-formed XML"),
        ("bad.jsonld", '{"@id": 5}', "bad.jsonld: @id value must be a string"),
        ("remote.jsonld", '{"@context": "https://schema.org/"}', "a remote JSON-LD @context"),
        ("empty.ttl", "", "empty.ttl:1: empty file"),
        ("empty.nt.gz", "", "empty.nt.gz:1: empty file"),
        ("data.csv", "a,b\n", "data.csv: not an RDF file extension"),
        ("data", "", "data: not an RDF file extension"),
    ],
)
def test_a_bad_file_is_one_line_and_leaves_the_store_as_it_was(
    root, tmp_path, name, text, expected
):
    importer.run(root, "rdf", [write(tmp_path, "good.ttl", TURTLE)])
    generation = store.current_generation(root)
    path = write(tmp_path, name, text)
    with pytest.raises(CoopgraphError) as info:
        importer.run(root, "rdf", [write(tmp_path, "other.ttl", TURTLE), path])
    message = str(info.value)
    assert "\n" not in message and expected in message, message
    assert store.current_generation(root) == generation
    assert triples(root, RDF_GRAPH) == EXPECTED


def test_a_relative_iri_needs_a_base(root, tmp_path):
    path = write(tmp_path, "rel.ttl", "<a> <b> <#c> .\n")
    with pytest.raises(CoopgraphError, match="rel.ttl:1: .*pass --base IRI"):
        importer.run(root, "rdf", [path])
    importer.run(root, "rdf", [path], base=f"{EX}doc")
    assert triples(root, RDF_GRAPH) == {(f"{EX}a", f"{EX}b", f"{EX}doc#c")}
    with pytest.raises(UsageError, match="--base 'doc' is not an absolute IRI"):
        importer.run(root, "rdf", [path], base="doc")


def test_a_file_with_no_triples_imports_nothing_but_is_recorded(root, tmp_path):
    report = importer.run(root, "rdf", [write(tmp_path, "none.ttl", f"@prefix ex: <{EX}> .\n")])
    assert report.triples == 0 and [s["files"] for s in api.sources(root)] == ["none.ttl"]


def test_control_characters_in_a_file_are_escaped_in_the_message(root, tmp_path):
    path = write(tmp_path, "ctl.nt", f"<{EX}a\x1b[31m> <{EX}p> <{EX}b> .\n")
    with pytest.raises(CoopgraphError) as info:
        importer.run(root, "rdf", [path])
    assert "\x1b" not in str(info.value) and "ctl.nt:1:" in str(info.value)


def test_directories_fifos_and_missing_files_are_one_line(root, tmp_path):
    os.mkfifo(tmp_path / "pipe.ttl")
    (tmp_path / "dir.ttl").mkdir()
    for name, expected in [
        ("pipe.ttl", "not a regular file"),
        ("dir.ttl", "a directory"),
        ("missing.ttl", "no such file"),
    ]:
        with pytest.raises(CoopgraphError, match=expected):
            importer.run(root, "rdf", [tmp_path / name])
    assert not store.current_generation(root)


def test_a_gzip_past_the_decompressed_ceiling_is_refused(root, tmp_path, monkeypatch):
    import coopgraph.sources as sources

    monkeypatch.setattr(sources, "MAX_DECOMPRESSED_BYTES", 1000)
    path = write(tmp_path, "big.nt.gz", f"<{EX}a> <{EX}p> <{EX}b> .\n" * 100)
    with pytest.raises(CoopgraphError, match="big.nt.gz: decompresses to more than 1,000 bytes"):
        importer.run(root, "rdf", [path])


LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY a0 "lol">'
    + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    + f']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="{EX}">'
    f'<rdf:Description rdf:about="{EX}a"><e:p>&a9;</e:p></rdf:Description></rdf:RDF>\n'
)
XML_HEAD = '<?xml version="1.0"?>\n'
RDF_OPEN = f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="{EX}">'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (LAUGHS, "rdf.rdf:2: XML entity 'a1' holds a reference"),
        (
            XML_HEAD + '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n' + RDF_OPEN,
            "XML entity 'x' is a parameter or external entity",
        ),
        (
            XML_HEAD + f'<!DOCTYPE r [<!ENTITY x "{"y" * 5000}">]>\n' + RDF_OPEN + "</rdf:RDF>",
            "more than 4,096 characters (MAX_ENTITY_CHARS)",
        ),
        (
            XML_HEAD
            + f'<!DOCTYPE r [<!ENTITY x "{"y" * 4000}">]>\n'
            + RDF_OPEN
            + f'<rdf:Description rdf:about="{EX}a"><e:p>'
            + "&x;" * 2000
            + "</e:p></rdf:Description></rdf:RDF>",
            "its XML entities expand past twice the file's size",
        ),
        (
            RDF_OPEN
            + f'<rdf:Description rdf:about="{EX}a">'
            + "<e:p><rdf:Description>" * 1200
            + "</rdf:Description></e:p>" * 1200
            + "</rdf:Description></rdf:RDF>",
            "nested deeper than 1,000 (MAX_XML_DEPTH)",
        ),
    ],
    ids=["billion-laughs", "external-entity", "long-entity", "expansion", "depth"],
)
def test_hostile_rdf_xml_is_refused_before_the_parser_sees_it(root, tmp_path, text, expected):
    with pytest.raises(CoopgraphError) as info:
        importer.run(root, "rdf", [write(tmp_path, "rdf.rdf", text)])
    assert expected in str(info.value)


def test_rdf_xml_with_namespace_entities_as_ontology_editors_write_it(root, tmp_path):
    text = (
        XML_HEAD
        + '<!DOCTYPE rdf:RDF [<!ENTITY owl "http://www.w3.org/2002/07/owl#">'
        + f' <!ENTITY ex "{EX}">]>\n'
        + '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        + 'xmlns:owl="http://www.w3.org/2002/07/owl#">\n'
        + '<owl:Class rdf:about="&ex;A"><rdf:type rdf:resource="&owl;Thing"/></owl:Class>\n'
        + "</rdf:RDF>\n"
    )
    importer.run(root, "rdf", [write(tmp_path, "onto.owl", text)])
    owl = "http://www.w3.org/2002/07/owl#"
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    assert triples(root, RDF_GRAPH) == {
        (f"{EX}A", rdf_type, owl + "Class"),
        (f"{EX}A", rdf_type, owl + "Thing"),
    }
