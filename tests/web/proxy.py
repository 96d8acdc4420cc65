"""A TCP proxy on loopback in front of the server, which a test cuts to take the server off
the network as the browser sees it: every open connection (the WebSocket too) is dropped and
new ones are refused, until it is restored on the same port."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager, suppress
from typing import Any
from urllib.parse import urlsplit

from tests.processes import free_port

CHUNK = 65_536


class CuttableProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.listener: asyncio.Server | None = None
        self.open: set[asyncio.StreamWriter] = set()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self, coroutine: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    def restore(self) -> None:
        """Accept connections (again) on the same port."""
        self._run(self._listen())

    def cut(self) -> None:
        """Refuse new connections and drop every open one."""
        self._run(self._close())

    async def _listen(self) -> None:
        self.listener = await asyncio.start_server(
            self._relay, "127.0.0.1", self.port, reuse_address=True
        )

    async def _close(self) -> None:
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        for writer in list(self.open):
            writer.transport.abort()
        self.open.clear()

    async def _relay(
        self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter
    ) -> None:
        try:
            server_reader, server = await asyncio.open_connection(*self.upstream)
        except OSError:
            client.transport.abort()
            return
        self.open |= {client, server}
        await asyncio.gather(
            _pipe(client_reader, server), _pipe(server_reader, client), return_exceptions=True
        )
        for writer in (client, server):
            self.open.discard(writer)
            writer.transport.abort()

    async def _finish(self) -> None:
        await self._close()
        relays = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in relays:
            task.cancel()
        await asyncio.gather(*relays, return_exceptions=True)

    def stop(self) -> None:
        self._run(self._finish())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy until either side closes, then close both directions."""
    with suppress(OSError):
        while chunk := await reader.read(CHUNK):
            writer.write(chunk)
            await writer.drain()
    writer.transport.abort()


@contextmanager
def cuttable_proxy(upstream: str) -> Iterator[CuttableProxy]:
    proxy = CuttableProxy(upstream)
    proxy.thread.start()
    proxy.restore()
    try:
        yield proxy
    finally:
        proxy.stop()
