"""Invitations: send, respond, resend, delete, the lists and the audit trail.

Every state change is a conditional UPDATE/DELETE on the current status (never
read-then-write), its history event is written in the same transaction, and the
event is published only after the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from app import errors, models
from app.events import EventBus, InvitationEventMessage
from app.ids import parse_id, parse_ids
from app.models import InvitationEventKind as Kind
from app.models import InvitationStatus as Status
from app.models import utcnow
from app.permissions import (
    Action,
    authorize,
    authorize_invitation,
    ensure_invitee,
    require_user,
    within_ceiling,
)
from app.ratelimit import Limit, RateLimiter
from app.services.pagination import Page, keyset_page

MAX_INVITEES = 100
RELATED = ("domain", "invitee", "invited_by", "role")
EVENT_RELATED = ("actor", "domain", "invitee", "role")

SendResult = models.Invitation | errors.UserFacingError


@dataclass(frozen=True)
class _Candidate:
    invitation: models.Invitation
    event: models.InvitationEvent


async def send(
    user: models.User | None,
    *,
    domain_id: str,
    invitee_ids: Sequence[str],
    role_id: str,
    bus: EventBus,
    limiter: RateLimiter,
) -> list[SendResult]:
    """Invite each user to a domain with one role; one result per invitee, in order."""
    domain_uuid = parse_id(domain_id, name="domainId")
    membership = await authorize(user, Action.INVITATION_SEND, domain_uuid)
    if not 1 <= len(invitee_ids) <= MAX_INVITEES:
        raise errors.BadUserInputError(
            f"inviteeIds must list 1 to {MAX_INVITEES} users, got {len(invitee_ids)}"
        )
    invitees = parse_ids(list(invitee_ids), name="inviteeIds")
    role = await _grantable_role(membership, domain_uuid, parse_id(role_id, name="roleId"))
    # The quota counts invitees, not calls; past it, nothing is written.
    await limiter.consume(Limit.SEND, str(membership.user_id), cost=len(invitees))
    refusals = await _refusals(domain_uuid, invitees)
    results: list[SendResult | _Candidate] = [
        refusals.get(invitee) or _candidate(membership, role, invitee) for invitee in invitees
    ]
    created = await _insert([r for r in results if isinstance(r, _Candidate)])
    for message in (_message(c.event) for c in created.values() if isinstance(c, _Candidate)):
        await bus.publish_invitation_event(message)
    return await _final_results(results, created)


async def _grantable_role(
    membership: models.Membership, domain_id: UUID, role_id: UUID
) -> models.Role:
    role = await models.Role.get_or_none(id=role_id, domain_id=domain_id)
    if role is None:
        raise errors.RoleNotFoundError("That role does not exist in this domain")
    _check_ceiling(membership, role)
    return role


def _check_ceiling(membership: models.Membership, role: models.Role) -> None:
    if not within_ceiling(role.actions, membership.role.actions):
        raise errors.RoleNotAllowedError(
            f"You cannot grant the role '{role.name}': it allows actions your role "
            f"'{membership.role.name}' does not"
        )


async def _refusals(domain_id: UUID, invitees: list[UUID]) -> dict[UUID, errors.UserFacingError]:
    """Why each invitee cannot be invited, read in three queries for the whole batch."""
    known = set(await models.User.filter(id__in=invitees).values_list("id", flat=True))
    members = set(
        await models.Membership.filter(domain_id=domain_id, user_id__in=invitees).values_list(
            "user_id", flat=True
        )
    )
    open_rows = await models.Invitation.filter(
        domain_id=domain_id, invitee_id__in=invitees, status__in=[Status.PENDING, Status.REJECTED]
    ).values_list("invitee_id", "status")
    statuses = {invitee: status for invitee, status in open_rows}
    refusals: dict[UUID, errors.UserFacingError] = {}
    for invitee in invitees:
        if invitee not in known:
            refusals[invitee] = errors.UserNotFoundError(f"No user has the id {invitee}")
        elif invitee in members:
            refusals[invitee] = errors.AlreadyMemberError("This user is already a member")
        elif statuses.get(invitee) == Status.PENDING:
            refusals[invitee] = _already_invited()
        elif statuses.get(invitee) == Status.REJECTED:
            refusals[invitee] = errors.InvitationRejectedError(
                "This user declined an earlier invitation: resend that one instead"
            )
    return refusals


def _already_invited() -> errors.AlreadyInvitedError:
    return errors.AlreadyInvitedError("This user already has a pending invitation here")


def _candidate(membership: models.Membership, role: models.Role, invitee: UUID) -> _Candidate:
    now = utcnow()
    invitation = models.Invitation(
        domain_id=membership.domain_id,
        invitee_id=invitee,
        invited_by_id=membership.user_id,
        role_id=role.id,
        status=Status.PENDING,
        created_at=now,
        updated_at=now,
    )
    return _Candidate(invitation, event_row(invitation, Kind.SENT, membership.user_id, now))


def event_row(
    invitation: models.Invitation, kind: Kind, actor_id: UUID | None, at: datetime
) -> models.InvitationEvent:
    """The history row of one transition (not yet saved); it copies the domain, invitee
    and role so that it outlives the invitation."""
    return models.InvitationEvent(
        invitation_id=invitation.id,
        kind=kind,
        at=at,
        actor_id=actor_id,
        domain_id=invitation.domain_id,
        invitee_id=invitation.invitee_id,
        role_id=invitation.role_id,
    )


async def _insert(candidates: list[_Candidate]) -> dict[UUID, _Candidate | errors.UserFacingError]:
    """Write all invitations in one transaction; if one collides (a concurrent send or a
    duplicate id in the batch), write each on its own so that one never undoes another."""
    try:
        async with in_transaction():
            await models.Invitation.bulk_create([c.invitation for c in candidates])
            await models.InvitationEvent.bulk_create([c.event for c in candidates])
        return {c.invitation.id: c for c in candidates}
    except IntegrityError:
        return {c.invitation.id: await _insert_one(c) for c in candidates}


async def _insert_one(candidate: _Candidate) -> _Candidate | errors.UserFacingError:
    try:
        async with in_transaction():
            await candidate.invitation.save(force_create=True)
            await candidate.event.save(force_create=True)
    except IntegrityError:
        return _already_invited()
    return candidate


async def _final_results(
    results: list[SendResult | _Candidate], created: dict[UUID, _Candidate | errors.UserFacingError]
) -> list[SendResult]:
    ids = [c.invitation.id for c in created.values() if isinstance(c, _Candidate)]
    rows = {
        row.id: row for row in await models.Invitation.filter(id__in=ids).select_related(*RELATED)
    }
    final: list[SendResult] = []
    for result in results:
        if isinstance(result, _Candidate):
            outcome = created[result.invitation.id]
            final.append(rows[result.invitation.id] if isinstance(outcome, _Candidate) else outcome)
        else:
            final.append(result)
    return final


def _message(event: models.InvitationEvent) -> InvitationEventMessage:
    return InvitationEventMessage(
        event_id=str(event.id),
        kind=event.kind.value,
        invitation_id=str(event.invitation_id),
        domain_id=str(event.domain_id),
        invitee_id=str(event.invitee_id),
        role_id=str(event.role_id),
        actor_id=str(event.actor_id) if event.actor_id else None,
        at=event.at.isoformat(),
    )


async def respond(
    user: models.User | None, *, invitation_id: str, accept: bool, bus: EventBus
) -> models.Invitation:
    """The invitee accepts (becoming a member with the invitation's role) or declines."""
    invitation = await _find(invitation_id)
    ensure_invitee(user, invitation)
    assert invitation is not None
    now = utcnow()
    target = Status.ACCEPTED if accept else Status.REJECTED
    stamp = {"confirmed_at": now} if accept else {"rejected_at": now}
    async with in_transaction():
        await _transition(invitation, Status.PENDING, status=target, updated_at=now, **stamp)
        if accept:
            await _join(invitation, now)
        event = await _record(
            invitation, Kind.ACCEPTED if accept else Kind.REJECTED, invitation.invitee_id, now
        )
    await bus.publish_invitation_event(_message(event))
    return await _load(invitation.id)


async def _join(invitation: models.Invitation, now: datetime) -> None:
    try:
        await models.Membership.create(
            domain_id=invitation.domain_id,
            user_id=invitation.invitee_id,
            role_id=invitation.role_id,
            joined_at=now,
            invitation_id=invitation.id,
        )
    except IntegrityError:
        # Raised inside the transaction: the invitation stays PENDING.
        raise errors.AlreadyMemberError(
            "You are already a member of this domain; the invitation stays pending"
        ) from None


async def resend(
    user: models.User | None, *, invitation_id: str, bus: EventBus, limiter: RateLimiter
) -> models.Invitation:
    """Send a REJECTED invitation again: same id, back to PENDING, the invitee notified."""
    invitation = await _find(invitation_id)
    membership = await authorize_invitation(user, Action.INVITATION_MANAGE, invitation)
    assert invitation is not None and membership is not None
    _check_ceiling(membership, await models.Role.get(id=invitation.role_id))
    await limiter.consume(Limit.RESEND, str(invitation.id))
    now = utcnow()
    try:
        async with in_transaction():
            await _transition(
                invitation,
                Status.REJECTED,
                status=Status.PENDING,
                rejected_at=None,
                resent_at=now,
                updated_at=now,
                resend_count=F("resend_count") + 1,
            )
            event = await _record(invitation, Kind.RESENT, membership.user_id, now)
    except IntegrityError:
        raise _already_invited() from None
    await bus.publish_invitation_event(_message(event))
    return await _load(invitation.id)


async def delete(user: models.User | None, *, invitation_id: str, bus: EventBus) -> UUID:
    """Delete a PENDING invitation; the deletion stays in the domain's audit trail."""
    invitation = await _find(invitation_id)
    membership = await authorize_invitation(user, Action.INVITATION_MANAGE, invitation)
    assert invitation is not None and membership is not None
    now = utcnow()
    async with in_transaction():
        deleted = await models.Invitation.filter(id=invitation.id, status=Status.PENDING).delete()
        if not deleted:
            raise await _not_in_status(invitation.id, Status.PENDING)
        event = await _record(invitation, Kind.DELETED, membership.user_id, now)
    await bus.publish_invitation_event(_message(event))
    return invitation.id


async def _find(invitation_id: str) -> models.Invitation | None:
    return await models.Invitation.get_or_none(id=parse_id(invitation_id, name="invitationId"))


async def _load(invitation_id: UUID) -> models.Invitation:
    return await models.Invitation.get(id=invitation_id).select_related(*RELATED)


async def _transition(invitation: models.Invitation, expected: Status, **changes: object) -> None:
    """Compare-and-set: change the row only if it is still in `expected` status."""
    updated = await models.Invitation.filter(id=invitation.id, status=expected).update(**changes)
    if not updated:
        raise await _not_in_status(invitation.id, expected)


async def _not_in_status(invitation_id: UUID, expected: Status) -> errors.UserFacingError:
    current = await models.Invitation.filter(id=invitation_id).values_list("status", flat=True)
    if not current:
        return errors.NotFoundError("No such invitation: it was deleted")
    status = str(current[0])
    if expected is Status.PENDING:
        return errors.InvitationNotPendingError(
            f"This invitation is {status}, not PENDING", status=status
        )
    return errors.InvitationNotRejectedError(
        f"Only REJECTED invitations can be resent; this one is {status}", status=status
    )


async def _record(
    invitation: models.Invitation, kind: Kind, actor_id: UUID | None, at: datetime
) -> models.InvitationEvent:
    event = event_row(invitation, kind, actor_id, at)
    await event.save(force_create=True)
    return event


async def get(user: models.User | None, *, invitation_id: str) -> models.Invitation | None:
    """One invitation for its invitee or a reader of its domain; None when not visible."""
    invitation = await _find(invitation_id)
    try:
        await authorize_invitation(user, Action.INVITATION_READ, invitation)
    except errors.NotFoundError:
        return None
    assert invitation is not None
    return await _load(invitation.id)


async def pending(
    user: models.User | None, *, first: int | None, after: str | None
) -> Page[models.Invitation]:
    """The caller's PENDING invitations, newest first (the pop-up and "View All")."""
    caller = require_user(user)
    query = models.Invitation.filter(invitee_id=caller.id, status=Status.PENDING)
    return await _page(query, first=first, default=5, after=after, invitee=caller)


async def mine(
    user: models.User | None, *, status: Status | None, first: int | None, after: str | None
) -> Page[models.Invitation]:
    """The caller's invitations in any (or one) status, newest first."""
    caller = require_user(user)
    query = models.Invitation.filter(invitee_id=caller.id)
    if status is not None:
        query = query.filter(status=status)
    return await _page(query, first=first, default=20, after=after, invitee=caller)


async def of_domain(
    user: models.User | None,
    *,
    domain_id: str,
    status: Status | None,
    invited_by: str | None,
    invitee_id: str | None,
    first: int | None,
    after: str | None,
) -> Page[models.Invitation]:
    """A domain's invitations for its Invitations table, newest first."""
    domain_uuid = parse_id(domain_id, name="domainId")
    await authorize(user, Action.INVITATION_READ, domain_uuid)
    query = models.Invitation.filter(domain_id=domain_uuid)
    if status is not None:
        query = query.filter(status=status)
    if invited_by is not None:
        query = query.filter(invited_by_id=parse_id(invited_by, name="invitedBy"))
    if invitee_id is not None:
        query = query.filter(invitee_id=parse_id(invitee_id, name="inviteeId"))
    return await _page(query, first=first, default=10, after=after)


async def _page(
    query: QuerySet[models.Invitation],
    *,
    first: int | None,
    default: int,
    after: str | None,
    invitee: models.User | None = None,
) -> Page[models.Invitation]:
    """A page with its relations; the caller's own lists skip the join to the invitee
    (the caller) and fill it in instead."""
    related = RELATED if invitee is None else tuple(r for r in RELATED if r != "invitee")
    page = await keyset_page(
        query.select_related(*related),
        count=query.count,
        first=first,
        default=default,
        after=after,
        time_field="created_at",
    )
    if invitee is not None:
        for row in page.items:
            row.invitee = invitee
    return page


async def audit_log(
    user: models.User | None, *, domain_id: str, first: int | None, after: str | None
) -> Page[models.InvitationEvent]:
    """Every invitation event of a domain, deletions included, newest first."""
    domain_uuid = parse_id(domain_id, name="domainId")
    await authorize(user, Action.INVITATION_READ, domain_uuid)
    query = models.InvitationEvent.filter(domain_id=domain_uuid)
    return await keyset_page(
        query.select_related(*EVENT_RELATED),
        count=query.count,
        first=first,
        default=20,
        after=after,
        time_field="at",
    )


async def histories(invitation_ids: Sequence[UUID]) -> list[list[models.InvitationEvent]]:
    """The events of each (already authorized) invitation, oldest first, in one query."""
    by_invitation: dict[UUID, list[models.InvitationEvent]] = {i: [] for i in invitation_ids}
    rows = models.InvitationEvent.filter(invitation_id__in=list(invitation_ids))
    for event in await rows.select_related(*EVENT_RELATED).order_by("at", "id"):
        by_invitation[event.invitation_id].append(event)
    return [by_invitation[i] for i in invitation_ids]


async def current(invitation_ids: Sequence[UUID]) -> list[models.Invitation | None]:
    """Each (already authorized) invitation as it is now; None once deleted."""
    rows = await models.Invitation.filter(id__in=list(invitation_ids)).select_related(*RELATED)
    by_id = {row.id: row for row in rows}
    return [by_id.get(i) for i in invitation_ids]
