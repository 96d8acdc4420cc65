"""Invitation events on a bus: what is published, on which channel, through which broker.

Services publish after their transaction commits; publishing is best-effort (a
broker failure is logged and never fails the mutation). Messages carry ids and
the event kind only, never tokens or other secrets.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from typing import Any, Protocol

logger = logging.getLogger("app.events")


@dataclass(frozen=True)
class InvitationEventMessage:
    """One invitation transition, as carried between processes."""

    event_id: str
    kind: str  # SENT | RESENT | ACCEPTED | REJECTED | DELETED
    invitation_id: str
    domain_id: str
    invitee_id: str | None  # None: an e-mail invitation nobody has claimed
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
    """Moves messages between publishers and subscribers (`app.brokers`: memory, redis)."""

    dropped: int

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, channel: str, message: dict[str, Any]) -> None: ...

    def subscribe(
        self, channel: str
    ) -> contextlib.AbstractAsyncContextManager[AsyncIterator[dict[str, Any]]]: ...

    def subscriber_count(self) -> int: ...


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
        if message.kind in ("SENT", "RESENT") and message.invitee_id:
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
