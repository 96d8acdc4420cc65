"""Real-time notifications: the invitation streams a signed-in user may follow.

Opening a stream authorizes at once, with the same errors as the equivalent
query, so a refused subscription fails before it starts. Each event is checked
again before delivery and read fresh from the database: a revoked or expired
token ends the stream (UNAUTHENTICATED), and a reader of a domain who lost their
membership or INVITATION_READ stops receiving its events (NOT_FOUND / FORBIDDEN).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from uuid import UUID

from app import errors, models
from app.auth import Authenticator, Session
from app.events import EventBus, domain_channel, user_channel
from app.ids import parse_id
from app.permissions import Action, authorize
from app.services import invitations


async def invitations_received(
    session: Session | None, *, bus: EventBus, auth: Authenticator
) -> AsyncGenerator[models.Invitation, None]:
    """Each invitation sent or resent to the caller from now on."""
    return _invitations_received(_require_session(session), bus=bus, auth=auth)


async def _invitations_received(
    session: Session, *, bus: EventBus, auth: Authenticator
) -> AsyncGenerator[models.Invitation, None]:
    async with bus.subscribe(user_channel(str(session.user.id))) as messages:
        async for message in messages:
            await _ensure_current(session, auth)
            invitation = await invitations.get(session.user, invitation_id=message.invitation_id)
            if invitation is not None:  # None: deleted before it could be delivered
                yield invitation


async def domain_events(
    session: Session | None, *, domain_id: str, bus: EventBus, auth: Authenticator
) -> AsyncGenerator[models.InvitationEvent, None]:
    """Every invitation event of one domain from now on, for holders of INVITATION_READ."""
    caller = _require_session(session)
    domain_uuid = parse_id(domain_id, name="domainId")
    await authorize(caller.user, Action.INVITATION_READ, domain_uuid)
    return _domain_events(caller, domain_uuid, bus=bus, auth=auth)


async def _domain_events(
    session: Session, domain_id: UUID, *, bus: EventBus, auth: Authenticator
) -> AsyncGenerator[models.InvitationEvent, None]:
    async with bus.subscribe(domain_channel(str(domain_id))) as messages:
        async for message in messages:
            await _ensure_current(session, auth)
            await authorize(session.user, Action.INVITATION_READ, domain_id)
            event = await models.InvitationEvent.get_or_none(
                id=UUID(message.event_id), domain_id=domain_id
            ).select_related(*invitations.EVENT_RELATED)
            if event is not None:
                yield event


def _require_session(session: Session | None) -> Session:
    if session is None:
        raise errors.UnauthenticatedError()
    return session


async def _ensure_current(session: Session, auth: Authenticator) -> None:
    if not await auth.is_current(session):
        raise errors.UnauthenticatedError("Your session ended: sign in again and resubscribe")
