"""The endpoint's request reading and query screening, as functions (no server).

The gateway takes two shortcuts on the path every query takes: a GET whose only
parameter is ``query`` is decoded without ``parse_qs``, and the screening of a query text
(SERVICE, updates, nesting, volatile functions) is remembered for short texts. Both must
give exactly what the long way gives.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, quote, quote_plus

from hypothesis import given, settings
from hypothesis import strategies as st

from coopgraph.serve import app

WORDS = ["SELECT", "ASK", "SERVICE", "INSERT", "DATA", "RAND()", "NOW()", "{", "}", "(", ")"]
WORDS += ["?s", "<urn:x>", '"SERVICE"', "# SERVICE\n", "\\u0053ERVICE", "WHERE", " ", "\n"]
sparql_like = st.lists(st.sampled_from(WORDS) | st.text(max_size=5), max_size=40).map("".join)


def read(query_string: str) -> str | None:
    return asyncio.run(app.read_query("GET", query_string, "", None, None))


@settings(max_examples=300, derandomize=True)
@given(st.text(max_size=200), st.sampled_from([quote_plus, quote]))
def test_get_fast_path_decodes_as_parse_qs_does(text, encode):
    query_string = "query=" + encode(text)
    assert read(query_string) == parse_qs(query_string, keep_blank_values=True)["query"][0]


@settings(max_examples=300, derandomize=True)
@given(st.text(alphabet="query=&%+2Aa\u00e9;", max_size=30))
def test_any_query_string_reads_as_parse_qs_reads_it(query_string):
    expected = parse_qs(query_string, keep_blank_values=True).get("query", [None])
    try:
        got = read(query_string)
    except app.Refused as refused:
        assert len(expected) > 1 and b"once" in refused.reply.body
        return
    assert got == expected[0]


@settings(max_examples=300, derandomize=True)
@given(sparql_like)
def test_remembered_screening_equals_screening_afresh(text):
    assert app.screen(text) == app.screen(text) == app._screen.__wrapped__(text)


def test_screening_refuses_a_remembered_text_again():
    service = "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"
    first, second = app.screen(service), app.screen(service)
    assert first == second and first[0].startswith("SERVICE is not allowed")
    assert app.screen("INSERT DATA { <urn:a> <urn:b> <urn:c> }")[0] == app.UPDATE_MESSAGE
    assert app.screen("SELECT ?r { BIND(RAND() AS ?r) }") == (None, False)
    assert app.screen("SELECT ?s { ?s ?p ?o }") == (None, True)


def test_long_texts_are_screened_but_not_remembered():
    before = app._screen.cache_info().currsize
    long = "SELECT * { ?s ?p ?o }" + " " * app.SCREEN_MEMO_CHARS
    assert app.screen(long) == (None, True)
    long_service = "SELECT * { SERVICE <urn:x> { ?s ?p ?o } }" + "#" * app.SCREEN_MEMO_CHARS
    assert app.screen(long_service)[0].startswith("SERVICE")
    assert app._screen.cache_info().currsize == before
