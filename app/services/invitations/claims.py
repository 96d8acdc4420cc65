"""Invitation links: what a link's secret shows before sign-in, and claiming it.

The secret of an invitation by address is its only credential: whoever presents it may
see the preview (what the e-mail already said) and, signed in, claim the invitation,
which makes them its invitee and uses the secret up. Every look-up of a secret counts
against the client address's `invite_token` rate limit, on top of the 256 bits that
make guessing hopeless. A secret is void once used, once its invitation was resent,
answered or deleted, and once it has expired.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app import errors, models, sql
from app.auth import Session
from app.models import InvitationEventKind as Kind
from app.models import InvitationStatus as Status
from app.permissions import InvitationRef, grant_of, signed_in
from app.ratelimit import Limit
from app.runtime import Runtime
from app.services.invitations import changes, reads
from app.services.invitations import emails as outbox


class Preview(NamedTuple):
    domain_name: str
    role_name: str
    inviter_name: str
    invitee_email: str
    message: str | None
    expires_at: datetime
    status: str


PREVIEW = sql.Sql(
    "SELECT d.name, r.name, b.name, i.invitee_email, i.message, i.expires_at, i.status "
    "FROM invitation i JOIN domain d ON d.id = i.domain_id JOIN role r ON r.id = i.role_id "
    'JOIN "user" b ON b.id = i.invited_by_id WHERE i.secret_hash = ?'
)
BY_SECRET = sql.Sql(
    "SELECT id, domain_id, invitee_id, role_id, invitee_email, status, expires_at "
    "FROM invitation WHERE secret_hash = ?"
)


class Link(NamedTuple):
    """A presented secret that names an invitation still waiting for its invitee."""

    invitation: InvitationRef
    digest: str


def _status(stored: str, expires_at: datetime, now: datetime) -> str:
    return Status.EXPIRED if stored == Status.PENDING and expires_at <= now else stored


async def _digest(token: str, client_address: str | None, runtime: Runtime) -> str | None:
    await runtime.limiter.consume(Limit.INVITE_TOKEN, client_address or "unknown")
    return runtime.links.lookup_digest(token)


async def preview(*, token: str, client_address: str | None, runtime: Runtime) -> Preview | None:
    """What the link's invitation says, for anyone holding it; None when the secret is
    unknown, used or voided. An expired one shows as EXPIRED (it cannot be claimed)."""
    digest = await _digest(token, client_address, runtime)
    row = await sql.fetch_one(PREVIEW, digest) if digest else None
    if row is None:
        return None
    domain_name, role_name, inviter_name, address, message, expires, status = row
    expires_at = sql.moment(expires)
    now = runtime.clock.now()
    return Preview(
        domain_name,
        role_name,
        inviter_name,
        address,
        message,
        expires_at,
        _status(status, expires_at, now),
    )


async def find(*, token: str, client_address: str | None, runtime: Runtime) -> Link:
    """The invitation a secret can claim now: NOT_FOUND (unknown, used or voided) or
    INVITATION_NOT_PENDING (expired) otherwise."""
    digest = await _digest(token, client_address, runtime)
    row = await sql.fetch_one(BY_SECRET, digest) if digest else None
    if digest is None or row is None:
        raise _unknown()
    status = _status(row[5], sql.moment(row[6]), runtime.clock.now())
    if status != Status.PENDING:
        raise errors.InvitationNotPendingError(
            f"This invitation is {status}: ask for a new one", status=status
        )
    ref = InvitationRef(sql.uuid(row[0]), sql.uuid(row[1]), None, sql.uuid(row[3]), row[4])
    return Link(ref, digest)


def _unknown() -> errors.NotFoundError:
    return errors.NotFoundError("This invitation link is unknown, used or voided")


async def claim(
    caller: Session | None, *, token: str, client_address: str | None, runtime: Runtime
) -> reads.Invitation:
    """Make the caller the invitee of the link's invitation; the secret is used up."""
    user = signed_in(caller).user
    link = await find(token=token, client_address=client_address, runtime=runtime)
    if await grant_of(user.id, link.invitation.domain_id) is not None:
        raise errors.AlreadyMemberError("You are already a member of this domain")
    async with in_transaction():
        claimed = await take(link, user.id, runtime.clock.now())
    runtime.relay.kick()
    return claimed


async def take(link: Link, user_id: UUID, now: datetime) -> reads.Invitation:
    """Inside a transaction: the compare-and-set on the secret, the CLAIMED event
    (actor and invitee: the claimer; the address invited), and the result."""
    try:
        taken = await models.Invitation.filter(
            id=link.invitation.id,
            secret_hash=link.digest,
            status=Status.PENDING,
            expires_at__gt=now,
        ).update(invitee_id=user_id, secret_hash=None, updated_at=now)
    except IntegrityError:
        raise errors.AlreadyInvitedError(
            "You already have a pending invitation to this domain: answer that one"
        ) from None
    if not taken:
        raise _unknown()  # claimed, resent, deleted or expired since it was found
    await changes.record(link.invitation._replace(invitee_id=user_id), Kind.CLAIMED, user_id, now)
    await outbox.cancel(link.invitation.id, "Not sent: the invitation was claimed")
    return await changes.reread(link.invitation.id, now)
