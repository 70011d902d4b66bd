"""The bundled query library (``*.rq`` beside this file) and the runner that binds parameters.

A library query declares itself in comment lines at its top::

    # title: Members of an alliance on a date
    # description: ...
    # param: alliance organisation NATO -- alliance id or IRI
    # param: date date 1999-07-01 -- the day

Each ``param`` line gives the variable name, its kind (``year``, ``date``, ``nation``,
``organisation``, ``operation``, ``actor`` (an organisation or a nation, bound as its id
string), ``source`` (a cited source's id string), ``integer``, ``string`` or ``iri``), a
default and a help text. A state, alliance, operation or source may be given by id, name
or alias (``resolve_names``, before the run). A value is checked against its kind, turned
into one RDF term by Oxigraph (which escapes it) and put in place of the variable wherever
the query uses it, outside comments, strings and IRIs; so a parameter is always one
constant and cannot change the query's shape. (Oxigraph's own ``substitutions`` would be
the cleaner path, but in 0.5 it accepts only variables the query projects, and these
queries filter on them.)

The queries coopgraph runs for itself (statistics, the loaded sources, the importers'
resolver) are in ``internal/``, in the same format, and ``internal`` reads them.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from coopgraph import dates, ids
from coopgraph.errors import CoopgraphError, UsageError
from coopgraph.namespace import PREFIXES
from coopgraph.paths import shown
from coopgraph.queries import dataset
from coopgraph.queries.lexical import TOKENS

LIBRARY = Path(__file__).parent
INTERNAL = LIBRARY / "internal"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: What relative IRIs in a query run by ``run`` resolve against: coopgraph's instances, so
#: ``<nation/POL>`` names Poland wherever the command runs (the endpoint uses its own URL).
BASE_IRI = ids.ID
KINDS = (
    "year", "date", "nation", "organisation", "operation", "actor", "source", "integer",
    "string", "iri",
)  # fmt: skip
#: Kinds whose value names a thing of the store, and the kinds of thing (coopgraph.names)
#: it may name: an id, a name or an alias, resolved before binding (``resolve_names``).
NAMED = {
    "nation": ("nation",),
    "organisation": ("organisation",),
    "operation": ("operation",),
    "actor": ("organisation", "nation"),
    "source": ("source",),
}
_PARAM = re.compile(r"^#\s*param:\s*(\w+)\s+(\w+)\s+(\S*)\s*(?:--\s*(.*))?$")


@dataclass(frozen=True)
class Param:
    """A declared query parameter."""

    name: str
    kind: str
    default: str
    help: str = ""


@dataclass
class Query:
    """A SPARQL query with its declared parameters and where it came from."""

    text: str
    origin: str
    name: str = ""
    title: str = ""
    description: str = ""
    params: dict[str, Param] = field(default_factory=dict)

    @property
    def form(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE (the first keyword after the prologue)."""
        body = re.sub(r"#[^\n]*", "", self.text)
        body = re.sub(r"(?is)\b(PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>)", "", body)
        match = re.search(r"(?i)\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", body)
        return match.group(1).upper() if match else "SELECT"


def parse_header(text: str, origin: str, name: str = "") -> Query:
    """Read the ``# title/description/param`` comment lines of a query."""
    query = Query(text=text, origin=origin, name=name)
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            continue
        if stripped.startswith("# title:"):
            query.title = stripped.split(":", 1)[1].strip()
        elif stripped.startswith("# description:"):
            query.description = stripped.split(":", 1)[1].strip()
        elif re.match(r"#\s*param:", stripped):
            match = _PARAM.match(stripped)
            if not match or match.group(2) not in KINDS:
                raise CoopgraphError(
                    f"bad param declaration (write '# param: NAME KIND DEFAULT -- help', "
                    f"KIND one of {', '.join(KINDS)})",
                    path=origin,
                    line=number,
                )
            pname, kind, default, help_ = match.groups()
            query.params[pname] = Param(pname, kind, default, help_ or "")
    return query


def library() -> dict[str, Query]:
    """Every bundled query by name (the file name without ``.rq``); a copy, each read once."""
    return {name: _query(LIBRARY, name) for name in _names(LIBRARY)}


def internal(name: str) -> Query:
    """The internal query ``name`` (``internal/NAME.rq``): one coopgraph runs for itself.

    The statistics, the list of loaded sources and the importers' resolver read the store
    through these. They are written like the library's queries, but they answer no user's
    question, so ``coopgraph queries`` does not offer them and the library's golden
    results do not cover them (their callers' tests do).
    """
    if name not in _names(INTERNAL):
        raise KeyError(name)
    return _query(INTERNAL, name)


@functools.cache
def _names(folder: Path) -> tuple[str, ...]:
    """The queries in ``folder`` by name, in the order of their files' paths."""
    return tuple(path.stem for path in sorted(folder.glob("*.rq")))


@functools.cache
def _query(folder: Path, name: str) -> Query:
    """The query ``name`` of ``folder``, read once: a command reads only the one it runs."""
    path = folder / f"{name}.rq"
    return parse_header(path.read_text(encoding="utf-8"), shown(path), name)


def load(name: str | None = None, *, file: Path | None = None, text: str | None = None) -> Query:
    """A query by library name, from a ``.rq`` file, or given inline (exactly one)."""
    if sum(x is not None for x in (name, file, text)) != 1:
        raise UsageError("give exactly one of a query text, --file or --name")
    if name is not None:
        names = _names(LIBRARY)
        if name not in names:
            from coopgraph.names import did_you_mean, suggest_words

            close = suggest_words(name, names)
            known = "" if close else f"known: {', '.join(names)}; "
            raise UsageError(
                f"unknown query name '{name}'{did_you_mean(close)} ({known}see 'coopgraph queries')"
            )
        return _query(LIBRARY, name)
    if file is not None:
        try:
            content = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            raise UsageError(f"cannot read query file: {reason}", path=shown(file)) from None
        return parse_header(content, shown(file))
    return parse_header(text or "", "<query>")


def _value(param: Param, raw: str) -> ox.NamedNode | ox.Literal:
    kind = param.kind
    try:
        if kind == "year":
            if not re.fullmatch(r"-?\d{1,4}", raw.strip()):
                raise ValueError(f"'{raw}' is not a year")
            return ox.Literal(
                str(dates.check_year(int(raw))), datatype=ox.NamedNode(XSD + "integer")
            )
        if kind == "date":
            try:
                day = dt.date.fromisoformat(raw.strip())
            except ValueError:
                raise ValueError(f"'{raw}' is not a date (YYYY-MM-DD)") from None
            dates.check_year(day.year)
            return ox.Literal(day.isoformat(), datatype=ox.NamedNode(XSD + "date"))
        if kind == "integer":
            return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
        if kind in ("string", "actor", "source"):
            return ox.Literal(raw)
        if kind == "iri" or raw.startswith(("http://", "https://")):
            return ox.NamedNode(raw.strip("<>"))
        if not ids.is_slug(raw):
            raise ValueError(f"'{raw}' is not an id")
        mint = {"nation": ids.nation, "organisation": ids.organisation, "operation": ids.operation}
        return ox.NamedNode(mint[kind](raw.upper() if kind == "nation" else raw))
    except ValueError as error:
        raise UsageError(f"parameter {param.name}: {error}") from None


def bind(query: Query, values: dict[str, str]) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
    """Check ``values`` against the query's declared parameters and return substitutions.

    Unknown names are an error; a declared parameter not given takes its default.
    """
    unknown = sorted(set(values) - set(query.params))
    if unknown:
        declared = ", ".join(query.params) or "none"
        raise UsageError(f"unknown parameter '{unknown[0]}' for this query (declared: {declared})")
    substitutions = {}
    for name, param in query.params.items():
        raw = values.get(name, param.default)
        if raw == "":
            raise UsageError(f"parameter {name} has no default: give --param {name}=VALUE")
        substitutions[ox.Variable(name)] = _value(param, raw)
    return substitutions


def resolve_names(
    query: Query, values: dict[str, str], resolve: Callable[..., str]
) -> dict[str, str]:
    """``values`` with each parameter that names a state, alliance, operation or source
    (``NAMED``; given or by default, not an IRI) replaced by the id ``resolve(text, kinds,
    what=...)`` gives (``Scope.resolve``): "Warsaw Pact" becomes WARSAW-PACT, and an unknown
    name is a usage error with suggestions instead of an empty result."""
    resolved = dict(values)
    for name, param in query.params.items():
        raw = values.get(name, param.default)
        if param.kind in NAMED and raw and not raw.startswith(("http://", "https://", "<")):
            resolved[name] = resolve(raw, NAMED[param.kind], what=f"parameter {name}")
    return resolved


def years(query: Query, values: dict[str, str]) -> list[int]:
    """The years the query's ``year`` and ``date`` parameters ask for, given or default
    (checked as ``bind`` checks them), for the warning about years no source covers.

    >>> q = parse_header("# param: day date 1999-07-01 -- d\\n# param: to year 2010 -- y", "q")
    >>> years(q, {"to": "2030"})
    [1999, 2030]
    """
    found = []
    for variable, term in bind(query, values).items():
        kind = query.params[variable.value].kind
        if kind in ("year", "date"):
            found.append(int(term.value[:4]) if kind == "date" else int(term.value))
    return found


def substitute(text: str, terms: dict[ox.Variable, ox.NamedNode | ox.Literal]) -> str:
    """``text`` with each bound variable replaced by its term, outside comments, strings
    and IRIs.

    >>> substitute('SELECT * { ?s ?p ?year } # ?year', {ox.Variable("year"): ox.Literal("1")})
    'SELECT * { ?s ?p "1" } # ?year'
    """
    by_name = {variable.value: str(term) for variable, term in terms.items()}

    def replace(match: re.Match) -> str:
        if match.group("var") and match.group("var")[1:] in by_name:
            return by_name[match.group("var")[1:]]
        return match.group(0)

    return TOKENS.sub(replace, text)


def run(
    store: ox.Store,
    query: Query,
    values: dict[str, str] | None = None,
    *,
    graphs: list[str] | None = None,
    base: str | None = None,
    request: dataset.Dataset | None = None,
):
    """Run ``query`` on ``store`` with parameters; a syntax error names file:line.

    Returns pyoxigraph's result: QuerySolutions, QueryBoolean or QueryTriples. The
    default graph is the union of all named graphs, or of ``graphs`` (named graph IRIs)
    when given, which are then the named graphs too, unless the query names its own
    dataset with FROM or FROM NAMED, which then wins (coopgraph.queries.dataset). The
    prefixes of ``coopgraph.namespace.PREFIXES`` (cg:, org:, skos:, rdfs:, geo: ...) need no
    declaration, and relative IRIs resolve against ``base``, by default ``BASE_IRI``
    (``<nation/POL>`` is Poland). ``request`` names the dataset as the protocol's
    ``default-graph-uri`` and ``named-graph-uri`` do: exactly those graphs, over FROM.
    """
    substitutions = bind(query, values or {})
    text = substitute(query.text, substitutions)
    scope = dataset.options(own=dataset.names_dataset(text), request=request, graphs=graphs)
    if base is not None:
        try:
            ox.NamedNode(base)
        except ValueError as error:
            raise UsageError(f"--base '{base}' is not an absolute IRI: {error}") from None
    try:
        return store.query(text, prefixes=PREFIXES, base_iri=base or BASE_IRI, **scope)
    except SyntaxError as error:
        match = re.match(r"error at (\d+):(\d+): (.*)", error.msg or "")
        if match:
            line, column, message = match.groups()
            if "Prefix not found" in message:
                message = (
                    "unknown prefix: declare it with PREFIX (cg, org, skos, rdfs, xsd, geo "
                    "and the others 'coopgraph queries' lists need no declaration)"
                )
            raise CoopgraphError(
                f"SPARQL syntax error at column {column}: {message}",
                path=query.origin,
                line=int(line),
            ) from None
        raise CoopgraphError(f"SPARQL syntax error: {error.msg}", path=query.origin) from None
    except OSError as error:
        raise CoopgraphError(f"query failed: {error}", path=query.origin) from None
