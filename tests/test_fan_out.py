"""The fan-out to this process's subscribers (every broker's): a subscriber that falls
behind is told to replay, blocks nobody, and is logged once however often it overflows."""

from __future__ import annotations

import logging

import pytest

from app.brokers.memory import InMemoryBroker
from app.events import GAP


async def test_a_subscriber_falling_behind_again_and_again_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    broker = InMemoryBroker(queue_size=2)
    caplog.set_level(logging.WARNING, logger="app.events")

    async with broker.subscribe("c") as slow, broker.subscribe("c") as keeping_up:
        for n in range(12):
            await broker.publish("c", {"n": n})
            assert await anext(keeping_up) == {"n": n}
        first = await anext(slow)

    assert first == GAP
    assert broker.dropped > 4  # it overflowed several times
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ["subscriber queue full on c: it will replay"]
