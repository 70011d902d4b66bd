"""``coopgraph serve``: a read-only SPARQL 1.1 endpoint over the store.

A thin gateway (Starlette on uvicorn) in front of a fixed pool of worker processes that
hold the current store generation read-only (DESIGN.md, "Serving and scale")::

    from coopgraph.serve import run
    run(store_root, port=7878, workers=2, deadline=30)

``create_app`` gives the ASGI app for another server; its workers start and stop with
the app's lifespan.
"""

from __future__ import annotations

from pathlib import Path

from coopgraph.errors import CoopgraphError
from coopgraph.serve.app import create_app

__all__ = ["create_app", "run"]


def run(
    store_root,
    host: str = "127.0.0.1",
    port: int = 7878,
    *,
    log_level: str = "info",
    access_log: bool = True,
    header_timeout: float = 10.0,
    keep_alive: float = 5.0,
    max_connections: int = 1000,
    **options,
) -> None:
    """Serve the store at http://host:port/ until Ctrl-C or SIGTERM.

    ``options`` are those of ``create_app`` (workers, deadline, queue, max_rows,
    max_bytes, cors, cache_mb, max_memory, allow_hosts, body_timeout); the Host
    allow-list starts from ``host``. On Ctrl-C or SIGTERM the server stops accepting
    connections, answers the queries in flight (each ends by its deadline at the latest),
    then terminates the worker processes.

    Connections are bounded in time and number: a request head must arrive within
    ``header_timeout`` seconds of the connection or of the previous response
    (coopgraph.serve.connections), an idle keep-alive connection is closed after
    ``keep_alive`` seconds, a body must arrive within ``body_timeout`` (30 s), and beyond
    ``max_connections`` open connections new ones get 503.
    """
    import uvicorn

    from coopgraph import store
    from coopgraph.serve.connections import guarded_protocol

    root = Path(store_root)
    if store.current_generation(root) is None:
        store.open_generation(root)  # raises the usual "no store here" error
    app = create_app(root, bound=host, **options)
    deadline = float(options.get("deadline", 30.0))
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=access_log,
        lifespan="on",
        # a query in flight ends by its deadline; give it that long to be answered
        timeout_graceful_shutdown=int(deadline) + 2,
        # a GET may carry a query of up to 1 MB in its URL (h11 allows 16 KB by default)
        h11_max_incomplete_event_size=1_100_000,
        server_header=False,
        http=guarded_protocol(header_timeout),
        timeout_keep_alive=int(keep_alive) if keep_alive >= 1 else keep_alive,
        limit_concurrency=max_connections,
    )
    server = uvicorn.Server(config)
    try:
        server.run()  # shuts down gracefully on SIGINT and SIGTERM, then re-raises the signal
    except KeyboardInterrupt:
        return
    if not server.started:
        raise CoopgraphError(f"the endpoint could not start on {host}:{port}")
