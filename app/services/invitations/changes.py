"""What every invitation write shares: the history row of a transition (and the webhook
deliveries reporting it), the compare-and-set on the current status (as read at the
moment of the change, so a lapsed PENDING invitation is EXPIRED here too), and the
deadline of a (re)sent invitation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from app import errors, models, sql
from app.models import InvitationEventKind as Kind
from app.models import InvitationStatus as Status
from app.permissions import InvitationRef
from app.services.invitations import reads
from app.services.webhooks import deliveries

STATUS = sql.Sql(f"SELECT {reads.STATUS} FROM invitation i WHERE i.id = ?")
DOMAIN_TTL = sql.Sql("SELECT invitation_ttl_seconds FROM domain WHERE id = ?")


async def expiry(domain_id: UUID, now: datetime, default_ttl_seconds: int) -> datetime:
    """When an invitation sent or resent `now` expires: the domain's TTL, or the default."""
    ttl = await sql.fetch_value(DOMAIN_TTL, domain_id)
    return now + timedelta(seconds=ttl or default_ttl_seconds)


def event_row(
    invitation: InvitationRef | models.Invitation, kind: Kind, actor_id: UUID | None, at: datetime
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
        invitee_email=invitation.invitee_email,
        role_id=invitation.role_id,
    )


async def record(
    invitation: InvitationRef, kind: Kind, actor_id: UUID | None, at: datetime
) -> models.InvitationEvent:
    """Write the history row of a transition, with its webhook deliveries (inside the
    transition's transaction)."""
    event = event_row(invitation, kind, actor_id, at)
    await event.save(force_create=True)
    await deliveries.enqueue([event])
    return event


ANSWERABLE = (Status.PENDING,)
RESENDABLE = (Status.REJECTED, Status.EXPIRED)


def in_status(
    invitation_id: UUID, expected: Sequence[Status], now: datetime
) -> QuerySet[models.Invitation]:
    """The invitation, provided its status is one of `expected` at `now`: a lapsed
    PENDING row is not PENDING any more, nor EXPIRED until stored so (expire_lapsed)."""
    lapsed = Q(status=Status.PENDING, expires_at__lte=now)
    return models.Invitation.filter(Q(id=invitation_id), Q(status__in=list(expected)), ~lapsed)


async def transition(
    invitation_id: UUID, expected: Sequence[Status], now: datetime, **changes: object
) -> None:
    """Compare-and-set: change the row only if it is still in an `expected` status."""
    if not await in_status(invitation_id, expected, now).update(**changes):
        raise await not_in_status(invitation_id, expected, now)


async def not_in_status(
    invitation_id: UUID, expected: Sequence[Status], now: datetime
) -> errors.UserFacingError:
    """Why a compare-and-set on `expected` changed nothing: deleted, or another status."""
    current = await sql.fetch_value(STATUS, now, invitation_id)
    if current is None:
        return errors.NotFoundError("No such invitation: it was deleted")
    if Status.PENDING in expected:
        return errors.InvitationNotPendingError(
            f"This invitation is {current}, not PENDING", status=current
        )
    return errors.InvitationNotRejectedError(
        f"Only REJECTED or EXPIRED invitations can be resent; this one is {current}",
        status=current,
    )


async def reread(invitation_id: UUID, now: datetime) -> reads.Invitation:
    """The invitation as this transaction wrote it (the row is still locked by it)."""
    found = await reads.one(invitation_id, now)
    if found is None:
        raise RuntimeError(f"invitation {invitation_id} vanished inside its own transaction")
    return found
