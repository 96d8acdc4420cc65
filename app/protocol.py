"""The HTTP/1.1 protocol `python -m app serve` runs: uvicorn's httptools protocol with a
deadline for each request's headers and one for its body, which uvicorn lacks.

A client that sends its headers slower than `header_timeout` (slowloris), or opens a
connection and sends nothing, is disconnected; one that sends its body slower than
`body_timeout` gets 408 and is disconnected. WebSocket upgrades leave once their headers
are in: the socket's own limits apply from there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_TOO_SLOW = b"Request body not received in time"
REQUEST_TIMEOUT = b"".join(
    [
        b"HTTP/1.1 408 Request Timeout\r\n",
        b"content-type: text/plain; charset=utf-8\r\n",
        b"content-length: %d\r\n" % len(_TOO_SLOW),
        b"connection: close\r\n\r\n",
        _TOO_SLOW,
    ]
)


class TimedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, header_timeout: float, body_timeout: float, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout
        self._deadline: asyncio.TimerHandle | None = None

    def _arm(self, seconds: float, expired: Callable[[], None]) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.header_timeout, self._headers_too_slow)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm(self.header_timeout, self._headers_too_slow)

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()
        cycle = self.cycle
        # No new cycle for a WebSocket upgrade: it keeps the previous one, if any.
        if cycle is not None and cycle.scope is self.scope and cycle.more_body:
            self._arm(self.body_timeout, self._body_too_slow)

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def _headers_too_slow(self) -> None:
        self.transport.close()

    def _body_too_slow(self) -> None:
        if not self.cycle.response_started:
            self.transport.write(REQUEST_TIMEOUT)
        # The application, if still reading, sees the client disconnect.
        self.transport.close()
