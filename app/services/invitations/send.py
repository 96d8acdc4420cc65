"""Sending invitations: 1..100 invitees (users by id, people by address) with one role,
one result each, in order."""

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
from app.services.invitations import emails as outbox
from app.services.validation import clean_email, clean_message
from app.services.webhooks import deliveries

MAX_INVITEES = 100

SendResult = reads.Invitation | errors.UserFacingError

KNOWN_USERS = sql.Sql('SELECT id, email FROM "user" WHERE id = ANY(?)')
ACCOUNTS = sql.Sql('SELECT id, email FROM "user" WHERE email = ANY(?)')
MEMBERS = sql.Sql("SELECT user_id FROM membership WHERE domain_id = ? AND user_id = ANY(?)")
# An invitee's earlier invitations here: to their account, or to their address; the
# parameters are the domain, the ids and the addresses. SQLite is told to seek each
# listed id and address (a CROSS JOIN keeps the list outside): its planner otherwise
# read every such invitation of the domain, thousands in a large one.
_EARLIER_OF = (
    "SELECT i.invitee_id, i.invitee_email, i.status, i.expires_at "
    "FROM json_each(?{list}) AS j CROSS JOIN invitation AS i "
    "WHERE i.domain_id = ?1 AND i.{column} = j.value "
    "AND i.status IN ('PENDING', 'REJECTED', 'EXPIRED')"
)
EARLIER = sql.Sql(
    "SELECT invitee_id, invitee_email, status, expires_at FROM invitation "
    "WHERE domain_id = ? AND status IN ('PENDING', 'REJECTED', 'EXPIRED') "
    "AND (invitee_id = ANY(?) OR invitee_email = ANY(?))",
    sqlite=_EARLIER_OF.format(list=2, column="invitee_id")
    + " UNION ALL "
    + _EARLIER_OF.format(list=3, column="invitee_email"),
)


class _Target(NamedTuple):
    """Someone to invite: an account (`invitee_id`), or an address nobody has signed up
    with (`invitee_id` None). `address` is None until an id's account is looked up."""

    invitee_id: UUID | None
    address: str | None


class _Candidate(NamedTuple):
    invitation: models.Invitation
    event: models.InvitationEvent
    mail: models.EmailMessage | None


async def send(
    caller: Session | None,
    *,
    domain_id: str,
    invitee_ids: Sequence[str] = (),
    emails: Sequence[str] = (),
    role_id: str,
    message: str | None = None,
    runtime: Runtime,
) -> list[SendResult]:
    """Invite users and addresses to a domain with one role, with an optional message;
    one result per invitee (ids first, then addresses), in order."""
    domain = parse_id(domain_id, name="domainId")
    grant = await authorize(caller, Action.INVITATION_SEND, domain)
    ids, role = await _validated(grant, invitee_ids, emails, role_id, runtime)
    message = clean_message(message)
    # The quota counts invitees, not calls; past it, nothing is written.
    await runtime.limiter.consume(Limit.SEND, str(grant.user_id), cost=len(ids) + len(emails))
    now = runtime.clock.now()
    asked = [_Target(i, None) for i in ids] + await _by_address(emails)
    expires_at = await changes.expiry(domain, now, runtime.settings.invitation_ttl_seconds)
    sent = _Sent(grant, role, message, now, expires_at, runtime)
    planned: list[SendResult | _Candidate] = [
        t if isinstance(t, errors.UserFacingError) else sent.candidate(t)
        for t in await _checked(domain, asked, now)
    ]
    candidates = [c for c in planned if isinstance(c, _Candidate)]
    outcomes = await _insert(candidates)
    if outcomes.sent:
        runtime.relay.kick()
        if any(c.mail for c in candidates):
            runtime.mailer.kick()
    return [outcomes.result(c.invitation.id) if isinstance(c, _Candidate) else c for c in planned]


async def _validated(
    grant: Grant,
    invitee_ids: Sequence[str],
    emails: Sequence[str],
    role_id: str,
    runtime: Runtime,
) -> tuple[list[UUID], Role]:
    """The call's ids and role, or why the whole call is refused."""
    count = len(invitee_ids) + len(emails)
    if not 1 <= count <= MAX_INVITEES:
        raise errors.BadUserInputError(
            f"inviteeIds and emails must list 1 to {MAX_INVITEES} invitees together, got {count}"
        )
    ids = parse_ids(list(invitee_ids), name="inviteeIds")
    role = await domains.grantable_role(grant, parse_id(role_id, name="roleId"))
    if emails and outbox.disabled(runtime.settings):
        raise errors.EmailDisabledError(
            "This server sends no e-mail (SMTP_URL is unset): invite people by account"
        )
    return ids, role


async def _by_address(addresses: Sequence[str]) -> list[_Target | errors.UserFacingError]:
    """Each address as the account that has it, or as an address to invite by e-mail;
    INVALID_INPUT where it is not an address."""
    cleaned: list[str | errors.UserFacingError] = []
    for address in addresses:
        try:
            cleaned.append(clean_email(address, field="emails"))
        except errors.InvalidInputError as exc:
            cleaned.append(exc)
    valid = [a for a in cleaned if isinstance(a, str)]
    found = await sql.fetch(ACCOUNTS, valid) if valid else []
    accounts = {row[1]: sql.uuid(row[0]) for row in found}
    return [
        a if isinstance(a, errors.UserFacingError) else _Target(accounts.get(a), a) for a in cleaned
    ]


async def _checked(
    domain_id: UUID, targets: list[_Target | errors.UserFacingError], now: datetime
) -> list[_Target | errors.UserFacingError]:
    """Each target with its address, or why it cannot be invited, read in four queries
    for the whole batch."""
    ids = [t.invitee_id for t in targets if isinstance(t, _Target) and t.invitee_id]
    known = {sql.uuid(row[0]): row[1] for row in await sql.fetch(KNOWN_USERS, ids)}
    members = {sql.uuid(row[0]) for row in await sql.fetch(MEMBERS, domain_id, ids)}
    addresses = [t.address for t in targets if isinstance(t, _Target) and t.address]
    emails = [*addresses, *known.values()]
    earlier = _Earlier(await sql.fetch(EARLIER, domain_id, ids, emails), now)

    def check(target: _Target | errors.UserFacingError) -> _Target | errors.UserFacingError:
        if isinstance(target, errors.UserFacingError):
            return target
        if target.invitee_id is None:
            return earlier.refusal(target) or target
        if target.invitee_id not in known:
            return errors.UserNotFoundError(f"No user has the id {target.invitee_id}")
        if target.invitee_id in members:
            return errors.AlreadyMemberError("This user is already a member")
        target = target._replace(address=known[target.invitee_id])
        return earlier.refusal(target) or target

    return [check(t) for t in targets]


class _Earlier:
    """The statuses of earlier invitations, by invitee and by address (a PENDING one
    past its deadline counts as EXPIRED)."""

    def __init__(self, found: list[sql.Row], now: datetime) -> None:
        self.by_invitee: dict[UUID, set[str]] = {}
        self.by_address: dict[str, set[str]] = {}
        for invitee_id, address, status, expires_at in found:
            if status == Status.PENDING and sql.moment(expires_at) <= now:
                status = Status.EXPIRED
            if invitee_id is not None:
                self.by_invitee.setdefault(sql.uuid(invitee_id), set()).add(status)
            self.by_address.setdefault(address, set()).add(status)

    def refusal(self, target: _Target) -> errors.UserFacingError | None:
        statuses = self.by_address.get(target.address or "", set())
        if target.invitee_id is not None:
            statuses = statuses | self.by_invitee.get(target.invitee_id, set())
        who = "This user" if target.invitee_id else target.address
        if Status.PENDING in statuses:
            return already_invited(who)
        if Status.REJECTED in statuses:
            return errors.InvitationRejectedError(
                f"{who} declined an earlier invitation: resend that one instead"
            )
        if Status.EXPIRED in statuses:
            return errors.InvitationExpiredError(
                f"{who} has an expired invitation here: resend that one instead"
            )
        return None


def already_invited(who: str | None = "This user") -> errors.AlreadyInvitedError:
    return errors.AlreadyInvitedError(f"{who} already has a pending invitation here")


class _Sent(NamedTuple):
    """What every invitation of one call shares."""

    grant: Grant
    role: Role
    message: str | None
    now: datetime
    expires_at: datetime
    runtime: Runtime

    def candidate(self, target: _Target) -> _Candidate:
        invitation = models.Invitation(
            domain_id=self.grant.domain_id,
            invitee_id=target.invitee_id,
            invitee_email=target.address,
            invited_by_id=self.grant.user_id,
            role_id=self.role.id,
            status=Status.PENDING,
            message=self.message,
            created_at=self.now,
            updated_at=self.now,
            expires_at=self.expires_at,
        )
        mail = outbox.plan(
            invitation.id,
            target.address or "",
            has_account=target.invitee_id is not None,
            now=self.now,
            runtime=self.runtime,
        )
        invitation.secret_hash = mail.secret_hash if mail else None
        event = changes.event_row(invitation, Kind.SENT, self.grant.user_id, self.now)
        return _Candidate(invitation, event, mail.row if mail else None)


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
    duplicate in the batch), write each on its own so that one never undoes another."""
    outcomes = _Outcomes()
    if not candidates:
        return outcomes
    try:
        async with in_transaction():
            await models.Invitation.bulk_create([c.invitation for c in candidates])
            await models.InvitationEvent.bulk_create([c.event for c in candidates])
            mails = [c.mail for c in candidates if c.mail]
            if mails:
                await models.EmailMessage.bulk_create(mails)
            await deliveries.enqueue([c.event for c in candidates])
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
            if candidate.mail:
                await candidate.mail.save(force_create=True)
            await deliveries.enqueue([candidate.event])
            now = candidate.invitation.created_at
            outcomes.sent[invitation_id] = await changes.reread(invitation_id, now)
    except IntegrityError:
        outcomes.refused[invitation_id] = already_invited(
            "This user" if candidate.invitation.invitee_id else candidate.invitation.invitee_email
        )
