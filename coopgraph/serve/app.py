"""The SPARQL 1.1 Protocol gateway: Starlette in front of the worker pool.

The gateway owns the guarantees the Oxigraph server lacks (DESIGN.md, "Serving and
scale"): a hard deadline per query (the worker is killed past it), bounded admission
(beyond ``queue`` waiting queries: 503 with Retry-After), capped results, and updates never
routed. It reads requests and nothing else: queries are parsed and screened (SERVICE
refused on their algebra), run and serialised in the workers, which cannot reach the
network (coopgraph.serve.screen, coopgraph.serve.sandbox).

The front door: a request whose Host is not on the allow-list gets 400 (DNS rebinding
against a server on 127.0.0.1), whatever the page or the service description echo is
escaped for its context, and every response carries X-Content-Type-Options, every HTML
response a Content-Security-Policy, X-Frame-Options and Referrer-Policy
(docs/reliability.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import html
import ipaddress
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote_plus

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from coopgraph import queries, store
from coopgraph.errors import CoopgraphError
from coopgraph.namespace import PREFIXES
from coopgraph.paths import shown
from coopgraph.queries.dataset import Dataset
from coopgraph.serve import sandbox
from coopgraph.serve import workers as workers_module
from coopgraph.serve.cache import Generation, ResultCache
from coopgraph.serve.formats import (
    GRAPH_ALIASES,
    GRAPH_TYPES,
    W3C_FORMATS,
    choose,
    parse_accept,
    write_graph,
)
from coopgraph.serve.reply import Reply, error
from coopgraph.serve.screen import UPDATE_MESSAGE
from coopgraph.serve.workers import MAX_MEMORY

STATIC = Path(__file__).parent / "static"
MAX_QUERY_BYTES = 1_000_000
SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: Seconds a client may take to send a request's body (each chunk and in all); past it, 408.
BODY_TIMEOUT = 30.0

# --- reading a request ------------------------------------------------------------------


class Refused(Exception):
    def __init__(self, reply: Reply):
        self.reply = reply


MAX_REQUEST_BYTES = MAX_QUERY_BYTES * 3 + 4096  # a form may percent-encode every byte


async def _body(receive, length: str | None, timeout: float = BODY_TIMEOUT) -> bytes:
    """The request body from the ASGI ``receive``: 413 past MAX_REQUEST_BYTES, 408 when it
    has not all arrived ``timeout`` seconds after the head."""
    if length and length.isdigit() and int(length) > MAX_REQUEST_BYTES:
        raise Refused(error(413, f"the request is larger than {MAX_QUERY_BYTES:,} bytes"))
    chunks, size = [], 0
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        try:
            message = await asyncio.wait_for(receive(), max(0.0, end - loop.time()))
        except asyncio.TimeoutError:
            raise Refused(
                error(408, f"the request body took longer than {timeout:g} s to arrive")
            ) from None
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_REQUEST_BYTES:
            raise Refused(error(413, f"the request is larger than {MAX_QUERY_BYTES:,} bytes"))
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _one(values: dict[str, list[str]], name: str) -> str | None:
    found = values.get(name)
    if not found:
        return None
    if len(found) > 1:
        raise Refused(error(400, f"give the '{name}' parameter once"))
    return found[0]


@dataclass(frozen=True)
class Operation:
    """What a protocol request asks: the query text (None when there is none) and the
    dataset its ``default-graph-uri`` and ``named-graph-uri`` parameters name (None when
    it names none)."""

    query: str | None
    dataset: Dataset | None = None


#: The parameters of an update request: refused here, whatever else the request holds.
UPDATE_PARAMETERS = ("update", "using-graph-uri", "using-named-graph-uri")


def _dataset(params: dict[str, list[str]]) -> Dataset | None:
    """The protocol dataset of ``params``; 400 for a value that is not an absolute IRI."""
    default = params.get("default-graph-uri", [])
    named = params.get("named-graph-uri", [])
    if not default and not named:
        return None
    for iri in default + named:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise Refused(error(400, f"not an absolute IRI: {iri!r}")) from None
    return Dataset(tuple(default), tuple(named))


async def read_query(
    method: str,
    query_string: str,
    content_type: str,
    length: str | None,
    receive,
    body_timeout: float = BODY_TIMEOUT,
) -> Operation:
    """The query text and the dataset of a protocol request.

    ``receive`` is the ASGI callable the body is read from (for POST), within
    ``body_timeout`` seconds. The dataset parameters are read from the URL and, for a
    form, from the body too.
    """
    if method != "POST" and query_string.startswith("query=") and "&" not in query_string:
        return Operation(unquote_plus(query_string[6:]))  # what parse_qs gives, faster
    params = parse_qs(query_string, keep_blank_values=True) if query_string else {}
    query = None
    if method == "POST":
        media, *parameters = (part.strip().lower() for part in content_type.split(";"))
        if media == "application/sparql-update":
            raise Refused(error(400, UPDATE_MESSAGE))
        if media not in ("application/x-www-form-urlencoded", "application/sparql-query"):
            raise Refused(
                error(
                    415,
                    "POST a query as application/sparql-query or as a form "
                    "(application/x-www-form-urlencoded, query=...)",
                )
            )
        charset = next((p[8:].strip('"') for p in parameters if p.startswith("charset=")), None)
        if charset not in (None, "utf-8", "utf8"):
            raise Refused(error(415, f"send the query in UTF-8, not {charset}"))
        body = await _body(receive, length, body_timeout)
        if media == "application/x-www-form-urlencoded":
            try:
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError:
                raise Refused(error(400, "the form is not UTF-8")) from None
            for name, values in form.items():
                params[name] = params.get(name, []) + values
            query = _one(form, "query")
        else:
            try:
                query = body.decode("utf-8")
            except UnicodeDecodeError:
                raise Refused(error(400, "the query is not UTF-8")) from None
    if any(name in params for name in UPDATE_PARAMETERS):
        raise Refused(error(400, UPDATE_MESSAGE))
    if query is None:
        query = _one(params, "query")
    if query is not None and len(query.encode("utf-8")) > MAX_QUERY_BYTES:
        raise Refused(error(413, f"the query is longer than {MAX_QUERY_BYTES:,} bytes"))
    return Operation(query, _dataset(params))


# --- the service description and the query page -----------------------------------------


def safe_iri(iri: str) -> str:
    """``iri`` with every character an IRI may not hold raw (and Turtle's IRIREF forbids)
    percent-encoded: what the request says the endpoint's address is, made harmless.

    >>> safe_iri('http://h/> . <x> <y> "z')
    'http://h/%3E%20.%20%3Cx%3E%20%3Cy%3E%20%22z'
    """
    forbidden = set('<>"{}|^`\\') | {chr(c) for c in range(0x21)}
    return "".join(
        "".join(f"%{b:02X}" for b in ch.encode("utf-8")) if ch in forbidden else ch for ch in iri
    )


def service_description(endpoint: str, media: str = "text/turtle") -> bytes:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint``, written as
    ``media`` (one of the graph formats): what it speaks, the result formats it writes, and
    that its default graph is the union of the named graphs when no dataset is named."""

    def term(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    service, dataset, graph = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    a = ox.NamedNode(RDF_TYPE)
    triples = [ox.Triple(service, a, term("Service"))]
    with contextlib.suppress(ValueError):  # a Host no IRI can hold: no sd:endpoint
        triples.append(ox.Triple(service, term("endpoint"), ox.NamedNode(safe_iri(endpoint))))
    triples += [
        ox.Triple(service, term("supportedLanguage"), term("SPARQL11Query")),
        ox.Triple(service, term("feature"), term("UnionDefaultGraph")),
    ]
    triples += [
        ox.Triple(service, term("resultFormat"), ox.NamedNode(iri)) for iri in W3C_FORMATS.values()
    ]
    triples += [
        ox.Triple(service, term("defaultDataset"), dataset),
        ox.Triple(dataset, a, term("Dataset")),
        ox.Triple(dataset, term("defaultGraph"), graph),
        ox.Triple(graph, a, term("Graph")),
    ]
    return write_graph(triples, media, prefixes={"sd": SD})


def examples() -> list[dict[str, str]]:
    """The library queries, with their parameters bound to their defaults so they run."""
    found = []
    for name, query in queries.library().items():
        text = query.text
        with contextlib.suppress(CoopgraphError):
            terms = queries.bind(query, {})
            if terms:
                text = queries.substitute(text, terms)
        params = ", ".join(f"{p.name}={p.default}" for p in query.params.values())
        found.append(
            {
                "name": name,
                "title": query.title or name,
                "description": query.description,
                "params": params,
                "text": text,
            }
        )
    return found


#: The library query the editor opens with.
DEFAULT_EXAMPLE = "alliance-members"
_PREFIX_LINE = re.compile(r"(?i)^\s*PREFIX\s+([\w.-]*):\s*<([^>]*)>\s*$")


def default_query(found: list[dict[str, str]]) -> str:
    """The query the editor opens with: the library's DEFAULT_EXAMPLE (as ``examples``
    gives it) declaring every prefix the endpoint predeclares, in place of its own
    declarations of them. The editor marks a prefix it has not seen declared as an error,
    so the first query shows the researcher all of them."""
    example = next(e for e in found if e["name"] == DEFAULT_EXAMPLE)
    lines = example["text"].splitlines()
    start = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    kept = [
        line
        for line in lines[start:]
        if not ((m := _PREFIX_LINE.match(line)) and PREFIXES.get(m[1]) == m[2])
    ]
    prologue = [f"PREFIX {name}: <{iri}>" for name, iri in PREFIXES.items()]
    return "\n".join([*lines[:start], *prologue, *kept]) + "\n"


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>coopgraph SPARQL endpoint</title>
<link rel="stylesheet" href="static/yasgui.min.css">
<link rel="stylesheet" href="static/page.css">
</head>
<body>
<header>
<h1>coopgraph SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1 at <code>{endpoint}</code>. The default graph is the union of all
named graphs unless the query (FROM, FROM NAMED) or the request (default-graph-uri,
named-graph-uri) names a dataset; the prefixes cg:, org:, skos:, rdfs:, xsd: and the others
of <code>coopgraph queries</code> need no declaration. Queries stop after {deadline:g} s and
results are capped at {max_rows:,} rows; SERVICE and updates are refused.</p>
</header>
<div id="yasgui"></div>
<section class="examples">
<h2>Example queries</h2>
<p>Click one to load it into the editor (parameters set to their defaults).</p>
<ul>
{items}
</ul>
</section>
<script id="examples" type="application/json">{data}</script>
<script id="endpoint" type="application/json">{endpoint_json}</script>
<script id="default-query" type="application/json">{default_json}</script>
<script src="static/yasgui.min.js"></script>
<script src="static/page.js"></script>
</body>
</html>
"""


def script_json(value) -> str:
    r"""``value`` as JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` are written as \u escapes, so no ``</script>`` or ``<!--`` can
    end or change the element, whatever the value holds.

    >>> print(script_json("</script><script>alert(1)</script>"))
    "\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e"
    """
    text = json.dumps(value, ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def page(endpoint: str, deadline: float, max_rows: int) -> str:
    """The query page; ``endpoint`` (from the request) is escaped for each place it goes."""
    found = examples()
    items = []
    for index, example in enumerate(found):
        params = f" <code>{html.escape(example['params'])}</code>" if example["params"] else ""
        items.append(
            f'<li><button type="button" data-index="{index}">'
            f"{html.escape(example['title'])}</button>{params}"
            f"<small>{html.escape(example['description'])}</small></li>"
        )
    return PAGE.format(
        endpoint=html.escape(endpoint),
        endpoint_json=script_json(endpoint),
        deadline=deadline,
        max_rows=max_rows,
        items="\n".join(items),
        data=script_json(found),
        default_json=script_json(default_query(found)),
    )


#: Headers on every HTML response: the page runs only its own scripts (no inline script),
#: cannot be framed, and sends no Referer to other sites.
HTML_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
#: Headers on every response.
COMMON_HEADERS = {"X-Content-Type-Options": "nosniff"}


# --- who may be asked: the Host allow-list ---------------------------------------------


def _host_name(header: str) -> str:
    """The host of a Host header, lower case, without port, brackets or a final dot.

    >>> _host_name("[::1]:7878"), _host_name("Example.ORG.:80"), _host_name("127.0.0.1")
    ('::1', 'example.org', '127.0.0.1')
    >>> _host_name("::")  # a bare IPv6 address (a bound address, not a Host header)
    '::'
    """
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    if header.count(":") > 1:
        return header
    return header.rsplit(":", 1)[0].rstrip(".") if ":" in header else header.rstrip(".")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class HostCheck:
    """Which Host values the endpoint answers: DNS rebinding needs a name that resolves to
    this machine, so only names given on purpose are accepted.

    Accepted: the bound address; when bound to a loopback address, ``localhost``,
    ``127.0.0.1`` and ``::1``; when bound to every interface (0.0.0.0 or ::), any IP
    address (a literal address cannot be rebound); and each name of ``allow``
    (``--allow-host``), ``*`` accepting any Host. A request without Host (HTTP/1.0) is
    accepted: browsers always send one.

    >>> check = HostCheck("127.0.0.1", ["coopgraph.example.org"])
    >>> [check.allows(h) for h in ("127.0.0.1:7878", "localhost", "coopgraph.example.org")]
    [True, True, True]
    >>> check.allows("evil.example"), check.allows("10.0.0.5")
    (False, False)
    >>> HostCheck("0.0.0.0").allows("10.0.0.5:7878")
    True
    """

    def __init__(self, bound: str = "127.0.0.1", allow: Iterable[str] = ()):
        bound = _host_name(bound) if bound else ""
        self.any = "*" in allow
        self.any_ip = bound in ("", "0.0.0.0", "::")
        self.names = {_host_name(name) for name in allow if name != "*"}
        if bound and not self.any_ip:
            self.names.add(bound)
        if bound == "localhost" or (_is_ip(bound) and ipaddress.ip_address(bound).is_loopback):
            self.names |= {"localhost", "127.0.0.1", "::1"}

    def allows(self, header: str | None) -> bool:
        if self.any or header is None:
            return True
        name = _host_name(header)
        return name in self.names or (self.any_ip and _is_ip(name))


# --- the application ------------------------------------------------------------------


class Gateway:
    """Admission, the result cache, dispatch to the pool, and the shutdown of both."""

    def __init__(
        self,
        root,
        *,
        workers: int,
        deadline: float,
        queue: int,
        max_rows: int,
        max_bytes: int,
        cache_mb: float = 64,
        max_memory: int | None = MAX_MEMORY,
    ):
        self.root = Path(root)
        self.max_memory = max_memory
        self.size = workers
        self.deadline = deadline
        self.queue = queue
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.pool: workers_module.Pool | None = None
        self.cache = ResultCache(int(cache_mb * 1_000_000)) if cache_mb > 0 else None
        self.generation = Generation(self.root)

    async def start(self) -> None:
        if store.current_generation(self.root) is None:
            raise CoopgraphError(
                "no store here: run 'coopgraph build' first (or pass --store)",
                path=shown(self.root),
            )
        self.pool = workers_module.Pool(self.root, self.size, self.max_memory)
        await self.pool.start()
        log = logging.getLogger("uvicorn.error")
        (log.info if self.pool.layers else log.warning)(sandbox.report(self.pool.layers))

    async def stop(self) -> None:
        if self.pool is not None:
            await self.pool.close()

    def cached(self, key: tuple) -> Reply | None:
        """The kept reply for this request (``Endpoint.key``) on the current generation, or
        None."""
        if self.cache is None:
            return None
        return self.cache.get(self.generation.current(), key)

    async def run(self, operation: Operation, base: str, accept: str, key: tuple) -> Reply:
        """Run ``operation``'s query in a worker (admission first), relative IRIs resolved
        against ``base``; keep the reply under ``key`` when the worker says it may be kept
        (a 200 to a query without volatile functions)."""
        pool = self.pool
        assert pool is not None
        if not pool.idle() and pool.waiting >= self.queue:
            return error(
                503,
                f"the endpoint is busy ({self.size} queries running, {self.queue} waiting); "
                "try again shortly",
                **{"Retry-After": str(max(1, round(self.deadline / 4)))},
            )
        request = (operation.query, _ranges(accept), self.max_rows, self.max_bytes)
        reply, generation = await pool.call((*request, operation.dataset, base), self.deadline)
        if reply.keep and self.cache is not None:
            self.cache.put(generation, key, reply, len(reply.body))
        return reply


@functools.lru_cache(maxsize=256)
def _ranges(accept: str) -> tuple[tuple[str, float], ...]:
    """``parse_accept`` of a header, remembered: clients send the same few headers."""
    return tuple(parse_accept(accept))


def _respond(reply: Reply) -> Response:
    return Response(reply.body, reply.status, headers=reply.headers, media_type=reply.content_type)


async def _send(send, reply: Reply, cache: str | None = None, *, head: bool = False) -> None:
    """Send ``reply`` through the ASGI ``send``, with ``X-Cache`` when ``cache`` is given."""
    headers = [
        (b"content-type", reply.content_type.encode("latin-1")),
        (b"content-length", str(len(reply.body)).encode()),
    ]
    headers += [
        (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers.items()
    ]
    if cache is not None:
        headers.append((b"x-cache", cache.encode()))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else reply.body})


def _base(scope, headers: dict[bytes, bytes]) -> str:
    """scheme://host of the request, as the client addressed it."""
    host = headers.get(b"host", b"").decode("latin-1")
    if not host and scope.get("server"):
        host = "{}:{}".format(*scope["server"])
    return f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}"


class Endpoint:
    """``/sparql`` and ``/query`` as a bare ASGI app: the path every query takes.

    It reads the ASGI scope directly (no router, request or response objects): a cache hit
    is a lookup and two sends, a miss adds the checks before execution and the round trip
    to a worker.
    """

    def __init__(
        self, gateway: Gateway, deadline: float, max_rows: int, body_timeout: float = BODY_TIMEOUT
    ):
        self.gateway = gateway
        self.body_timeout = body_timeout
        self.deadline = deadline
        self.max_rows = max_rows

    async def __call__(self, scope, receive, send) -> None:
        method = scope["method"]
        head = method == "HEAD"
        if method not in ("GET", "POST", "HEAD"):
            await _send(send, error(405, "use GET or POST", Allow="GET, HEAD, POST"))
            return
        headers = dict(scope["headers"])
        accept = headers.get(b"accept", b"*/*").decode("latin-1") or "*/*"
        try:
            operation = await read_query(
                "GET" if head else method,
                scope["query_string"].decode("latin-1"),
                headers.get(b"content-type", b"").decode("latin-1"),
                (headers.get(b"content-length") or b"").decode("latin-1") or None,
                receive,
                self.body_timeout,
            )
        except Refused as refused:
            await _send(send, refused.reply, head=head)
            return
        text = operation.query
        if text is None:
            await _send(send, self.no_query(scope, headers, method, accept), head=head)
            return
        gateway = self.gateway
        base = _base_iri(_base(scope, headers) + scope["path"])
        key = (text, accept, base, operation.dataset)
        if gateway.cache is not None:
            hit = gateway.cached(key)
            if hit is not None:  # only 200 replies of admitted queries are kept
                await _send(send, hit, "hit", head=head)
                return
        if not text.strip():
            await _send(send, error(400, "the query is empty"), head=head)
            return
        reply = await gateway.run(operation, base, accept, key)  # screened in the worker
        cache = "miss" if gateway.cache is not None and reply.status == 200 else None
        await _send(send, reply, cache, head=head)

    def no_query(self, scope, headers, method: str, accept_header: str) -> Reply:
        """A request without a query: the query page, the service description (in any
        graph format), or 400."""
        if method != "POST":
            accept = parse_accept(accept_header)
            if any(media == "text/html" for media, _ in accept):
                endpoint = _base(scope, headers) + "/sparql"
                body = page(endpoint, self.deadline, self.max_rows).encode()
                return Reply(200, "text/html; charset=utf-8", body)
            media = choose(accept, GRAPH_TYPES, GRAPH_ALIASES)
            if media is not None:
                endpoint = _base(scope, headers) + scope["path"]
                charset = "; charset=utf-8" if media.startswith("text/") else ""
                return Reply(200, media + charset, service_description(endpoint, media))
        return error(400, "no query: give one as ?query=... or in a POST body")


@functools.lru_cache(maxsize=64)
def _base_iri(url: str) -> str | None:
    """The IRI relative IRIs in a query resolve against: the request's URL without its
    query string (as the Oxigraph server does), made safe; None when no IRI can hold it."""
    iri = safe_iri(url)
    try:
        ox.NamedNode(iri)
    except ValueError:
        return None
    return iri


class App:
    """The endpoint's ASGI app: queries go straight to ``Endpoint``, the rest to Starlette."""

    def __init__(self, endpoint, starlette: Starlette, gateway: Gateway, hosts: HostCheck):
        self.endpoint = endpoint
        self.starlette = starlette
        self.gateway = gateway
        self.hosts = hosts
        self.state = starlette.state

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.starlette(scope, receive, send)
            return
        send = _with_headers(send)
        host = next((v for k, v in scope["headers"] if k == b"host"), None)
        if not self.hosts.allows(host.decode("latin-1") if host is not None else None):
            await _send(send, error(400, HOST_MESSAGE))
            return
        if scope["path"] in ("/sparql", "/query"):
            await self.endpoint(scope, receive, send)
        else:
            await self.starlette(scope, receive, send)


HOST_MESSAGE = (
    "this Host is not served here: the endpoint answers its own address and the names "
    "given with 'coopgraph serve --allow-host NAME'"
)
_COMMON = [(k.lower().encode(), v.encode()) for k, v in COMMON_HEADERS.items()]
_HTML = [(k.lower().encode(), v.encode()) for k, v in HTML_HEADERS.items()]


def _with_headers(send):
    """``send`` adding COMMON_HEADERS to every response and HTML_HEADERS to HTML ones."""

    async def sending(message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            names = {name.lower() for name, _ in headers}
            media = next((v for k, v in headers if k.lower() == b"content-type"), b"")
            extra = _COMMON + (_HTML if media.startswith(b"text/html") else [])
            headers += [(k, v) for k, v in extra if k not in names]
            message = {**message, "headers": headers}
        await send(message)

    return sending


def create_app(
    store_root,
    *,
    workers: int = 2,
    deadline: float = 30.0,
    queue: int = 64,
    max_rows: int = 100_000,
    max_bytes: int = 50_000_000,
    cors: bool = False,
    cache_mb: float = 64,
    max_memory: int | None = MAX_MEMORY,
    bound: str = "127.0.0.1",
    allow_hosts: Iterable[str] = (),
    body_timeout: float = BODY_TIMEOUT,
) -> App:
    """The endpoint as an ASGI app; its workers start with the app's lifespan.

    ``cache_mb`` bounds the result cache (coopgraph.serve.cache) in megabytes; 0 turns it
    off. With the cache on, every answered query carries ``X-Cache: hit`` or ``miss``.
    ``max_memory`` caps each worker's memory in bytes (None: no cap). ``bound`` is the
    address the server listens on and ``allow_hosts`` the further Host names it answers
    (``HostCheck``). A POST body must arrive within ``body_timeout`` seconds (408).
    """
    if workers < 1 or queue < 0 or deadline <= 0 or max_rows < 1 or max_bytes < 1:
        raise CoopgraphError("serve: workers, deadline, max rows and max bytes must be > 0")
    if cache_mb < 0:
        raise CoopgraphError("serve: the cache size must be 0 (off) or more")
    gateway = Gateway(
        store_root,
        workers=workers,
        deadline=deadline,
        queue=queue,
        max_rows=max_rows,
        max_bytes=max_bytes,
        cache_mb=cache_mb,
        max_memory=max_memory,
    )

    async def refuse_update(request: Request) -> Response:
        return _respond(error(405, UPDATE_MESSAGE))

    async def home(request: Request) -> Response:
        return HTMLResponse(page("sparql", deadline, max_rows))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await gateway.start()
        try:
            yield
        finally:
            await gateway.stop()

    static_files = {
        "yasgui.min.js": "application/javascript",
        "yasgui.min.css": "text/css",
        "page.js": "application/javascript",
        "page.css": "text/css",
        "YASGUI-LICENSE.txt": "text/plain",
    }

    async def prefixes(request: Request) -> Response:
        # what the editor's prefix autocompleter reads (prefix.cc's format) instead of its
        # bundled list: typing cg: adds coopgraph's declaration of it
        return JSONResponse(PREFIXES, headers={"Cache-Control": "public, max-age=86400"})

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in static_files:
            return _respond(error(404, "not found"))
        return FileResponse(
            STATIC / name,
            media_type=static_files[name],
            headers={"Cache-Control": "public, max-age=86400"},
        )

    routes = [
        Route("/", home, methods=["GET", "HEAD"]),
        Route("/update", refuse_update, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
        Route("/static/prefixes.json", prefixes, methods=["GET", "HEAD"]),
        Route("/static/{name}", static, methods=["GET", "HEAD"]),
    ]
    cors_options = {
        "allow_origins": ["*"],
        "allow_methods": ["GET", "POST"],
        "allow_headers": ["Accept", "Content-Type"],
        "max_age": 86400,
    }
    middleware = [Middleware(CORSMiddleware, **cors_options)] if cors else []
    starlette = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    starlette.state.gateway = gateway
    endpoint = Endpoint(gateway, deadline, max_rows, body_timeout)
    if cors:
        endpoint = CORSMiddleware(endpoint, **cors_options)
    return App(endpoint, starlette, gateway, HostCheck(bound, allow_hosts))
