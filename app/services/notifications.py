"""Real-time notifications: the invitation and member streams a signed-in user may follow.

Opening a stream authorizes at once, with the same errors as the equivalent query, so a
refused subscription fails before it starts. Streams follow committed events in the
relay's order (`app.events`): nothing is lost when a broker drops messages (the stream
replays them from the database), and `invitationEvents(after:)` / `memberEvents(after:)`
resume after an event a client saw, replaying what it missed, then go on live with no
gap or repeat.

Each event is checked again before delivery and read fresh from the database: a revoked
or expired token ends the stream (UNAUTHENTICATED), and a reader of a domain who lost
their membership or the action the stream needs (INVITATION_READ, MEMBER_READ) stops
receiving its events (NOT_FOUND / FORBIDDEN) at the next event of the domain, of either
kind: removing a member publishes a REMOVED member event, which ends their streams of
that domain at once. An invitation deleted before its event is delivered is skipped:
the stream goes on.

One event wakes every subscriber of its channel in the same loop turn; their checks and
reads are coalesced into one query per kind (`app.batch`), so a domain event fanned out
to N readers costs three queries, not 3N.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Generic, TypeVar
from uuid import UUID

from app import errors, sql
from app.auth import Session
from app.batch import Coalesced
from app.clock import Clock
from app.events import FOR_THE_INVITEE, INVITATION, MEMBER, domain_channel, user_channel
from app.ids import parse_id
from app.permissions import Action, Grant, authorize, check, grants_of, signed_in
from app.relay import COLUMNS
from app.runtime import Runtime
from app.services import members
from app.services.invitations import reads

E = TypeVar("E")


async def invitations_received(
    caller: Session | None, *, runtime: Runtime
) -> AsyncGenerator[reads.Invitation, None]:
    """Each invitation sent, resent or claimed to the caller from now on."""
    return _invitations_received(signed_in(caller), runtime)


async def _invitations_received(
    session: Session, runtime: Runtime
) -> AsyncGenerator[reads.Invitation, None]:
    user = session.user.id
    replay = functools.partial(
        runtime.relay.replay, INVITATION, "invitee_id", user, kinds=FOR_THE_INVITEE
    )
    channel = user_channel(str(user))
    follow = runtime.bus.follow(channel, after=None, now=runtime.relay.position, replay=replay)
    async with follow as events:
        async for message in events:
            await _ensure_current(session, runtime)
            key = (UUID(message.invitation_id or ""), runtime.clock)
            invitation = await _invitations.load(key)
            if invitation is not None and invitation.invitee == session.user:
                yield invitation


@dataclass(frozen=True)
class _DomainStream(Generic[E]):
    """One kind of a domain's events, as its readers follow them."""

    source: str  # the table the events are in (app.events.INVITATION or MEMBER)
    action: Action  # what a reader's role must allow
    name: str  # the subscription, for error messages
    events: Coalesced[UUID, E]  # the events by id

    @functools.cached_property
    def position(self) -> sql.Sql:
        table, _ = COLUMNS[self.source]
        return sql.Sql(
            f"SELECT position FROM {table} WHERE id = ? AND domain_id = ? AND position IS NOT NULL"
        )


async def domain_events(
    caller: Session | None, *, domain_id: str, after: str | None, runtime: Runtime
) -> AsyncGenerator[reads.Event, None]:
    """Every invitation event of one domain, for holders of INVITATION_READ: from now on,
    or first those after the event `after`."""
    return await _open(INVITATION_EVENTS, caller, domain_id, after, runtime)


async def member_events(
    caller: Session | None, *, domain_id: str, after: str | None, runtime: Runtime
) -> AsyncGenerator[members.Event, None]:
    """Every member event of one domain, for holders of MEMBER_READ: from now on, or first
    those after the event `after`."""
    return await _open(MEMBER_EVENTS, caller, domain_id, after, runtime)


async def _open(
    stream: _DomainStream[E],
    caller: Session | None,
    domain_id: str,
    after: str | None,
    runtime: Runtime,
) -> AsyncGenerator[E, None]:
    domain = parse_id(domain_id, name="domainId")
    await authorize(caller, stream.action, domain)
    start = None if after is None else await _position_of(stream, after, domain)
    return _follow(stream, signed_in(caller), domain, start, runtime)


async def _position_of(stream: _DomainStream[E], event_id: str, domain_id: UUID) -> int:
    event = parse_id(event_id, name="after")
    position = await sql.fetch_value(stream.position, event, domain_id)
    if position is None:
        raise errors.BadUserInputError(
            f"after must be the id of an event of this domain, as {stream.name} delivered it"
        )
    return int(position)


async def _follow(
    stream: _DomainStream[E], session: Session, domain_id: UUID, start: int | None, runtime: Runtime
) -> AsyncGenerator[E, None]:
    replay = functools.partial(runtime.relay.replay, stream.source, "domain_id", domain_id)
    channel = domain_channel(str(domain_id))
    follow = runtime.bus.follow(channel, after=start, now=runtime.relay.position, replay=replay)
    async with follow as messages:
        async for message in messages:
            await _ensure_current(session, runtime)
            grant = await _grants.load((domain_id, session.user.id))
            check(stream.action, domain_id, grant)
            if message.source != stream.source:
                continue  # the other kind of event: it only made the check above run now
            event = await stream.events.load(UUID(message.event_id))
            if event is not None:
                yield event


async def _ensure_current(session: Session, runtime: Runtime) -> None:
    if not await runtime.auth.is_current(session):
        raise errors.UnauthenticatedError("Your session ended: sign in again and resubscribe")


async def _fetch_grants(pairs: list[tuple[UUID, UUID]]) -> dict[tuple[UUID, UUID], Grant]:
    return await grants_of({user for _, user in pairs}, {domain for domain, _ in pairs})


async def _fetch_invitations(
    keys: list[tuple[UUID, Clock]],
) -> dict[tuple[UUID, Clock], reads.Invitation]:
    """The invitations, each read as of its subscriber's clock (one clock per process)."""
    found: dict[tuple[UUID, Clock], reads.Invitation] = {}
    for clock in {clock for _, clock in keys}:
        ids = [i for i, of in keys if of is clock]
        for row in await reads.current(ids, clock.now()):
            if row is not None:
                found[row.id, clock] = row
    return found


_grants = Coalesced[tuple[UUID, UUID], Grant](_fetch_grants)
_invitations = Coalesced[tuple[UUID, Clock], reads.Invitation](_fetch_invitations)
INVITATION_EVENTS = _DomainStream(
    INVITATION, Action.INVITATION_READ, "invitationEvents", Coalesced(reads.events)
)
MEMBER_EVENTS = _DomainStream(MEMBER, Action.MEMBER_READ, "memberEvents", Coalesced(members.events))
