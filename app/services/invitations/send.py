"""Sending invitations: 1..100 invitees with one role, one result each, in order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app import errors, models, sql
from app.auth import Session
from app.ids import parse_id, parse_ids
from app.models import InvitationEventKind as Kind
from app.models import InvitationStatus as Status
from app.permissions import Action, Grant, authorize
from app.ratelimit import Limit
from app.rows import Role
from app.runtime import Runtime
from app.services import domains
from app.services.invitations import changes, reads
from app.services.validation import clean_message

MAX_INVITEES = 100

SendResult = reads.Invitation | errors.UserFacingError

KNOWN_USERS = sql.Sql('SELECT id, email FROM "user" WHERE id = ANY(?)')
MEMBERS = sql.Sql("SELECT user_id FROM membership WHERE domain_id = ? AND user_id = ANY(?)")
# The invitations that stand in the way of a new one, with their status as read now.
OPEN_INVITATIONS = sql.Sql(
    f"SELECT i.invitee_id, {reads.STATUS} FROM invitation i WHERE i.domain_id = ? "
    "AND i.invitee_id = ANY(?) AND i.status IN ('PENDING', 'REJECTED', 'EXPIRED')"
)


class _Candidate(NamedTuple):
    invitation: models.Invitation
    event: models.InvitationEvent


async def send(
    caller: Session | None,
    *,
    domain_id: str,
    invitee_ids: Sequence[str],
    role_id: str,
    message: str | None = None,
    runtime: Runtime,
) -> list[SendResult]:
    """Invite each user to a domain with one role, with an optional message; one result
    per invitee, in order."""
    domain = parse_id(domain_id, name="domainId")
    grant = await authorize(caller, Action.INVITATION_SEND, domain)
    if not 1 <= len(invitee_ids) <= MAX_INVITEES:
        raise errors.BadUserInputError(
            f"inviteeIds must list 1 to {MAX_INVITEES} users, got {len(invitee_ids)}"
        )
    invitees = parse_ids(list(invitee_ids), name="inviteeIds")
    message = clean_message(message)
    role = await domains.grantable_role(grant, parse_id(role_id, name="roleId"))
    # The quota counts invitees, not calls; past it, nothing is written.
    await runtime.limiter.consume(Limit.SEND, str(grant.user_id), cost=len(invitees))
    now = runtime.clock.now()
    emails, refusals = await _refusals(domain, invitees, now)
    expires_at = await changes.expiry(domain, now, runtime.settings.invitation_ttl_seconds)
    sent = _Sent(grant, role, message, now, expires_at)
    planned: list[SendResult | _Candidate] = [
        refusals.get(invitee) or sent.candidate(invitee, emails[invitee]) for invitee in invitees
    ]
    outcomes = await _insert([c for c in planned if isinstance(c, _Candidate)])
    if outcomes.sent:
        runtime.relay.kick()
    return [outcomes.result(c.invitation.id) if isinstance(c, _Candidate) else c for c in planned]


async def _refusals(
    domain_id: UUID, invitees: list[UUID], now: datetime
) -> tuple[dict[UUID, str], dict[UUID, errors.UserFacingError]]:
    """The invitees' e-mail addresses, and why each that cannot be invited cannot, read
    in three queries for the whole batch."""
    known = {sql.uuid(row[0]): row[1] for row in await sql.fetch(KNOWN_USERS, invitees)}
    members = {sql.uuid(row[0]) for row in await sql.fetch(MEMBERS, domain_id, invitees)}
    open_invitations = await sql.fetch(OPEN_INVITATIONS, now, domain_id, invitees)
    statuses = {sql.uuid(row[0]): row[1] for row in open_invitations}
    refusals: dict[UUID, errors.UserFacingError] = {}
    for invitee in invitees:
        if invitee not in known:
            refusals[invitee] = errors.UserNotFoundError(f"No user has the id {invitee}")
        elif invitee in members:
            refusals[invitee] = errors.AlreadyMemberError("This user is already a member")
        elif statuses.get(invitee) == Status.PENDING:
            refusals[invitee] = already_invited()
        elif statuses.get(invitee) == Status.REJECTED:
            refusals[invitee] = errors.InvitationRejectedError(
                "This user declined an earlier invitation: resend that one instead"
            )
        elif statuses.get(invitee) == Status.EXPIRED:
            refusals[invitee] = errors.InvitationExpiredError(
                "This user's earlier invitation expired: resend that one instead"
            )
    return known, refusals


def already_invited() -> errors.AlreadyInvitedError:
    return errors.AlreadyInvitedError("This user already has a pending invitation here")


class _Sent(NamedTuple):
    """What every invitation of one call shares."""

    grant: Grant
    role: Role
    message: str | None
    now: datetime
    expires_at: datetime

    def candidate(self, invitee: UUID, email: str) -> _Candidate:
        invitation = models.Invitation(
            domain_id=self.grant.domain_id,
            invitee_id=invitee,
            invitee_email=email,
            invited_by_id=self.grant.user_id,
            role_id=self.role.id,
            status=Status.PENDING,
            message=self.message,
            created_at=self.now,
            updated_at=self.now,
            expires_at=self.expires_at,
        )
        event = changes.event_row(invitation, Kind.SENT, self.grant.user_id, self.now)
        return _Candidate(invitation, event)


class _Outcomes:
    """What the transactions committed: each sent invitation as read back inside its
    own transaction, or why it was refused there."""

    def __init__(self) -> None:
        self.sent: dict[UUID, reads.Invitation] = {}
        self.refused: dict[UUID, errors.UserFacingError] = {}

    def result(self, invitation_id: UUID) -> SendResult:
        return self.sent.get(invitation_id) or self.refused[invitation_id]


async def _insert(candidates: list[_Candidate]) -> _Outcomes:
    """Write all invitations in one transaction; if one collides (a concurrent send or a
    duplicate id in the batch), write each on its own so that one never undoes another."""
    outcomes = _Outcomes()
    if not candidates:
        return outcomes
    try:
        async with in_transaction():
            await models.Invitation.bulk_create([c.invitation for c in candidates])
            await models.InvitationEvent.bulk_create([c.event for c in candidates])
            ids = [c.invitation.id for c in candidates]
            now = candidates[0].invitation.created_at
            outcomes.sent = {row.id: row for row in await reads.current(ids, now) if row}
        return outcomes
    except IntegrityError:
        for candidate in candidates:
            await _insert_one(candidate, outcomes)
        return outcomes


async def _insert_one(candidate: _Candidate, outcomes: _Outcomes) -> None:
    invitation_id = candidate.invitation.id
    try:
        async with in_transaction():
            await candidate.invitation.save(force_create=True)
            await candidate.event.save(force_create=True)
            now = candidate.invitation.created_at
            outcomes.sent[invitation_id] = await changes.reread(invitation_id, now)
    except IntegrityError:
        outcomes.refused[invitation_id] = already_invited()
