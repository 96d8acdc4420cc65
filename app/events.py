"""Events on a bus: the message published for each committed event row, the channels it
goes to, the Broker interface, and following a channel in order without gaps.

What subscriptions report comes from committed rows: `app.relay.Relay` gives each new
invitation or member event a position (one counter, in the order the relay publishes
them) and publishes a message per event. Messages carry ids, the kind and the position,
never tokens or other secrets.

A subscriber follows a channel from a position: it skips what it has seen (a position at
or below its last), and replays from the database when a broker says it may have lost
messages (a reconnect after an outage, or its queue overflowing): the `GAP` marker.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, NamedTuple, Protocol

from app import metrics

INVITATION = "invitation"
MEMBER = "member"
GAP: dict[str, Any] = {"gap": True}  # "messages may be missing: replay from the database"


class EventMessage(NamedTuple):
    """One committed event, as carried between processes."""

    position: int
    source: str  # INVITATION or MEMBER: the table the event row is in
    event_id: str
    domain_id: str
    kind: str
    subject_id: str | None  # the invitee (None: an e-mail not yet claimed) or the member
    invitation_id: str | None  # invitation events only

    def to_dict(self) -> dict[str, Any]:
        return self._asdict()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EventMessage:
        return cls(**{name: data[name] for name in cls._fields})


# Invitation events that tell an invitee about an invitation of theirs.
FOR_THE_INVITEE = frozenset({"SENT", "RESENT", "CLAIMED"})


def user_channel(user_id: str) -> str:
    """Invitations sent, resent or claimed to one user."""
    return f"user:{user_id}"


def domain_channel(domain_id: str) -> str:
    """Every invitation and member event of one domain."""
    return f"domain:{domain_id}"


def channels_of(message: EventMessage) -> list[str]:
    """Where a message goes: its domain, and its invitee when it is about them."""
    channels = [domain_channel(message.domain_id)]
    if message.source == INVITATION and message.kind in FOR_THE_INVITEE and message.subject_id:
        channels.append(user_channel(message.subject_id))
    return channels


class Broker(Protocol):
    """Moves messages between processes (`app.brokers`: memory, redis)."""

    dropped: int

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, channel: str, message: dict[str, Any]) -> None: ...

    def subscribe(
        self, channel: str
    ) -> contextlib.AbstractAsyncContextManager[AsyncIterator[dict[str, Any]]]: ...

    def subscriber_count(self) -> int: ...


Replay = Callable[[int], Awaitable[Sequence[EventMessage]]]
"""The channel's messages after a position, in order, read from the database."""


class EventBus:
    """Where subscriptions follow channels; the relay publishes through the same broker."""

    def __init__(self, broker: Broker) -> None:
        self.broker = broker
        self.subscriptions = 0  # open subscriptions of this process, whatever the broker

    async def publish(self, message: EventMessage) -> None:
        for channel in channels_of(message):
            await self.broker.publish(channel, message.to_dict())

    @contextlib.asynccontextmanager
    async def follow(
        self,
        channel: str,
        *,
        after: int | None,
        now: Callable[[], Awaitable[int]],
        replay: Replay,
    ) -> AsyncIterator[AsyncIterator[EventMessage]]:
        """The channel's messages after position `after` (None: from `now()`), each once,
        in order: subscribed first, so nothing published meanwhile is missed, then
        replayed from the database wherever the broker may have lost some."""
        async with self.broker.subscribe(channel) as raw:
            self.subscriptions += 1
            metrics.SUBSCRIPTIONS.inc()
            try:
                yield _Followed(raw, await now() if after is None else after, replay)
            finally:
                self.subscriptions -= 1
                metrics.SUBSCRIPTIONS.dec()


class _Followed:
    def __init__(self, raw: AsyncIterator[dict[str, Any]], last: int, replay: Replay) -> None:
        self._raw = raw
        self._last = last
        self._replay = replay
        self._replayed: list[EventMessage] = []
        self._must_replay = True  # the first read catches up with what came before

    def __aiter__(self) -> _Followed:
        return self

    async def __anext__(self) -> EventMessage:
        while True:
            if self._must_replay and not self._replayed:
                self._replayed = list(await self._replay(self._last))
                self._must_replay = len(self._replayed) > 0  # more may follow the batch
            if self._replayed:
                message = self._replayed.pop(0)
            else:
                data = await anext(self._raw)
                if data.get("gap"):
                    self._must_replay = True
                    continue
                message = EventMessage.from_dict(data)
            if message.position > self._last:
                self._last = message.position
                return message
