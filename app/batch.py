"""Lookups made in the same loop turn, batched into one read.

One event wakes every subscriber of its channel in the same turn; each then checks its
token, its membership and reads the event. `Coalesced.load(key)` gathers those calls
into one `fetch(keys)` per turn, so N subscribers cost one query per kind, not N.
Nothing is cached: each batch reads fresh rows and a later lookup starts a new batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_running: set[asyncio.Future[None]] = set()  # keeps dispatched batches alive until done


class Coalesced(Generic[K, V]):
    def __init__(self, fetch: Callable[[list[K]], Awaitable[dict[K, V]]]) -> None:
        self._fetch = fetch
        self._pending: dict[K, asyncio.Future[V | None]] | None = None

    async def load(self, key: K) -> V | None:
        loop = asyncio.get_running_loop()
        if self._pending is None:
            self._pending = {}
            loop.call_soon(self._dispatch)  # after the callers already woken this turn
        future = self._pending.get(key)
        if future is None:
            future = self._pending[key] = loop.create_future()
        return await asyncio.shield(future)  # one cancelled caller never fails the others

    def _dispatch(self) -> None:
        pending, self._pending = self._pending or {}, None
        task = asyncio.ensure_future(self._resolve(pending))
        _running.add(task)
        task.add_done_callback(_running.discard)

    async def _resolve(self, pending: dict[K, asyncio.Future[V | None]]) -> None:
        try:
            found = await self._fetch(list(pending))
        except Exception as exc:
            for future in pending.values():
                if not future.done():
                    future.set_exception(exc)
            return
        for key, future in pending.items():
            if not future.done():
                future.set_result(found.get(key))
