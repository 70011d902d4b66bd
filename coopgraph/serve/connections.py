"""Connections that cannot be held open for free: a deadline on every request head.

uvicorn closes an idle keep-alive connection after ``timeout_keep_alive``, but a
connection that sends nothing, or sends its request head a byte at a time (slowloris),
stays open for as long as the client likes: uvicorn arms no timer until a first response
is complete. ``guarded_protocol`` gives uvicorn's protocol that timer: from the moment a
connection opens, and again whenever a new request begins after a response, the whole
request head must arrive within ``header_timeout`` seconds, or the connection is closed.
The guard is a mixin over uvicorn's protocol class: httptools' when httptools is
installed (faster), h11's otherwise.
A request body has its own deadline (coopgraph.serve.app.BODY_TIMEOUT), and the number of
open connections is bounded by uvicorn's ``limit_concurrency``.
"""

from __future__ import annotations

import asyncio


class HeadDeadline:
    """A deadline on each request head, for a uvicorn HTTP protocol class (its ``cycle``
    is None until a request's head is complete, and done once its response is)."""

    header_timeout = 10.0
    _head_timer: asyncio.TimerHandle | None = None

    def _waiting_for_head(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.header_timeout, self._expire)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _expire(self) -> None:
        self._head_timer = None
        if self._waiting_for_head() and not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._waiting_for_head():
            self._arm()
        super().data_received(data)
        if not self._waiting_for_head():
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def guarded_protocol(header_timeout: float) -> type:
    """The protocol class for ``uvicorn.Config(http=...)`` with this head deadline:
    httptools' when it is installed, else h11's."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as base
    except ImportError:
        from uvicorn.protocols.http.h11_impl import H11Protocol as base
    name = f"Guarded{base.__name__}"
    return type(name, (HeadDeadline, base), {"header_timeout": header_timeout})
