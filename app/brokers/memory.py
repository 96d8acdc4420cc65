"""One process: a published message goes straight to this process's subscribers."""

from __future__ import annotations

from app.brokers.base import FanOut, Message


class InMemoryBroker(FanOut):
    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        self.forget_subscribers()

    async def publish(self, channel: str, message: Message) -> None:
        self.deliver(channel, message)
