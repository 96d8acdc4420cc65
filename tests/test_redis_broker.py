"""RedisBroker against real Redis: across connections, fan-out, unsubscribe, restarts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Protocol

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.brokers.redis import RedisBroker
from app.events import GAP
from app.ids import new_id
from tests.polling import eventually
from tests.processes import redis_server

pytestmark = pytest.mark.redis


class MakeBroker(Protocol):
    async def __call__(self, url: str, queue_size: int = 100) -> RedisBroker: ...


@pytest.fixture
async def make_broker() -> AsyncIterator[MakeBroker]:
    """Start RedisBrokers (each with its own connections, as separate processes have)."""
    started: list[RedisBroker] = []

    async def make(url: str, queue_size: int = 100) -> RedisBroker:
        broker = RedisBroker(url, queue_size, backoff_max=0.5)
        await broker.start()
        started.append(broker)
        return broker

    yield make
    for broker in started:
        await broker.stop()


async def subscribers_in_redis(url: str, channel: str) -> int:
    async with Redis.from_url(url) as client:
        counts = await client.pubsub_numsub(channel)
        return int(counts[0][1])


async def next_message(messages: AsyncIterator[dict[str, Any]]) -> dict[str, Any]:
    return await asyncio.wait_for(anext(messages), 5)


def channel_name() -> str:
    return f"test:{new_id()}"


async def test_a_message_published_by_one_broker_reaches_another_brokers_subscriber(
    redis_url: str, make_broker: MakeBroker
) -> None:
    receiver, sender = await make_broker(redis_url), await make_broker(redis_url)
    channel = channel_name()

    async with receiver.subscribe(channel) as messages:
        await sender.publish(channel, {"hello": "world", "n": 1})

        assert await next_message(messages) == {"hello": "world", "n": 1}


async def test_one_redis_subscription_fans_out_to_every_local_subscriber(
    redis_url: str, make_broker: MakeBroker
) -> None:
    receiver, sender = await make_broker(redis_url), await make_broker(redis_url)
    channel = channel_name()

    async with (
        receiver.subscribe(channel) as first,
        receiver.subscribe(channel) as second,
        receiver.subscribe(channel) as third,
    ):
        assert await subscribers_in_redis(redis_url, channel) == 1
        await sender.publish(channel, {"n": 7})

        received = [await next_message(m) for m in (first, second, third)]

    assert received == [{"n": 7}] * 3


async def test_redis_subscription_ends_with_the_last_local_subscriber(
    redis_url: str, make_broker: MakeBroker
) -> None:
    broker = await make_broker(redis_url)
    channel = channel_name()

    async with broker.subscribe(channel):
        async with broker.subscribe(channel):
            pass
        still_subscribed = await subscribers_in_redis(redis_url, channel)

    assert still_subscribed == 1
    assert await subscribers_in_redis(redis_url, channel) == 0
    assert broker.subscriber_count() == 0


async def test_messages_only_reach_subscribers_of_their_channel(
    redis_url: str, make_broker: MakeBroker
) -> None:
    receiver, sender = await make_broker(redis_url), await make_broker(redis_url)
    mine, other = channel_name(), channel_name()

    async with receiver.subscribe(mine) as messages, receiver.subscribe(other):
        await sender.publish(other, {"for": "other"})
        await sender.publish(mine, {"for": "mine"})

        assert await next_message(messages) == {"for": "mine"}


async def test_a_slow_subscriber_is_told_to_replay_and_blocks_nobody(
    redis_url: str, make_broker: MakeBroker
) -> None:
    receiver, sender = await make_broker(redis_url, queue_size=2), await make_broker(redis_url)
    channel = channel_name()

    async with receiver.subscribe(channel) as slow, receiver.subscribe(channel) as fast:
        for n in range(5):
            await sender.publish(channel, {"n": n})
            assert await next_message(fast) == {"n": n}  # the fast one keeps up
        first = await next_message(slow)
        await sender.publish(channel, {"n": 5})
        after_gap = await next_message(slow)

    assert first == GAP  # its queue overflowed: it replays from the database
    assert after_gap == {"n": 5}
    assert receiver.dropped == 5


async def test_after_a_redis_restart_subscribers_are_told_to_replay_and_hear_again(
    tmp_path: Path, make_broker: MakeBroker
) -> None:
    channel = channel_name()
    with redis_server(tmp_path) as redis:
        receiver, sender = await make_broker(redis.url), await make_broker(redis.url)
        async with receiver.subscribe(channel) as messages:
            redis.kill()
            with pytest.raises((RedisError, OSError, TimeoutError)):
                await sender.publish(channel, {"lost": True})  # the relay keeps it, retries
            await eventually(lambda: not receiver.listening, timeout=10, what="the outage noticed")

            redis.start()
            await receiver.wait_listening(timeout=10)
            await sender.publish(channel, {"after": True})

            assert await next_message(messages) == GAP
            assert await next_message(messages) == {"after": True}
