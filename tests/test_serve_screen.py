"""The endpoint's request reading and query screening, as functions (no server).

The gateway decodes a GET whose only parameter is ``query`` without ``parse_qs``: it must
give exactly what the long way gives. The screen (coopgraph.serve.screen) decides on the
parsed algebra; it is fuzzed here against the engine itself: any text it lets through is
run on Oxigraph, with the network open, beside a listener that counts connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
import threading
from urllib.parse import parse_qs, quote, quote_plus

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopgraph.namespace import PREFIXES
from coopgraph.serve import app, screen


def read(query_string: str) -> str | None:
    return asyncio.run(app.read_query("GET", query_string, "", None, None)).query


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


# --- the screen, on the parsed query ---------------------------------------------------


def verdict(text: str) -> screen.Verdict:
    return screen.inspect(text, PREFIXES)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
        "SELECT * { SERVICE SILENT ?endpoint { ?s ?p ?o } }",
        "SELECT * { { SELECT ?s { SERVICE <urn:x> { ?s ?p ?o } } } }",
        "SELECT * { ?s ?p ?o FILTER NOT EXISTS { SERVICE <urn:x> { ?s ?p ?o } } }",
        "SELECT * { OPTIONAL { GRAPH ?g { SERVICE <urn:x> { ?s ?p ?o } } } }",
        "SELECT * { ?s ?p ?o MINUS { SERVICE <urn:x> { ?s ?p ?o } } }",
        "ASK { { } UNION { SERVICE <urn:x> { ?s org:member+ ?o } } }",
        "SELECT (COUNT(*) AS ?n) { BIND(EXISTS { SERVICE <urn:x> {} } AS ?e) }",
        "DESCRIBE ?s { SERVICE <urn:x> { ?s ?p ?o } }",
        "SELECT * { ?s ?p ?o # x\rSERVICE <urn:x> {}\n}",
    ],
)
def test_service_anywhere_in_the_algebra_is_refused(query):
    assert verdict(query).refusal == screen.SERVICE_MESSAGE


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?service { BIND("SERVICE <http://x/> {}" AS ?service) } # SERVICE',
        "SELECT * { ?service <urn:SERVICE> ?o . ?s cg:service ?x }",
        "SELECT * { ?s (org:member|^org:member)/!(rdf:type|rdfs:label)* ?o }",
        "SELECT * { ?s ?p '''SERVICE\n<urn:x> {}''' }",
    ],
)
def test_the_word_service_elsewhere_runs(query):
    assert verdict(query).refusal is None


def test_updates_and_volatile_functions():
    assert verdict("INSERT DATA { <urn:a> <urn:b> <urn:c> }").refusal == app.UPDATE_MESSAGE
    assert verdict("DELETE WHERE { ?s ?p ?o }").refusal == app.UPDATE_MESSAGE
    rand = "SELECT ?r { BIND(RAND() AS ?r) }"
    assert verdict(rand) == screen.Verdict(None, rand, keep=False)
    assert verdict("SELECT (STRUUID() AS ?u) {}").keep is False
    assert verdict("SELECT ?s { ?s ?p ?o }").keep is True
    assert verdict("SELECT ?s { ?s ?p ?o FILTER(?o = 'rand()') }").keep is True


def test_syntax_errors_and_escapes_are_refused_with_the_reason():
    refused = verdict("SELECT * WHERE { ?s ?p }").refusal
    assert refused.startswith("SPARQL syntax error") and "line 1" in refused
    assert "write the character itself" in verdict('SELECT * { ?s ?p "caf\\u00e9" }').refusal
    assert "Unknown namespace prefix" in verdict("SELECT * { ?s nope:x ?o }").refusal


def test_nesting_is_bounded_not_fatal():
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(screen.RECURSION_LIMIT)  # as the worker sets it
    try:
        deep = "SELECT * WHERE { FILTER(" + "(" * 100_000 + "1" + ")" * 100_000 + ") }"
        assert "too deeply" in verdict(deep).refusal
        fine = "SELECT * WHERE " + "{ " * 300 + "?s ?p ?o " + "} " * 300
        assert verdict(fine).refusal is None
    finally:
        sys.setrecursionlimit(old)


def test_remembered_verdicts_equal_fresh_ones():
    service = "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"
    assert screen.verdict(service, PREFIXES) == screen.verdict(service, PREFIXES)
    assert screen.verdict(service, PREFIXES) == verdict(service)
    long = "SELECT * { ?s ?p ?o }" + " " * screen.MEMO_CHARS
    before = screen._remembered.cache_info().currsize
    assert screen.verdict(long, PREFIXES).refusal is None
    assert screen._remembered.cache_info().currsize == before  # long texts are not kept


# --- fuzz: the screen against the engine ------------------------------------------------


class Listener:
    """A TCP listener on 127.0.0.1 that counts connections and closes each at once."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/sparql"
        self.connections = 0
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


@pytest.fixture(scope="module")
def listener():
    found = Listener()
    yield found
    found.sock.close()


def engine() -> ox.Store:
    """An in-memory store with one triple, so every pattern of a query gets evaluated."""
    found = ox.Store()
    found.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.NamedNode("urn:o")))
    return found


#: Valid patterns to stand around the hidden word, some holding escapes of their own.
PATTERNS = [
    "?s ?p ?o .",
    "OPTIONAL { ?s ?p ?x }",
    "FILTER(?o != 1)",
    "?s ex:a\\' ?o .",
    "?s ?p 1 .",
]
PATTERNS += ['?s ?p "x\\"y" .', "?s ?p '''a'b''' .", "?s ?p <urn:x#a> .", 'BIND("#" AS ?h)']
#: (opener, closer) pairs that hide the word in a comment, a string or an IRI in some
#: reading, or glue it to a token: the three historical bypasses and more of their kind
#: (comment ends CR, LF and CRLF; quotes; ECHAR, \u and PN_LOCAL_ESC escapes).
HIDERS = [
    ("", ""),
    ("# x", "\n"),
    ("#", "\r\n"),
    ("# x\r", "\n"),
    ('?s ?p "', '" .'),
    ("?s ?p '", "' ."),
    ('?s ?p """', '""" .'),
    ("?s ?p '''", "''' ."),
    ('?s ?p "\\u0022 # ', '" .\n'),
    ("?s ?p '\\u0027 # ", "' .\n"),
    ('?s ?p "a\\"', '" .'),
    ("?s ?p ex:a\\' } ", " #'\n"),
    ("?s ?p ex:a\\# ", " .\n"),
    ("?s ?y 1", " ."),
    ("?s ?p <urn:x#", "> ."),
    ('BIND("', '" AS ?v)'),
    ("FILTER(?o != '", "')"),
]
OPENERS = sorted({opener for opener, _ in HIDERS})
CLOSERS = sorted({closer for _, closer in HIDERS})
#: SERVICE in case variants, escaped, and in Unicode look-alikes (Cyrillic S, full width,
#: a zero-width space inside).
SERVICE_WORDS = ["SERVICE", "service", "SeRvIcE", "SERVICE SILENT", "SERVIC\\u0045"]
SERVICE_WORDS += ["\\u0053ERVICE", "\u0405ERVICE", "\uff33\uff25\uff32\uff36\uff29\uff23\uff25"]
SERVICE_WORDS += ["SERV\u200bICE"]


@st.composite
def hidden_service(draw) -> tuple[str, str]:
    """SELECT * WHERE { <patterns> <opener>WORD <URL> { ?a ?b ?c } <closer> <patterns> },
    and a WORD; the opener and closer mostly a pair, sometimes mixed."""
    pair = st.sampled_from(HIDERS) | st.tuples(st.sampled_from(OPENERS), st.sampled_from(CLOSERS))
    opener, closer = draw(pair)
    patterns = st.lists(st.sampled_from(PATTERNS), max_size=2).map(" ".join)
    template = (
        "PREFIX ex: <http://example.org/> SELECT * WHERE { "
        + draw(patterns)
        + " "
        + opener
        + draw(st.sampled_from(["", " ", "\n", "\r", "\r\n", "\t"]))
        + "WORD <URL> { ?a ?b ?c } "
        + closer
        + " "
        + draw(patterns)
        + " }"
    )
    return template, draw(st.sampled_from(SERVICE_WORDS))


def oxigraph_parses(text: str) -> bool:
    """Whether Oxigraph's parser reads ``text`` (query() parses at once, runs lazily)."""
    try:
        engine().query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
    except SyntaxError:
        return False
    return True


@settings(
    max_examples=800,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(hidden_service())
def test_fuzz_nothing_the_screen_lets_through_calls_service(listener, case):
    """Whatever text the screen passes, Oxigraph neither reads the inserted word as code
    nor, running it with the network open, makes a call.

    Two oracles, both from Oxigraph itself: the listener counts connections (a SERVICE
    that got evaluated); and the same text with ``@@@`` in the word's place, which no
    SPARQL code can hold but comments, strings and IRIs can, must still parse (else the
    word stood in code where Oxigraph read it: a SERVICE whose join was merely empty).
    """
    template, word = case
    text = template.replace("URL", listener.url).replace("WORD", word)
    decision = verdict(text)
    if decision.refusal is not None:
        return
    before = listener.connections
    with contextlib.suppress(SyntaxError, OSError, RuntimeError):
        list(engine().query(decision.text, prefixes=PREFIXES, use_default_graph_as_union=True))
    assert listener.connections == before, f"the screen let a SERVICE through: {text!r}"
    if oxigraph_parses(decision.text):
        probe = screen.normalise(template.replace("URL", listener.url).replace("WORD", "@@@"))
        assert oxigraph_parses(probe), f"Oxigraph reads the word as code: {text!r}"


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?s ?p ?o # x\rSERVICE <URL> { ?a ?b ?c }\n}",
        "SELECT * WHERE { ?s ?y 1SERVICE <URL> { ?a ?b ?c } }",
        'SELECT * WHERE { ?s ?p "\\u0022 # " . SERVICE <URL> { ?a ?b ?c }\n}',
    ],
)
def test_the_fuzz_oracle_sees_a_call(listener, text):
    """The oracles can fail: these texts hold a SERVICE in code for Oxigraph (the probe
    with @@@ in its place does not parse); the first reaches the listener when run
    without the screen (the other two join it with a pattern that matches nothing).
    With the screen all are refused."""
    probe = text.replace("URL", listener.url).replace("SERVICE", "@@@")
    text = text.replace("URL", listener.url)
    assert oxigraph_parses(text) and not oxigraph_parses(probe)
    if "#" in text and "\\u" not in text:
        before = listener.connections
        with pytest.raises(OSError):
            list(engine().query(text))
        assert listener.connections > before
    assert verdict(text).refusal is not None
