"""The decision on a query before it runs, taken on its parsed algebra, never on its text.

A regular expression over the text let SERVICE through three ways (a comment ended by a
carriage return, ``1SERVICE``, an escaped quote; docs/reliability.md). So the endpoint's
workers parse every query with rdflib's SPARQL 1.1 parser, translate it to the SPARQL
algebra, and refuse it when any node of that algebra is a SERVICE: in a subquery, an
EXISTS, an OPTIONAL, a MINUS or a UNION alike (property paths hold no graph pattern, so
nothing hides there). Only a query that parsed and passed runs on Oxigraph, and Oxigraph
is given exactly the text that was parsed.

Two parsers reading one text can disagree; the two known disagreements are removed
before either reads it:

- SPARQL ends a comment at a carriage return as at a line feed; rdflib only at a line
  feed. Every CR (and CRLF) becomes a LF, for both parsers (outside comments a CR is
  white space, so only a raw CR inside a long string literal reads differently).
- rdflib expands ``\\uXXXX`` escapes across the whole text before parsing; Oxigraph only
  inside strings and IRIs. The screen parses the text as it is (no expansion), so rdflib
  and Oxigraph see the same tokens; a query using such escapes is refused with a message
  saying to write the character itself.

The parse is bounded: at most ``MAX_QUERY_BYTES`` of text (the gateway refuses more) and
Python's recursion limit set to ``RECURSION_LIMIT`` in the worker, which lets groups nest
about 600 deep and expressions about 300; deeper, the query is refused before Oxigraph,
whose parser overflows its stack near 3,000 levels, ever reads it. The worker running the
parse is itself killable (the deadline) and memory-capped.

Whatever reaches the engine still cannot open a connection: the worker has no network
(coopgraph.serve.sandbox).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from coopgraph.queries.dataset import declares

UPDATE_MESSAGE = (
    "this endpoint is read-only: SPARQL Update is not accepted "
    "(change the data with 'coopgraph build' or 'coopgraph import')"
)
SERVICE_MESSAGE = (
    "SERVICE is not allowed: this endpoint never calls other endpoints "
    "(federated queries are refused before they run)"
)
#: Python's recursion limit while a worker parses; bounds how deep a query may nest.
RECURSION_LIMIT = 20_000
#: Algebra nodes whose value changes from one run to the next: such answers are not kept.
VOLATILE = frozenset(f"Builtin_{name}" for name in ("RAND", "NOW", "UUID", "STRUUID", "BNODE"))
#: Query texts up to this length have their verdict remembered, per worker.
MEMO_CHARS = 4096


@dataclass(frozen=True)
class Verdict:
    """What the screen decided: why the query is refused (or None), the text to run,
    whether its answer may be kept by the result cache, and whether the query names its
    own dataset (FROM, FROM NAMED: coopgraph.queries.dataset)."""

    refusal: str | None
    text: str
    keep: bool = False
    dataset: bool = False


def normalise(text: str) -> str:
    r"""``text`` with every CR and CRLF read as LF (see the module doc).

    >>> normalise("SELECT * {} # a\rLIMIT 1")
    'SELECT * {} # a\nLIMIT 1'
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


def nodes(tree) -> set[str]:
    """The names of every algebra (and parse) node below ``tree``."""
    from rdflib.plugins.sparql.parserutils import CompValue

    found: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            found.add(node.name)
            stack.extend(node.values())
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple, set, frozenset)):
            stack.extend(node)
    return found


def _parse(text: str, prefixes: dict[str, str]):
    """The algebra of ``text``; SyntaxError with rdflib's reason when it does not parse."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql import algebra, parser

    try:
        tree = parser.Query.parse_string(text, parse_all=True)
    except ParseBaseException as failure:
        if _is_update(text):
            raise PermissionError(UPDATE_MESSAGE) from None
        hint = ""
        if "\\u" in text or "\\U" in text:
            hint = " (\\u escapes are not read here: write the character itself)"
        where = f"at line {failure.lineno}, column {failure.col}"
        raise SyntaxError(f"{failure.msg} {where}{hint}") from None
    try:
        return algebra.translateQuery(tree, initNs=prefixes)
    except Exception as failure:  # noqa: BLE001 - rdflib raises bare Exceptions here
        raise SyntaxError(str(failure)) from None


def _is_update(text: str) -> bool:
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql import parser

    try:
        parser.UpdateUnit.parse_string(text, parse_all=True)
    except (ParseBaseException, RecursionError):
        return False
    return True


def inspect(text: str, prefixes: dict[str, str]) -> Verdict:
    """Parse ``text`` (with ``prefixes`` predeclared) and decide whether it may run.

    >>> from coopgraph.namespace import PREFIXES
    >>> hidden = "SELECT * { ?s ?p ?o # x\\rSERVICE <http://h/> { ?a ?b ?c }\\n}"
    >>> inspect(hidden, PREFIXES).refusal == SERVICE_MESSAGE
    True
    >>> inspect("SELECT * { ?s org:member ?o }", PREFIXES)
    Verdict(refusal=None, text='SELECT * { ?s org:member ?o }', keep=True, dataset=False)
    """
    text = normalise(text)
    try:
        query = _parse(text, prefixes)
    except PermissionError as refused:
        return Verdict(str(refused), text)
    except SyntaxError as failure:
        return Verdict(f"SPARQL syntax error: {failure.msg or failure}", text)
    except RecursionError:
        return Verdict(
            "the query nests groups or expressions too deeply for this endpoint "
            f"(its parser stops at a recursion depth of {RECURSION_LIMIT:,}); flatten it",
            text,
        )
    names = nodes(query.algebra)
    if "ServiceGraphPattern" in names:
        return Verdict(SERVICE_MESSAGE, text)
    return Verdict(None, text, keep=not (names & VOLATILE), dataset=declares(query.algebra))


@functools.lru_cache(maxsize=1024)
def _remembered(text: str, prefixes: tuple[tuple[str, str], ...]) -> Verdict:
    return inspect(text, dict(prefixes))


def verdict(text: str, prefixes: dict[str, str]) -> Verdict:
    """``inspect``, remembered for the last 1,024 texts of up to MEMO_CHARS characters.

    Tools send the same queries again and again; parsing is the costly part of a small
    query (rdflib's parser takes milliseconds where Oxigraph answers in hundreds of
    microseconds), so each worker keeps its verdicts.
    """
    if len(text) <= MEMO_CHARS:
        return _remembered(text, tuple(sorted(prefixes.items())))
    return inspect(text, prefixes)
