"""Real-time notifications: the invitation streams a signed-in user may follow.

Opening a stream authorizes at once, with the same errors as the equivalent
query, so a refused subscription fails before it starts. Each event is checked
again before delivery and read fresh from the database: a revoked or expired
token ends the stream (UNAUTHENTICATED), and a reader of a domain who lost their
membership or INVITATION_READ stops receiving its events (NOT_FOUND / FORBIDDEN).

One event wakes every subscriber of its channel in the same loop turn; their
checks and reads are coalesced into one query per kind (`_Coalesced`), so a
domain event fanned out to N readers costs three queries, not 3N.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar
from uuid import UUID

from app import errors, models
from app.auth import Authenticator, Session
from app.events import EventBus, domain_channel, user_channel
from app.ids import parse_id
from app.permissions import Action, authorize, check_membership
from app.services import invitations

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


async def invitations_received(
    session: Session | None, *, bus: EventBus
) -> AsyncGenerator[models.Invitation, None]:
    """Each invitation sent or resent to the caller from now on."""
    return _invitations_received(_require_session(session), bus=bus)


async def _invitations_received(
    session: Session, *, bus: EventBus
) -> AsyncGenerator[models.Invitation, None]:
    async with bus.subscribe(user_channel(str(session.user.id))) as messages:
        async for message in messages:
            await _ensure_current(session)
            invitation = await invitations.get(session.user, invitation_id=message.invitation_id)
            if invitation is not None:  # None: deleted before it could be delivered
                yield invitation


async def domain_events(
    session: Session | None, *, domain_id: str, bus: EventBus
) -> AsyncGenerator[models.InvitationEvent, None]:
    """Every invitation event of one domain from now on, for holders of INVITATION_READ."""
    caller = _require_session(session)
    domain_uuid = parse_id(domain_id, name="domainId")
    await authorize(caller.user, Action.INVITATION_READ, domain_uuid)
    return _domain_events(caller, domain_uuid, bus=bus)


async def _domain_events(
    session: Session, domain_id: UUID, *, bus: EventBus
) -> AsyncGenerator[models.InvitationEvent, None]:
    async with bus.subscribe(domain_channel(str(domain_id))) as messages:
        async for message in messages:
            await _ensure_current(session)
            membership = await _memberships.load((domain_id, session.user.id))
            check_membership(membership, Action.INVITATION_READ, domain_id)
            event = await _events.load(UUID(message.event_id))
            if event is not None and event.domain_id == domain_id:
                yield event


def _require_session(session: Session | None) -> Session:
    if session is None:
        raise errors.UnauthenticatedError()
    return session


async def _ensure_current(session: Session) -> None:
    if not await _current_tokens.load(session.token.id):
        raise errors.UnauthenticatedError("Your session ended: sign in again and resubscribe")


class _Coalesced(Generic[K, V]):
    """Lookups made in the same loop turn become one batched read. Nothing is cached:
    each batch reads fresh rows, and a later lookup starts a new batch."""

    def __init__(self, fetch: Callable[[list[K]], Awaitable[dict[K, V]]]) -> None:
        self._fetch = fetch
        self._pending: dict[K, asyncio.Future[V | None]] | None = None

    async def load(self, key: K) -> V | None:
        loop = asyncio.get_running_loop()
        if self._pending is None:
            self._pending = {}
            loop.call_soon(self._dispatch)  # after the subscribers already woken this turn
        future = self._pending.get(key)
        if future is None:
            future = self._pending[key] = loop.create_future()
        return await asyncio.shield(future)  # one cancelled subscriber never fails the others

    def _dispatch(self) -> None:
        pending, self._pending = self._pending or {}, None
        task = asyncio.ensure_future(self._resolve(pending))
        _running.add(task)
        task.add_done_callback(_running.discard)

    async def _resolve(self, pending: dict[K, asyncio.Future[V | None]]) -> None:
        try:
            found = await self._fetch(list(pending))
        except Exception as exc:
            for future in pending.values():
                if not future.done():
                    future.set_exception(exc)
            return
        for key, future in pending.items():
            if not future.done():
                future.set_result(found.get(key))


_running: set[asyncio.Future[None]] = set()  # keeps dispatched batches alive until done


async def _fetch_current_tokens(token_ids: Sequence[UUID]) -> dict[UUID, bool]:
    return dict.fromkeys(await Authenticator.current_tokens(token_ids), True)


async def _fetch_memberships(
    pairs: Sequence[tuple[UUID, UUID]],
) -> dict[tuple[UUID, UUID], models.Membership]:
    rows = await models.Membership.filter(
        domain_id__in={d for d, _ in pairs}, user_id__in={u for _, u in pairs}
    ).select_related("role")
    return {(row.domain_id, row.user_id): row for row in rows}


async def _fetch_events(event_ids: Sequence[UUID]) -> dict[UUID, models.InvitationEvent]:
    rows = await models.InvitationEvent.filter(id__in=list(event_ids)).select_related(
        *invitations.EVENT_RELATED
    )
    return {row.id: row for row in rows}


_current_tokens = _Coalesced[UUID, bool](_fetch_current_tokens)
_memberships = _Coalesced[tuple[UUID, UUID], models.Membership](_fetch_memberships)
_events = _Coalesced[UUID, models.InvitationEvent](_fetch_events)
