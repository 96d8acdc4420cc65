"""Invitation events on a bus: what is published, on which channel, through which broker.

Services publish after their transaction commits; publishing is best-effort (a
broker failure is logged and never fails the mutation). Messages carry ids and
the event kind only, never tokens or other secrets.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

logger = logging.getLogger("app.events")


@dataclass(frozen=True)
class InvitationEventMessage:
    """One invitation transition, as carried between processes."""

    event_id: str
    kind: str  # SENT | RESENT | ACCEPTED | REJECTED | DELETED
    invitation_id: str
    domain_id: str
    invitee_id: str
    role_id: str
    actor_id: str | None
    at: str  # ISO 8601, UTC

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InvitationEventMessage:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


def user_channel(user_id: str) -> str:
    """Invitations sent or resent to one user."""
    return f"user:{user_id}"


def domain_channel(domain_id: str) -> str:
    """Every invitation event of one domain."""
    return f"domain:{domain_id}"


class Broker(Protocol):
    """Moves messages between publishers and subscribers (in-process or Redis)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, channel: str, message: dict[str, Any]) -> None: ...

    def subscribe(
        self, channel: str
    ) -> contextlib.AbstractAsyncContextManager[AsyncIterator[dict[str, Any]]]: ...


class LocalSubscribers:
    """This process's subscribers: a bounded queue each, per channel, and the fan-out
    to them. A full queue loses the event for that subscriber only; it never blocks
    the publisher or the other subscribers."""

    def __init__(self, queue_size: int) -> None:
        self.queue_size = queue_size
        self.dropped = 0
        self._queues: dict[str, set[asyncio.Queue[dict[str, Any]]]] = {}

    def __contains__(self, channel: str) -> bool:
        return channel in self._queues

    def channels(self) -> list[str]:
        return list(self._queues)

    def count(self) -> int:
        return sum(len(queues) for queues in self._queues.values())

    def clear(self) -> None:
        self._queues.clear()

    def add(self, channel: str) -> tuple[asyncio.Queue[dict[str, Any]], bool]:
        """A new subscriber's queue, and whether it is the channel's first."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(self.queue_size)
        queues = self._queues.setdefault(channel, set())
        queues.add(queue)
        return queue, len(queues) == 1

    def remove(self, channel: str, queue: asyncio.Queue[dict[str, Any]]) -> bool:
        """Forget a subscriber; whether it was the channel's last."""
        queues = self._queues.get(channel, set())
        queues.discard(queue)
        if queues:
            return False
        self._queues.pop(channel, None)
        return True

    def deliver(self, channel: str, message: dict[str, Any]) -> None:
        for queue in self._queues.get(channel, ()):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                self.dropped += 1
                logger.warning("subscriber queue full on %s: event dropped", channel)


class InMemoryBroker:
    """One process: fan out to local subscribers, each with its own bounded queue."""

    def __init__(self, queue_size: int = 100) -> None:
        self.local = LocalSubscribers(queue_size)

    @property
    def dropped(self) -> int:
        return self.local.dropped

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        self.local.clear()

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        self.local.deliver(channel, message)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        queue, _ = self.local.add(channel)
        try:
            yield _QueueReader(queue)
        finally:
            self.local.remove(channel, queue)

    def subscriber_count(self) -> int:
        return self.local.count()


class _QueueReader:
    """Reads one subscriber's queue; a plain iterator, so there is nothing to close."""

    def __init__(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._queue = queue

    def __aiter__(self) -> _QueueReader:
        return self

    async def __anext__(self) -> dict[str, Any]:
        return await self._queue.get()


class EventBus:
    """What services publish to; routes each event to the channels entitled to it."""

    def __init__(self, broker: Broker) -> None:
        self.broker = broker
        self.subscriptions = 0  # open subscriptions of this process, whatever the broker

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[InvitationEventMessage]]:
        """Follow one channel; leaving the block releases the broker subscription."""
        async with self.broker.subscribe(channel) as messages:
            self.subscriptions += 1
            try:
                yield _Messages(messages)
            finally:
                self.subscriptions -= 1

    async def publish_invitation_event(self, message: InvitationEventMessage) -> None:
        """Best-effort: a broker failure is logged, never raised."""
        channels = [domain_channel(message.domain_id)]
        if message.kind in ("SENT", "RESENT"):
            channels.append(user_channel(message.invitee_id))
        for channel in channels:
            try:
                await self.broker.publish(channel, message.to_dict())
            except Exception:
                logger.exception("could not publish %s on %s", message.kind, channel)


class _Messages:
    """A broker's dicts as messages."""

    def __init__(self, raw: AsyncIterator[dict[str, Any]]) -> None:
        self._raw = raw

    def __aiter__(self) -> _Messages:
        return self

    async def __anext__(self) -> InvitationEventMessage:
        return InvitationEventMessage.from_dict(await anext(self._raw))


class RedisBroker:
    """Several processes: Redis pub/sub carries messages between them.

    One pub/sub connection per process (commands use a separate small pool) and
    a single reader task fan messages out to local subscribers' bounded queues.
    A channel is SUBSCRIBEd on Redis when its first local subscriber arrives and
    UNSUBSCRIBEd when its last one leaves.
    When Redis restarts or the connection drops, the reader reconnects with
    exponential backoff and subscribes again to every channel that still has
    local subscribers; messages published meanwhile are lost (Redis pub/sub
    keeps nothing). Publishing fails fast while Redis is away, and EventBus
    logs it instead of failing the mutation.
    """

    def __init__(
        self,
        url: str,
        queue_size: int = 100,
        *,
        backoff_initial: float = 0.05,
        backoff_max: float = 5.0,
        timeout: float = 2.0,
    ) -> None:
        self.url = url
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.timeout = timeout
        self.local = LocalSubscribers(queue_size)
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
        self.local.clear()

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        if self._redis is None:
            raise RuntimeError("RedisBroker.publish before start()")
        # Bounded: while Redis is unreachable a mutation waits at most this long.
        await asyncio.wait_for(self._redis.publish(channel, json.dumps(message)), self.timeout)

    async def ping(self) -> bool:
        """Whether Redis answers a PING within the timeout (for health checks)."""
        if self._redis is None:
            return False
        try:
            return bool(await asyncio.wait_for(self._redis.ping(), self.timeout))
        except (RedisError, OSError, TimeoutError):
            return False

    @property
    def dropped(self) -> int:
        return self.local.dropped

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        queue, first = self.local.add(channel)
        try:
            if first:
                await self._sync_channel(channel)
            yield _QueueReader(queue)
        finally:
            if self.local.remove(channel, queue):
                await self._sync_channel(channel)

    def subscriber_count(self) -> int:
        return self.local.count()

    async def _sync_channel(self, channel: str) -> None:
        """Make Redis' subscription to `channel` match whether anyone local wants it."""
        async with self._lock:
            pubsub = self._pubsub
            if pubsub is None:
                wanted = channel in self.local
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
            if channel in self.local:
                await pubsub.subscribe(channel)
            else:
                await pubsub.unsubscribe(channel)
        except (RedisError, OSError) as exc:
            # The reader sees the same broken connection and resubscribes.
            logger.warning("redis (un)subscribe %s failed: %s", channel, exc)
            if pubsub.connection is not None:
                await pubsub.connection.disconnect(nowait=True)

    async def _read_forever(self) -> None:
        backoff = self.backoff_initial
        while True:
            try:
                pubsub = await self._connect()
                backoff = self.backoff_initial
                while True:
                    raw = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if raw is not None and raw.get("type") == "message":
                        self._deliver(raw["channel"], raw["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._listening.clear()
                await self._close_pubsub()
                logger.warning(
                    "redis pub/sub connection lost (%s); retrying in %.2fs", exc, backoff
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.backoff_max)

    async def _connect(self) -> PubSub:
        """Open the pub/sub connection and subscribe to every locally wanted channel."""
        assert self._pubsub_redis is not None
        pubsub = self._pubsub_redis.pubsub()
        try:
            async with self._lock:
                channels = self.local.channels()
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

    def _deliver(self, raw_channel: bytes | str, raw_data: bytes | str) -> None:
        channel = raw_channel.decode() if isinstance(raw_channel, bytes) else raw_channel
        try:
            message = json.loads(raw_data)
        except ValueError:
            logger.warning("ignoring a message that is not JSON on %s", channel)
            return
        self.local.deliver(channel, message)
