"""Answering, resending and deleting one invitation.

Every change is a conditional UPDATE/DELETE on the current status (never
read-then-write), its history event is written in the same transaction, the result is
read back inside that transaction (so a concurrent delete after the commit cannot turn
a success into an error), and the relay is kicked after the commit to publish the event.
Only a PENDING invitation not yet past its deadline can be answered or deleted; a
REJECTED or EXPIRED one can be resent.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from app import errors
from app.auth import Session
from app.ids import parse_id
from app.models import InvitationEventKind as Kind
from app.models import InvitationStatus as Status
from app.permissions import (
    Action,
    InvitationRef,
    invitation_for_invitee,
    invitation_for_manager,
    signed_in,
)
from app.ratelimit import Limit
from app.runtime import Runtime
from app.services import memberships
from app.services.domains import grantable_role
from app.services.invitations import changes, expiry, reads
from app.services.invitations import emails as outbox
from app.services.invitations.send import already_invited


async def respond(
    caller: Session | None, *, invitation_id: str, accept: bool, runtime: Runtime
) -> reads.Invitation:
    """The invitee accepts (becoming a member with the invitation's role) or declines."""
    ref = await invitation_for_invitee(caller, parse_id(invitation_id, name="invitationId"))
    invitee = signed_in(caller).user.id
    now = runtime.clock.now()
    target = Status.ACCEPTED if accept else Status.REJECTED
    stamp = {"confirmed_at": now} if accept else {"rejected_at": now}
    async with in_transaction():
        await changes.transition(
            ref.id,
            changes.ANSWERABLE,
            now,
            status=target,
            updated_at=now,
            secret_hash=None,
            **stamp,
        )
        if accept:
            await _join(ref, invitee, now)
        kind = Kind.ACCEPTED if accept else Kind.REJECTED
        await changes.record(ref, kind, ref.invitee_id, now)
        result = await changes.reread(ref.id, now)
    runtime.relay.kick()
    return result


async def _join(invitation: InvitationRef, invitee: UUID, now: datetime) -> None:
    try:
        await memberships.join(
            invitation.domain_id,
            invitee,
            invitation.role_id,
            now,
            invitation_id=invitation.id,
        )
    except errors.AlreadyMemberError:
        # Raised inside the transaction: the invitation stays PENDING.
        raise errors.AlreadyMemberError(
            "You are already a member of this domain; the invitation stays pending"
        ) from None


async def resend(
    caller: Session | None, *, invitation_id: str, runtime: Runtime
) -> reads.Invitation:
    """Send a REJECTED or EXPIRED invitation again: same id, back to PENDING with a new
    deadline, the invitee notified (and e-mailed: an invitation by address with a new
    link, its old one void)."""
    ref, grant = await invitation_for_manager(
        caller, Action.INVITATION_MANAGE, parse_id(invitation_id, name="invitationId")
    )
    await grantable_role(grant, ref.role_id)  # the ceiling applies to resending too
    await runtime.limiter.consume(Limit.RESEND, str(ref.id))
    now = runtime.clock.now()
    expires_at = await changes.expiry(ref.domain_id, now, runtime.settings.invitation_ttl_seconds)
    mail = outbox.plan(
        ref.id, ref.invitee_email, has_account=ref.invitee_id is not None, now=now, runtime=runtime
    )
    try:
        async with in_transaction():
            # Lapsed but not stored yet: its EXPIRED event comes before the RESENT one.
            await expiry.expire_lapsed(ref.id, now)
            await changes.transition(
                ref.id,
                changes.RESENDABLE,
                now,
                status=Status.PENDING,
                rejected_at=None,
                resent_at=now,
                updated_at=now,
                expires_at=expires_at,
                resend_count=F("resend_count") + 1,
                secret_hash=mail.secret_hash if mail else None,
            )
            await changes.record(ref, Kind.RESENT, grant.user_id, now)
            await outbox.replace(ref.id, mail, reason="Not sent: the invitation was resent")
            result = await changes.reread(ref.id, now)
    except IntegrityError:
        raise already_invited() from None
    runtime.relay.kick()
    if mail:
        runtime.mailer.kick()
    return result


async def delete(caller: Session | None, *, invitation_id: str, runtime: Runtime) -> UUID:
    """Delete a PENDING invitation; the deletion stays in the domain's audit trail.
    An EXPIRED one is kept for audit, like an answered one."""
    ref, grant = await invitation_for_manager(
        caller, Action.INVITATION_MANAGE, parse_id(invitation_id, name="invitationId")
    )
    now = runtime.clock.now()
    async with in_transaction():
        deleted = await changes.in_status(ref.id, changes.ANSWERABLE, now).delete()
        if not deleted:
            raise await changes.not_in_status(ref.id, changes.ANSWERABLE, now)
        await changes.record(ref, Kind.DELETED, grant.user_id, now)
    runtime.relay.kick()
    return ref.id
