"""What every broker shares: this process's subscribers and the fan-out to them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator
from typing import Any

from app import metrics
from app.events import GAP

logger = logging.getLogger("app.events")

Message = dict[str, Any]


class FanOut:
    """This process's subscribers: a bounded queue each, per channel. A full queue never
    blocks the publisher or the other subscribers: that subscriber's queue is emptied and
    holds one GAP marker instead, so it replays what it missed from the database.
    Brokers subclass it and decide where messages come from."""

    def __init__(self, queue_size: int = 100) -> None:
        self.queue_size = queue_size
        self.dropped = 0
        self._queues: dict[str, set[asyncio.Queue[Message]]] = {}
        # Subscribers already said to be behind: one line each, however often they fall
        # behind again while they catch up (the drops are all counted in metrics).
        self._behind: weakref.WeakSet[asyncio.Queue[Message]] = weakref.WeakSet()

    def subscriber_count(self) -> int:
        return sum(len(queues) for queues in self._queues.values())

    def channels(self) -> list[str]:
        return list(self._queues)

    def wanted(self, channel: str) -> bool:
        return channel in self._queues

    def deliver(self, channel: str, message: Message) -> None:
        for queue in self._queues.get(channel, ()):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                dropped = _replace_with_gap(queue) + 1
                self.dropped += dropped
                metrics.count_dropped(dropped)
                if queue not in self._behind:
                    self._behind.add(queue)
                    logger.warning("subscriber queue full on %s: it will replay", channel)

    def deliver_gap(self) -> None:
        """Tell every subscriber that messages may have been lost (a broker outage)."""
        for queues in self._queues.values():
            for queue in queues:
                _replace_with_gap(queue)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[Message]]:
        """Follow one channel until the block is left."""
        queue: asyncio.Queue[Message] = asyncio.Queue(self.queue_size)
        queues = self._queues.setdefault(channel, set())
        queues.add(queue)
        try:
            if len(queues) == 1:
                await self.channel_opened(channel)
            yield _QueueReader(queue)
        finally:
            queues.discard(queue)
            if not queues:
                self._queues.pop(channel, None)
                await self.channel_closed(channel)

    async def channel_opened(self, channel: str) -> None:
        """The channel's first local subscriber arrived."""

    async def channel_closed(self, channel: str) -> None:
        """The channel's last local subscriber left."""

    def forget_subscribers(self) -> None:
        self._queues.clear()


def _replace_with_gap(queue: asyncio.Queue[Message]) -> int:
    """Empty the queue into one GAP marker; how many messages that dropped."""
    dropped = 0
    while not queue.empty():
        dropped += queue.get_nowait() is not GAP
    queue.put_nowait(GAP)
    return dropped


class _QueueReader:
    """Reads one subscriber's queue; a plain iterator, so there is nothing to close."""

    def __init__(self, queue: asyncio.Queue[Message]) -> None:
        self._queue = queue

    def __aiter__(self) -> _QueueReader:
        return self

    async def __anext__(self) -> Message:
        return await self._queue.get()
