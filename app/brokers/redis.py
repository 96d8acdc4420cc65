"""Several processes: Redis pub/sub carries messages between them.

One pub/sub connection per process (commands use a separate small pool) and a single
reader task fan messages out to local subscribers' bounded queues. A channel is
SUBSCRIBEd on Redis when its first local subscriber arrives and UNSUBSCRIBEd when its
last one leaves. When Redis restarts or the connection drops, the reader reconnects
with exponential backoff, subscribes again to every channel that still has local
subscribers, and hands each a GAP marker: they replay from the database what was
published while the connection was down. Publishing fails fast while Redis is away
(the relay keeps those events and publishes them once it answers).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from app.background import Outage
from app.brokers.base import FanOut, Message

logger = logging.getLogger("app.events")


class RedisBroker(FanOut):
    def __init__(
        self,
        url: str,
        queue_size: int = 100,
        *,
        backoff_initial: float = 0.05,
        backoff_max: float = 5.0,
        timeout: float = 2.0,
    ) -> None:
        super().__init__(queue_size)
        self.url = url
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.timeout = timeout
        self._redis: Redis | None = None
        self._pubsub_redis: Redis | None = None
        self._pubsub: PubSub | None = None
        self._lock = asyncio.Lock()  # guards _pubsub and every (UN)SUBSCRIBE on it
        self._reader: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    @property
    def listening(self) -> bool:
        """True while the pub/sub connection is up and subscribed."""
        return self._listening.is_set()

    async def wait_listening(self, timeout: float) -> None:
        """Wait until the pub/sub connection is (again) up and subscribed."""
        await asyncio.wait_for(self._listening.wait(), timeout)

    async def start(self) -> None:
        options: dict[str, Any] = {
            "socket_connect_timeout": self.timeout,
            "socket_timeout": self.timeout,
            "socket_keepalive": True,
        }
        # Commands (PUBLISH, PING) retry once at once: the first command after a
        # Redis restart meets a dead pooled connection and must not be lost for that.
        self._redis = Redis.from_url(self.url, retry=Retry(NoBackoff(), 1), **options)
        # The pub/sub connection never retries inside redis-py: the reader below
        # notices every drop itself, backs off and subscribes again.
        self._pubsub_redis = Redis.from_url(
            self.url, retry=Retry(NoBackoff(), 0), health_check_interval=30, **options
        )
        self._reader = asyncio.create_task(self._read_forever(), name="redis-broker-reader")

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        await self._close_pubsub()
        for client in (self._redis, self._pubsub_redis):
            if client is not None:
                await client.aclose()
        self._redis = self._pubsub_redis = None
        self.forget_subscribers()

    async def publish(self, channel: str, message: Message) -> None:
        if self._redis is None:
            raise RuntimeError("RedisBroker.publish before start()")
        # Bounded: while Redis is unreachable a publisher waits at most this long.
        await asyncio.wait_for(self._redis.publish(channel, json.dumps(message)), self.timeout)

    async def ping(self) -> bool:
        """Whether Redis answers a PING within the timeout (for health checks)."""
        if self._redis is None:
            return False
        try:
            return bool(await asyncio.wait_for(self._redis.ping(), self.timeout))
        except (RedisError, OSError, TimeoutError):
            return False

    async def channel_opened(self, channel: str) -> None:
        await self._sync_channel(channel)

    async def channel_closed(self, channel: str) -> None:
        await self._sync_channel(channel)

    async def _sync_channel(self, channel: str) -> None:
        """Make Redis' subscription to `channel` match whether anyone local wants it."""
        async with self._lock:
            pubsub = self._pubsub
            if pubsub is None:
                wanted = self.wanted(channel)
            else:
                wanted = False
                await self._sync_on(pubsub, channel)
        if wanted:
            # Not connected yet (start-up or outage): the reader subscribes to every
            # wanted channel when it connects; give it a moment so that messages
            # published right after subscribe() returns are not missed.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._listening.wait(), self.timeout)

    async def _sync_on(self, pubsub: PubSub, channel: str) -> None:
        try:
            if self.wanted(channel):
                await pubsub.subscribe(channel)
            else:
                await pubsub.unsubscribe(channel)
        except (RedisError, OSError) as exc:
            # The reader sees the same broken connection and resubscribes.
            logger.debug("redis (un)subscribe %s failed: %s", channel, exc)
            if pubsub.connection is not None:
                await pubsub.connection.disconnect(nowait=True)

    async def _read_forever(self) -> None:
        backoff = self.backoff_initial
        first = True
        outage = Outage(logger, "subscriptions through redis pub/sub")
        while True:
            try:
                pubsub = await self._connect()
                if not first:
                    self.deliver_gap()  # what was published meanwhile never reached us
                first = False
                backoff = self.backoff_initial
                outage.worked()
                while True:
                    raw = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if raw is not None and raw.get("type") == "message":
                        self._receive(raw["channel"], raw["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._listening.clear()
                await self._close_pubsub()
                outage.failed(exc)  # logged once, however many reconnections it takes
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.backoff_max)

    async def _connect(self) -> PubSub:
        """Open the pub/sub connection and subscribe to every locally wanted channel."""
        assert self._pubsub_redis is not None
        pubsub = self._pubsub_redis.pubsub()
        try:
            async with self._lock:
                channels = self.channels()
                if channels:
                    await pubsub.subscribe(*channels)
                else:
                    await pubsub.ping()  # get_message needs a connection
                self._pubsub = pubsub
        except BaseException:
            await pubsub.aclose()  # type: ignore[no-untyped-call]
            raise
        if channels:
            logger.info("redis pub/sub subscribed to %d channel(s)", len(channels))
        self._listening.set()
        return pubsub

    async def _close_pubsub(self) -> None:
        async with self._lock:
            pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]

    def _receive(self, raw_channel: bytes | str, raw_data: bytes | str) -> None:
        channel = raw_channel.decode() if isinstance(raw_channel, bytes) else raw_channel
        try:
            message = json.loads(raw_data)
        except ValueError:
            logger.warning("ignoring a message that is not JSON on %s", channel)
            return
        self.deliver(channel, message)
