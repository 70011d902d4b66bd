"""The query library and runner: parameters, formats, errors."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest

from coopgraph import api, queries, store
from coopgraph.errors import CoopgraphError, UsageError


def test_every_library_query_parses_and_runs_with_defaults(fixture_store):
    reader = store.open_reader(fixture_store)
    for name, q in queries.library().items():
        assert q.title and q.description, name
        result = queries.run(reader, q)
        assert result is not None


def test_members_as_of_a_date_on_the_fixture(fixture_store):
    q = queries.load("alliance-members")
    out = api.query(fixture_store, q, {"alliance": "NATO", "date": "1999-03-11"}, "csv")
    codes = [row["code"] for row in csv.DictReader(io.StringIO(out))]
    assert codes == ["FRA", "GBR", "USA"]
    out = api.query(fixture_store, q, {"alliance": "NATO", "date": "1999-03-12"}, "csv")
    assert [r["code"] for r in csv.DictReader(io.StringIO(out))][-1] == "POL"


def test_partial_membership_status_is_reported(fixture_store):
    q = queries.load("alliance-members")
    rows = list(
        csv.DictReader(
            io.StringIO(
                api.query(fixture_store, q, {"alliance": "NATO", "date": "1970-01-01"}, "csv")
            )
        )
    )
    status = {r["code"]: r["status"] for r in rows}
    assert status == {"FRA": "outside-integrated-command", "GBR": "", "USA": ""}
    rows = list(
        csv.DictReader(
            io.StringIO(
                api.query(fixture_store, q, {"alliance": "NATO", "date": "2009-04-05"}, "csv")
            )
        )
    )
    assert {r["code"]: r["status"] for r in rows}["FRA"] == ""


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv", "table"])
def test_select_formats(fixture_store, fmt):
    q = queries.load(
        text="SELECT ?n WHERE { ?s a <https://w3id.org/coopgraph/ontology#State> ; "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?n } ORDER BY ?n"
    )
    out = api.query(fixture_store, q, {}, fmt)
    assert "Poland" in out
    if fmt == "json":
        data = json.loads(out)
        assert data["head"]["vars"] == ["n"]
        assert len(data["results"]["bindings"]) == 6
    if fmt == "tsv":
        assert out.splitlines()[0] == "?n"
    if fmt == "table":
        assert out.rstrip().endswith("(6 rows)")


def test_ask_and_graph_results(fixture_store):
    ask = queries.load(text="ASK { ?s a <https://w3id.org/coopgraph/ontology#AidFlow> }")
    assert api.query(fixture_store, ask, {}, "table") == "true\n"
    assert json.loads(api.query(fixture_store, ask, {}, "json"))["boolean"] is True
    construct = queries.load(
        text="PREFIX cg: <https://w3id.org/coopgraph/ontology#> "
        "CONSTRUCT { ?d cg:gave ?r } WHERE { ?f cg:donor ?d ; cg:recipient ?r }"
    )
    nt = api.query(fixture_store, construct, {}, "ntriples")
    assert len(nt.strip().splitlines()) == 2
    parsed = list(ox.parse(nt.encode(), format=ox.RdfFormat.N_TRIPLES))
    assert {t.object.value.rsplit("/", 1)[1] for t in parsed} == {"ISR", "POL"}
    ttl = api.query(fixture_store, construct, {}, "turtle")
    assert "@prefix cg:" in ttl
    describe = queries.load(text="DESCRIBE <https://w3id.org/coopgraph/id/nation/POL>")
    assert "Poland" in api.query(fixture_store, describe, {}, "turtle")
    with pytest.raises(CoopgraphError, match="CONSTRUCT or DESCRIBE result is a graph"):
        api.query(fixture_store, construct, {}, "csv")
    with pytest.raises(CoopgraphError, match="SELECT or ASK result is a table"):
        api.query(fixture_store, ask, {}, "turtle")


def test_unknown_query_name():
    with pytest.raises(UsageError, match="unknown query name 'nope'"):
        queries.load("nope")


def test_unknown_parameter():
    with pytest.raises(UsageError, match="unknown parameter 'yeer'"):
        queries.bind(queries.load("alliance-members-in-year"), {"yeer": "1999"})


@pytest.mark.parametrize(
    ("name", "values", "message"),
    [
        ("alliance-members-in-year", {"year": "3000"}, "year 3000 is outside 1800-2100"),
        ("alliance-members-in-year", {"year": "nineteen"}, "'nineteen' is not a year"),
        ("alliance-members", {"date": "1999-02-30"}, "not a date"),
        ("nation-alliances", {"nation": "P O L"}, "not an id"),
    ],
)
def test_bad_parameter_values(name, values, message):
    with pytest.raises(UsageError, match=message):
        queries.bind(queries.load(name), values)


def test_parameter_cannot_inject_sparql(fixture_store):
    q = queries.load("nation-alliances")
    with pytest.raises(UsageError):
        queries.bind(q, {"nation": "POL> } ; DROP ALL #"})
    # an IRI-looking value is still one term, and string values are escaped literals
    terms = queries.bind(q, {"nation": "https://w3id.org/coopgraph/id/nation/POL"})
    text = queries.substitute(q.text, terms)
    assert "<https://w3id.org/coopgraph/id/nation/POL>" in text
    lit = queries.substitute("SELECT * { ?s ?p ?v }", {ox.Variable("v"): ox.Literal('x" } #')})
    assert lit == 'SELECT * { ?s ?p "x\\" } #" }'


def test_substitution_skips_comments_strings_and_iris():
    text = 'SELECT ("?year" AS ?x) { <http://e/?year> ?p ?year } # ?year'
    out = queries.substitute(
        text,
        {
            ox.Variable("year"): ox.Literal(
                "1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
            )
        },
    )
    assert out.count("?year") == 3
    assert "?p 1 }" in out or '?p "1"^^' in out


def test_syntax_error_names_line(tmp_path, fixture_store):
    path = tmp_path / "bad.rq"
    path.write_text("PREFIX cg: <https://w3id.org/coopgraph/ontology#>\nSELEKT ?x WHERE { }\n")
    q = queries.load(file=path)
    with pytest.raises(CoopgraphError, match=r"bad.rq:2: SPARQL syntax error"):
        api.query(fixture_store, q, {}, "table")


def test_query_file_missing(tmp_path):
    with pytest.raises(UsageError, match="cannot read query file"):
        queries.load(file=tmp_path / "none.rq")


def test_form_detection():
    assert queries.load(text="PREFIX a: <http://a/> ASK { ?s ?p ?o }").form == "ASK"
    assert queries.load("alliance-members").form == "SELECT"


def _rows(out: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(out)))


def test_aid_by_pair_on_the_fixture(fixture_store):
    out = api.query(fixture_store, queries.load("aid-by-pair"), {}, "csv")
    assert [
        (r["donor"], r["recipient"], r["unit"], r["total"], r["records"]) for r in _rows(out)
    ] == [
        ("USA", "ISR", "USD", "1860000000", "1"),
        ("USA", "POL", "USD", "1000000", "1"),
    ]
    out = api.query(fixture_store, queries.load("aid-by-pair"), {"from": "2000"}, "csv")
    assert _rows(out) == []


def test_aid_to_allies_on_the_fixture(fixture_store):
    q = queries.load("aid-to-allies")
    rows = _rows(api.query(fixture_store, q, {"year": "1999"}, "csv"))
    # Israel is in no alliance; Poland joined NATO in March 1999 (fiscal year 1999 aid)
    assert [(r["donor"], r["recipient"], r["alliance"], r["total"]) for r in rows] == [
        ("USA", "POL", "NATO", "1000000")
    ]
    assert _rows(api.query(fixture_store, q, {"year": "1998"}, "csv")) == []


PLAIN_AID_BY_PAIR = """
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX cg: <https://w3id.org/coopgraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?donor ?recipient ?unit (SUM(?amount) AS ?total) (COUNT(?flow) AS ?records) WHERE {
  ?flow a cg:AidFlow ; cg:donor/skos:notation ?donor ; cg:recipient/skos:notation ?recipient ;
        cg:startDate ?start ; cg:amount ?amount ; cg:unit/skos:notation ?unit .
  OPTIONAL { ?flow cg:fiscalYear ?fy }
  FILTER (COALESCE(xsd:integer(?fy), YEAR(?start)) >= 1990
          && COALESCE(xsd:integer(?fy), YEAR(?start)) <= 2020)
} GROUP BY ?donor ?recipient ?unit
"""


def test_aid_by_pair_matches_the_plain_formulation_on_the_bundled_data(bundled_store):
    """The library query is written for speed; it must give what the obvious one gives."""
    reader = store.open_reader(bundled_store)
    plain = {
        (r["donor"].value, r["recipient"].value, r["unit"].value): (
            r["total"].value,
            r["records"].value,
        )
        for r in reader.query(PLAIN_AID_BY_PAIR, use_default_graph_as_union=True)
    }
    out = api.query(
        bundled_store, queries.load("aid-by-pair"), {"from": "1990", "to": "2020"}, "csv"
    )
    fast = {(r["donor"], r["recipient"], r["unit"]): (r["total"], r["records"]) for r in _rows(out)}
    assert len(plain) >= 6
    assert fast == plain
