"""The SPARQL 1.1 Protocol gateway: Starlette in front of the worker pool.

The gateway owns the guarantees the Oxigraph server lacks (DESIGN.md, "Serving and
scale"): a hard deadline per query (the worker is killed past it), bounded admission
(beyond ``queue`` waiting queries: 503 with Retry-After), capped results, SERVICE refused
before execution and updates never routed. It parses requests and nothing else; queries
run and results are serialised in the workers.
"""

from __future__ import annotations

import contextlib
import functools
import html
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote_plus

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route

from coopgraph import queries, store
from coopgraph.errors import CoopgraphError
from coopgraph.paths import shown
from coopgraph.serve import workers as workers_module
from coopgraph.serve.cache import Generation, ResultCache, cacheable
from coopgraph.serve.workers import Reply, error, parse_accept

STATIC = Path(__file__).parent / "static"
MAX_QUERY_BYTES = 1_000_000
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
UPDATE_MESSAGE = (
    "this endpoint is read-only: SPARQL Update is not accepted "
    "(change the data with 'coopgraph build' or 'coopgraph import')"
)

# --- looking at a query before it runs ---------------------------------------------------

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SKIP = re.compile(
    r'#[^\n]*|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>'
    r"|[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+"
    r"|[A-Za-z\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*:[\w.\-:%\\\u00b7\u00c0-\uffff]*"
    r"|:[\w.\-:%\\\u00b7\u00c0-\uffff]*"
)
_UPDATE = re.compile(r"(?i)\b(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b")
_FORM = re.compile(r"(?i)\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b")
_BRACKET = re.compile(r"[{}()\[\]]")
#: Nesting of groups, brackets and parentheses past which a query is refused: Oxigraph's
#: parser recurses per level and overflows its stack near 3,000 (the worker dies).
MAX_DEPTH = 500


def keywords(text: str) -> str:
    """``text`` with comments, strings, IRIs, variables and prefixed names blanked.

    Codepoint escapes (``\\u0053``) are decoded first, as the SPARQL grammar does before
    parsing, so an escaped keyword cannot slip past.

    >>> keywords('SELECT * { ?service <urn:SERVICE> "SERVICE" } # SERVICE').split()
    ['SELECT', '*', '{', '}']
    """
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    return _SKIP.sub(" ", text)


def depth(bare: str) -> int:
    """How deep ``{ }``, ``( )`` and ``[ ]`` nest in ``bare`` (as ``keywords`` gives it).

    >>> depth("SELECT * { { ?s ?p ?o } FILTER((1)) }")
    3
    """
    level = deepest = 0
    for match in _BRACKET.finditer(bare):
        if match[0] in "{([":
            level += 1
            deepest = max(deepest, level)
        else:
            level -= 1
    return deepest


def refusal(text: str, bare: str | None = None) -> str | None:
    """Why ``text`` is refused before it runs (SERVICE, an update), or None.

    ``bare`` is ``keywords(text)`` when the caller has it already.
    """
    if bare is None:
        try:
            bare = keywords(text)
        except (ValueError, OverflowError):
            return "the query holds an invalid \\u escape"
    if re.search(r"(?i)\bSERVICE\b", bare):
        return (
            "SERVICE is not allowed: this endpoint never calls other endpoints "
            "(federated queries are refused before they run)"
        )
    openers = bare.count("{") + bare.count("(") + bare.count("[")
    if openers > MAX_DEPTH and depth(bare) > MAX_DEPTH:  # fewer openers cannot nest deeper
        return (
            f"the query nests groups or expressions more than {MAX_DEPTH} deep; "
            "flatten it (this endpoint refuses deeper nesting before it runs)"
        )
    form = _FORM.search(bare)
    update = _UPDATE.search(bare)
    if update and (form is None or update.start() < form.start()):
        return UPDATE_MESSAGE
    return None


#: Query texts up to this length have their screening remembered (``screen``): a dict
#: lookup instead of the regular expressions, for the queries tools send again and again.
SCREEN_MEMO_CHARS = 4096


@functools.lru_cache(maxsize=1024)
def _screen(text: str) -> tuple[str | None, bool]:
    try:
        bare = keywords(text)
    except (ValueError, OverflowError):
        return refusal(text), False  # refusal says why: the invalid \\u escape
    return refusal(text, bare), cacheable(bare)


def screen(text: str) -> tuple[str | None, bool]:
    """Why ``text`` is refused before it runs (or None), and whether its answer may be kept.

    The answer depends on the text alone, so it is remembered for the last 1,024 texts of
    up to SCREEN_MEMO_CHARS characters (at most about 4 MB); longer texts are screened
    each time. The query itself still runs in a worker every time.

    >>> screen("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }")[0].startswith("SERVICE")
    True
    >>> screen("SELECT (RAND() AS ?r) {}")
    (None, False)
    """
    if len(text) <= SCREEN_MEMO_CHARS:
        return _screen(text)
    return _screen.__wrapped__(text)


# --- reading a request ------------------------------------------------------------------


class Refused(Exception):
    def __init__(self, reply: Reply):
        self.reply = reply


MAX_REQUEST_BYTES = MAX_QUERY_BYTES * 3 + 4096  # a form may percent-encode every byte


async def _body(receive, length: str | None) -> bytes:
    """The request body from the ASGI ``receive``, refused past MAX_REQUEST_BYTES."""
    if length and length.isdigit() and int(length) > MAX_REQUEST_BYTES:
        raise Refused(error(413, f"the request is larger than {MAX_QUERY_BYTES:,} bytes"))
    chunks, size = [], 0
    while True:
        message = await receive()
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


async def read_query(
    method: str, query_string: str, content_type: str, length: str | None, receive
) -> str | None:
    """The query text of a protocol request; None when there is none.

    ``receive`` is the ASGI callable the body is read from (for POST).
    """
    if method != "POST" and query_string.startswith("query=") and "&" not in query_string:
        params = {"query": [unquote_plus(query_string[6:])]}  # what parse_qs gives, faster
    else:
        params = parse_qs(query_string, keep_blank_values=True) if query_string else {}
    query = None
    if method == "POST":
        media = content_type.split(";")[0].strip().lower()
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
        body = await _body(receive, length)
        if media == "application/x-www-form-urlencoded":
            try:
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError:
                raise Refused(error(400, "the form is not UTF-8")) from None
            params = {**params, **form}
            query = _one(form, "query")
        else:
            try:
                query = body.decode("utf-8")
            except UnicodeDecodeError:
                raise Refused(error(400, "the query is not UTF-8")) from None
    if "update" in params:
        raise Refused(error(400, UPDATE_MESSAGE))
    for name in ("default-graph-uri", "named-graph-uri", "using-graph-uri"):
        if name in params:
            raise Refused(
                error(
                    400,
                    f"'{name}' is not supported: the default graph is the union of all "
                    "named graphs; use FROM, FROM NAMED or GRAPH in the query",
                )
            )
    if query is None:
        query = _one(params, "query")
    if query is not None and len(query.encode("utf-8")) > MAX_QUERY_BYTES:
        raise Refused(error(413, f"the query is longer than {MAX_QUERY_BYTES:,} bytes"))
    return query


# --- the service description and the query page -----------------------------------------


def service_description(endpoint: str) -> bytes:
    results = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV"]
    results += ["SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD"]
    formats = ", ".join(f"<{FORMATS}{name}>" for name in results)
    return (
        f"@prefix sd: <{SD}> .\n\n"
        f"[] a sd:Service ;\n"
        f"  sd:endpoint <{endpoint}> ;\n"
        f"  sd:supportedLanguage sd:SPARQL11Query ;\n"
        f"  sd:feature sd:UnionDefaultGraph ;\n"
        f"  sd:resultFormat {formats} ;\n"
        f"  sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ] ] .\n"
    ).encode()


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


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>coopgraph SPARQL endpoint</title>
<link rel="stylesheet" href="static/yasgui.min.css">
<style>
body {{ font-family: system-ui, sans-serif; margin: 0 1.5rem 2rem; }}
header p, .examples p {{ color: #444; max-width: 60rem; }}
.examples ul {{ list-style: none; padding: 0; columns: 2 28rem; }}
.examples li {{ break-inside: avoid; margin-bottom: .8rem; }}
.examples button {{ font: inherit; font-weight: 600; color: #1a5fb4; background: none;
  border: none; padding: 0; cursor: pointer; text-align: left; }}
.examples small {{ display: block; color: #555; }}
code {{ font-size: .85em; }}
</style>
</head>
<body>
<header>
<h1>coopgraph SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1 at <code>{endpoint}</code>. The default graph is the union of all
named graphs; the prefixes cg:, org:, skos:, rdfs:, xsd: and the others of
<code>coopgraph queries</code> need no declaration. Queries stop after {deadline:g} s and
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
<script src="static/yasgui.min.js"></script>
<script>
(function () {{
  var endpoint = new URL({endpoint_js}, window.location.href).href;
  var examples = JSON.parse(document.getElementById("examples").textContent);
  Yasgui.defaults.requestConfig.endpoint = endpoint;
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  var yasgui = new Yasgui(document.getElementById("yasgui"), {{
    requestConfig: {{ endpoint: endpoint, method: "POST" }},
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: {{ getData: function () {{ return [{{ endpoint: endpoint }}]; }} }},
    yasqe: {{ autocompleters: ["prefixes", "variables"] }}
  }});
  document.querySelectorAll(".examples button").forEach(function (button) {{
    button.addEventListener("click", function () {{
      var example = examples[Number(button.dataset.index)];
      var tab = yasgui.getTab();
      tab.setQuery(example.text);
      tab.getYasqe().focus();
      window.scrollTo(0, 0);
    }});
  }});
}})();
</script>
</body>
</html>
"""


def page(endpoint: str, deadline: float, max_rows: int) -> str:
    found = examples()
    items = []
    for index, example in enumerate(found):
        params = f" <code>{html.escape(example['params'])}</code>" if example["params"] else ""
        items.append(
            f'<li><button type="button" data-index="{index}">'
            f"{html.escape(example['title'])}</button>{params}"
            f"<small>{html.escape(example['description'])}</small></li>"
        )
    data = json.dumps(found).replace("</", "<\\/").replace("<!--", "<\\!--")
    return PAGE.format(
        endpoint=html.escape(endpoint),
        endpoint_js=json.dumps(endpoint),
        deadline=deadline,
        max_rows=max_rows,
        items="\n".join(items),
        data=data,
    )


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
    ):
        self.root = Path(root)
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
        self.pool = workers_module.Pool(self.root, self.size)
        await self.pool.start()

    async def stop(self) -> None:
        if self.pool is not None:
            await self.pool.close()

    def cached(self, text: str, accept: str) -> Reply | None:
        """The kept reply for this request on the current generation, or None."""
        if self.cache is None:
            return None
        return self.cache.get(self.generation.current(), text, accept)

    async def run(self, text: str, accept: str, *, keep: bool = True) -> Reply:
        """Run ``text`` in a worker (admission first); keep a 200 reply when ``keep``."""
        pool = self.pool
        assert pool is not None
        if not pool.idle() and pool.waiting >= self.queue:
            return error(
                503,
                f"the endpoint is busy ({self.size} queries running, {self.queue} waiting); "
                "try again shortly",
                **{"Retry-After": str(max(1, round(self.deadline / 4)))},
            )
        reply, generation = await pool.call(
            text, _ranges(accept), self.max_rows, self.max_bytes, self.deadline
        )
        if keep and self.cache is not None and reply.status == 200:
            self.cache.put(generation, text, accept, reply, len(reply.body))
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

    def __init__(self, gateway: Gateway, deadline: float, max_rows: int):
        self.gateway = gateway
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
            text = await read_query(
                "GET" if head else method,
                scope["query_string"].decode("latin-1"),
                headers.get(b"content-type", b"").decode("latin-1"),
                (headers.get(b"content-length") or b"").decode("latin-1") or None,
                receive,
            )
        except Refused as refused:
            await _send(send, refused.reply, head=head)
            return
        gateway = self.gateway
        if text is not None and gateway.cache is not None:
            hit = gateway.cached(text, accept)
            if hit is not None:  # only 200 replies of admitted queries are kept
                await _send(send, hit, "hit", head=head)
                return
        if text is None:
            await _send(send, self.no_query(scope, headers, method, accept), head=head)
            return
        if not text.strip():
            await _send(send, error(400, "the query is empty"), head=head)
            return
        why, keep = screen(text)
        if why is not None:
            await _send(send, error(400, why), head=head)
            return
        reply = await gateway.run(text, accept, keep=keep)
        cache = "miss" if gateway.cache is not None and reply.status == 200 else None
        await _send(send, reply, cache, head=head)

    def no_query(self, scope, headers, method: str, accept_header: str) -> Reply:
        """A request without a query: the query page, the service description, or 400."""
        if method != "POST":
            accept = parse_accept(accept_header)
            if any(media == "text/html" for media, _ in accept):
                endpoint = _base(scope, headers) + "/sparql"
                body = page(endpoint, self.deadline, self.max_rows).encode()
                return Reply(200, "text/html; charset=utf-8", body)
            graph = workers_module.choose(
                accept, workers_module.GRAPH_TYPES, workers_module.GRAPH_ALIASES
            )
            if graph == "text/turtle":
                endpoint = _base(scope, headers) + scope["path"]
                return Reply(200, "text/turtle; charset=utf-8", service_description(endpoint))
        return error(400, "no query: give one as ?query=... or in a POST body")


class App:
    """The endpoint's ASGI app: queries go straight to ``Endpoint``, the rest to Starlette."""

    def __init__(self, endpoint, starlette: Starlette, gateway: Gateway):
        self.endpoint = endpoint
        self.starlette = starlette
        self.gateway = gateway
        self.state = starlette.state

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"] in ("/sparql", "/query"):
            await self.endpoint(scope, receive, send)
        else:
            await self.starlette(scope, receive, send)


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
) -> App:
    """The endpoint as an ASGI app; its workers start with the app's lifespan.

    ``cache_mb`` bounds the result cache (coopgraph.serve.cache) in megabytes; 0 turns it
    off. With the cache on, every answered query carries ``X-Cache: hit`` or ``miss``.
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
        "YASGUI-LICENSE.txt": "text/plain",
    }

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
    endpoint = Endpoint(gateway, deadline, max_rows)
    if cors:
        endpoint = CORSMiddleware(endpoint, **cors_options)
    return App(endpoint, starlette, gateway)
