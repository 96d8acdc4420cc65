"""The e-mails of invitations: which invitation gets one and with which link, written to
the outbox in the invitation's own transaction, cancelled when the invitation changes
under it, and their delivery state for readers of the domain.

An invitation by address (no account yet) always gets an e-mail whose link carries a
new one-time secret (`app.links`); an invitee with an account gets one only when SMTP is
configured, and its link opens the web app's invitations (no secret). The mailer
(`app.services.mailer`) sends what is queued.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from app import models, sql
from app.models import EmailStatus
from app.permissions import Action, Grant
from app.runtime import Runtime
from app.settings import Settings


class Mail(NamedTuple):
    """An outbox row to write with an invitation, and the digest of its link's secret
    for the invitation to keep (None: the link carries no secret)."""

    row: models.EmailMessage
    secret_hash: str | None


def disabled(settings: Settings) -> bool:
    """Whether invitations by address must be refused: production without SMTP."""
    return settings.production and not settings.smtp_url


def plan(
    invitation_id: UUID, address: str, *, has_account: bool, now: datetime, runtime: Runtime
) -> Mail | None:
    """The e-mail telling `address` about an invitation sent or resent `now`, if any."""
    if has_account and not runtime.settings.smtp_url:
        return None
    nonce, digest = (None, None) if has_account else runtime.links.issue()
    row = models.EmailMessage(
        invitation_id=invitation_id,
        to_address=address,
        nonce=nonce,
        status=EmailStatus.QUEUED,
        next_attempt_at=now,
        created_at=now,
    )
    return Mail(row, digest)


async def cancel(invitation_id: UUID, reason: str) -> None:
    """Give up the invitation's queued e-mails: what they would say no longer holds."""
    await models.EmailMessage.filter(invitation_id=invitation_id, status=EmailStatus.QUEUED).update(
        status=EmailStatus.FAILED, last_error=reason, nonce=None, next_attempt_at=None
    )


async def replace(invitation_id: UUID, mail: Mail | None, *, reason: str) -> None:
    """Queue `mail` (if any) in place of the invitation's queued e-mails."""
    await cancel(invitation_id, reason)
    if mail is not None:
        await mail.row.save(force_create=True)


class Delivery(NamedTuple):
    status: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None


DELIVERIES = sql.Sql(
    "SELECT invitation_id, status, attempts, last_error, sent_at FROM email_message "
    "WHERE invitation_id = ANY(?) ORDER BY created_at, id"
)


async def deliveries(
    grants: Sequence[Grant | None], invitation_ids: Sequence[UUID]
) -> list[Delivery | None]:
    """The latest e-mail of each invitation, where the grant of its domain (read for
    the caller, in the same order) allows INVITATION_READ; None elsewhere or when none."""
    readable = [i for i, g in zip(invitation_ids, grants, strict=True) if _reads(g)]
    latest: dict[UUID, Delivery] = {}
    for row in await sql.fetch(DELIVERIES, readable) if readable else []:
        latest[sql.uuid(row[0])] = Delivery(row[1], row[2], row[3], sql.optional_moment(row[4]))
    return [latest.get(i) for i in invitation_ids]


def _reads(grant: Grant | None) -> bool:
    return grant is not None and grant.allows(Action.INVITATION_READ)
