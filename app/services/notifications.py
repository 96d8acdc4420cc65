"""Real-time notifications: the invitation streams a signed-in user may follow.

Opening a stream authorizes at once, with the same errors as the equivalent query, so a
refused subscription fails before it starts. Each event is checked again before
delivery and read fresh from the database: a revoked or expired token ends the stream
(UNAUTHENTICATED), and a reader of a domain who lost their membership or
INVITATION_READ stops receiving its events (NOT_FOUND / FORBIDDEN). An invitation
deleted before its event is delivered is skipped: the stream goes on.

One event wakes every subscriber of its channel in the same loop turn; their checks
and reads are coalesced into one query per kind (`app.batch`), so a domain event fanned
out to N readers costs three queries, not 3N.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from uuid import UUID

from app import errors
from app.auth import Session
from app.batch import Coalesced
from app.events import domain_channel, user_channel
from app.ids import parse_id
from app.permissions import Action, Grant, authorize, check, grants_of, signed_in
from app.runtime import Runtime
from app.services.invitations import reads


async def invitations_received(
    caller: Session | None, *, runtime: Runtime
) -> AsyncGenerator[reads.Invitation, None]:
    """Each invitation sent or resent to the caller from now on."""
    return _invitations_received(signed_in(caller), runtime)


async def _invitations_received(
    session: Session, runtime: Runtime
) -> AsyncGenerator[reads.Invitation, None]:
    async with runtime.bus.subscribe(user_channel(str(session.user.id))) as messages:
        async for message in messages:
            await _ensure_current(session, runtime)
            invitation = await _invitations.load(UUID(message.invitation_id))
            if invitation is not None and invitation.invitee == session.user:
                yield invitation


async def domain_events(
    caller: Session | None, *, domain_id: str, runtime: Runtime
) -> AsyncGenerator[reads.Event, None]:
    """Every invitation event of one domain from now on, for holders of INVITATION_READ."""
    domain = parse_id(domain_id, name="domainId")
    await authorize(caller, Action.INVITATION_READ, domain)
    return _domain_events(signed_in(caller), domain, runtime)


async def _domain_events(
    session: Session, domain_id: UUID, runtime: Runtime
) -> AsyncGenerator[reads.Event, None]:
    async with runtime.bus.subscribe(domain_channel(str(domain_id))) as messages:
        async for message in messages:
            await _ensure_current(session, runtime)
            check(
                Action.INVITATION_READ, domain_id, await _grants.load((domain_id, session.user.id))
            )
            event = await _events.load(UUID(message.event_id))
            if event is not None and event.domain.id == domain_id:
                yield event


async def _ensure_current(session: Session, runtime: Runtime) -> None:
    if not await runtime.auth.is_current(session):
        raise errors.UnauthenticatedError("Your session ended: sign in again and resubscribe")


async def _fetch_grants(pairs: list[tuple[UUID, UUID]]) -> dict[tuple[UUID, UUID], Grant]:
    return await grants_of({user for _, user in pairs}, {domain for domain, _ in pairs})


async def _fetch_invitations(ids: list[UUID]) -> dict[UUID, reads.Invitation]:
    return {row.id: row for row in await reads.current(ids) if row is not None}


_grants = Coalesced[tuple[UUID, UUID], Grant](_fetch_grants)
_events = Coalesced[UUID, reads.Event](reads.events)
_invitations = Coalesced[UUID, reads.Invitation](_fetch_invitations)
