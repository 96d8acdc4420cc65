"""Real-time notifications: the invitation streams a signed-in user may follow.

Opening a stream authorizes at once, with the same errors as the equivalent query, so a
refused subscription fails before it starts. Streams follow committed events in the
relay's order (`app.events`): nothing is lost when a broker drops messages (the stream
replays them from the database), and `invitationEvents(after:)` resumes after an event
a client saw, replaying what it missed, then goes on live with no gap or repeat.

Each event is checked again before delivery and read fresh from the database: a revoked
or expired token ends the stream (UNAUTHENTICATED), and a reader of a domain who lost
their membership or INVITATION_READ stops receiving its events (NOT_FOUND / FORBIDDEN),
at the next event of the domain, member events included. An invitation deleted before
its event is delivered is skipped: the stream goes on.

One event wakes every subscriber of its channel in the same loop turn; their checks and
reads are coalesced into one query per kind (`app.batch`), so a domain event fanned out
to N readers costs three queries, not 3N.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncGenerator
from uuid import UUID

from app import errors, sql
from app.auth import Session
from app.batch import Coalesced
from app.clock import Clock
from app.events import FOR_THE_INVITEE, INVITATION, domain_channel, user_channel
from app.ids import parse_id
from app.permissions import Action, Grant, authorize, check, grants_of, signed_in
from app.runtime import Runtime
from app.services.invitations import reads

EVENT_POSITION = sql.Sql(
    "SELECT position FROM invitation_event WHERE id = ? AND domain_id = ? AND position IS NOT NULL"
)


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


async def domain_events(
    caller: Session | None, *, domain_id: str, after: str | None, runtime: Runtime
) -> AsyncGenerator[reads.Event, None]:
    """Every invitation event of one domain, for holders of INVITATION_READ: from now on,
    or first those after the event `after`."""
    domain = parse_id(domain_id, name="domainId")
    await authorize(caller, Action.INVITATION_READ, domain)
    start = None if after is None else await _position_of(after, domain)
    return _domain_events(signed_in(caller), domain, start, runtime)


async def _position_of(event_id: str, domain_id: UUID) -> int:
    position = await sql.fetch_value(EVENT_POSITION, parse_id(event_id, name="after"), domain_id)
    if position is None:
        raise errors.BadUserInputError(
            "after must be the id of an event of this domain, as invitationEvents delivered it"
        )
    return int(position)


async def _domain_events(
    session: Session, domain_id: UUID, start: int | None, runtime: Runtime
) -> AsyncGenerator[reads.Event, None]:
    replay = functools.partial(runtime.relay.replay, INVITATION, "domain_id", domain_id)
    channel = domain_channel(str(domain_id))
    follow = runtime.bus.follow(channel, after=start, now=runtime.relay.position, replay=replay)
    async with follow as events:
        async for message in events:
            await _ensure_current(session, runtime)
            grant = await _grants.load((domain_id, session.user.id))
            check(Action.INVITATION_READ, domain_id, grant)
            if message.source != INVITATION:
                continue  # a member event: it only made the check above run now
            event = await _events.load(UUID(message.event_id))
            if event is not None and event.domain.id == domain_id:
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
_events = Coalesced[UUID, reads.Event](reads.events)
_invitations = Coalesced[tuple[UUID, Clock], reads.Invitation](_fetch_invitations)
