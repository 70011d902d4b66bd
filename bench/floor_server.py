"""The floor of coopgraph's endpoint design: ASGI server and process pool, doing nothing.

Usage (bench_serve.py starts it as the ``floor`` server)::

    python bench/floor_server.py PORT [WORKERS]

uvicorn, configured as ``coopgraph serve`` configures it, runs a bare ASGI app that sends
each request's query string over a socket pair to one of WORKERS processes and returns
what comes back: a constant SPARQL JSON result. No query is parsed, screened or run and no
result is serialised, so its queries/s are the most any endpoint of this design (the
architecture DESIGN.md, "Serving and scale", prescribes) can reach on the machine: the
cost of the HTTP server and of one round trip to a worker process. bench_serve.py prints
it beside coopgraph and the raw Oxigraph server so that coopgraph's figures can be read
against both.
"""

from __future__ import annotations

import asyncio
import collections
import os
import socket
import struct
import sys

import uvicorn

ANSWER = b'{"head":{"vars":["s"]},"results":{"bindings":[]}}'
FRAME = struct.Struct("!i")


def worker(sock: socket.socket) -> None:
    """Answer every framed request with ANSWER until the gateway closes the pair."""
    while True:
        head = sock.recv(FRAME.size, socket.MSG_WAITALL)
        if len(head) < FRAME.size:
            return
        (size,) = FRAME.unpack(head)
        sock.recv(size, socket.MSG_WAITALL)
        sock.sendall(FRAME.pack(len(ANSWER)) + ANSWER)


class Pipe(asyncio.Protocol):
    """The gateway's end of one worker's socket pair: one request in flight at most."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.pending: asyncio.Future | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) < FRAME.size:
            return
        (size,) = FRAME.unpack_from(self.buffer)
        if len(self.buffer) >= FRAME.size + size:
            frame = bytes(self.buffer[FRAME.size : FRAME.size + size])
            del self.buffer[: FRAME.size + size]
            self.pending.set_result(frame)

    def ask(self, payload: bytes) -> asyncio.Future:
        self.pending = asyncio.get_running_loop().create_future()
        self.transport.write(FRAME.pack(len(payload)) + payload)
        return self.pending


def main() -> None:
    port = int(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    pairs = []
    for _ in range(count):
        mine, theirs = socket.socketpair()
        if os.fork() == 0:  # the worker: before any event loop exists
            mine.close()
            worker(theirs)
            os._exit(0)
        theirs.close()
        pairs.append(mine)
    free: list[Pipe] = []
    waiting: collections.deque[asyncio.Future] = collections.deque()

    async def app(scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                loop = asyncio.get_running_loop()
                for sock in pairs:
                    sock.setblocking(False)
                    free.append((await loop.create_connection(Pipe, sock=sock))[1])
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if free:
            pipe = free.pop()
        else:
            waiter = asyncio.get_running_loop().create_future()
            waiting.append(waiter)
            pipe = await waiter
        body = await pipe.ask(scope["query_string"])
        if waiting:
            waiting.popleft().set_result(pipe)
        else:
            free.append(pipe)
        headers = [
            (b"content-type", b"application/sparql-results+json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        server_header=False,
    )


if __name__ == "__main__":
    main()
