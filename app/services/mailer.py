"""The mailer: sends what the outbox holds, in every server process.

Invitation services write an `email_message` row in the transaction of the invitation it
tells about and `kick()` the mailer after the commit; the mailer also looks every second,
so retries that came due and rows left by a process that died go out too.

    claim    up to BATCH due rows (QUEUED, next_attempt_at passed, no live lease) are
             leased in one statement (locked_until = now + twice the send timeout);
             on PostgreSQL FOR UPDATE SKIP LOCKED lets processes claim different rows at
             the same moment, SQLite serves one process
    render   the invitation as it is now: its link's secret derived from the row's nonce
             (`app.links`), the parts from the templates (`app.mail.compose`)
    send     through the transport, bounded by EMAIL_TIMEOUT_SECONDS, so a live sender
             always finishes before its lease runs out
    record   SENT (the nonce erased); or QUEUED again EMAIL_RETRY_SECONDS[n] later with
             the error; or, after the last delay, FAILED. A row whose invitation was
             deleted, answered or expired is FAILED without an attempt, saying why.

Delivery is at least once: a process killed between the server's "250 OK" and recording
SENT leaves a lease that runs out, and the row is sent again, with the same Message-ID so
that receivers can drop the copy. All times come from the injected clock.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import NamedTuple
from uuid import UUID

from tortoise.expressions import F

from app import metrics, models, sql
from app.background import Outage, Worker
from app.clock import Clock
from app.links import LinkKeys
from app.mail.compose import InvitationMail, Letter, compose
from app.mail.transports import SendError, Transport, message_domain
from app.models import EmailStatus
from app.models import InvitationStatus as Status
from app.services.invitations import reads
from app.settings import Settings
from app.sql import Sql

logger = logging.getLogger("app.mail")

BATCH = 50

_DUE = (
    "SELECT id FROM email_message WHERE status = 'QUEUED' AND next_attempt_at <= ? "
    "AND (locked_until IS NULL OR locked_until <= ?) ORDER BY next_attempt_at, id LIMIT ?"
)
# A statement that starts with WITH, so both drivers return its rows.
_LEASE = (
    "UPDATE email_message SET locked_until = ? WHERE id IN (SELECT id FROM due) "
    "RETURNING id, invitation_id, to_address, nonce, attempts"
)
CLAIM = Sql(
    f"WITH due AS ({_DUE}) {_LEASE}",
    postgres=f"WITH due AS ({_DUE} FOR UPDATE SKIP LOCKED) {_LEASE}",
)


class _Claimed(NamedTuple):
    id: UUID
    invitation_id: UUID | None
    to_address: str
    nonce: str | None
    attempts: int


class Mailer(Worker):
    def __init__(
        self, settings: Settings, clock: Clock, transport: Transport, *, poll_seconds: float = 1.0
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.transport = transport
        self.links = LinkKeys(settings.secret_key)
        super().__init__("mailer", poll_seconds, Outage(logger, "e-mails"))

    async def work(self) -> None:
        await self.tick()

    # ------------------------------------------------------------------ one tick

    async def tick(self) -> int:
        """Send every letter due now; how many rows were claimed."""
        total = 0
        while True:
            claimed = await self._claim()
            ids = [row.invitation_id for row in claimed if row.invitation_id]
            invitations: dict[UUID | None, reads.Invitation] = {
                i.id: i for i in await reads.current(ids, self.clock.now()) if i is not None
            }
            for row in claimed:
                await self._deliver(row, invitations.get(row.invitation_id))
            total += len(claimed)
            if len(claimed) < BATCH:
                return total

    async def _claim(self) -> list[_Claimed]:
        now = self.clock.now()
        lease = now + timedelta(seconds=2 * self.settings.email_timeout_seconds)
        found = await sql.fetch(CLAIM, now, now, BATCH, lease)
        claimed = [
            _Claimed(sql.uuid(r[0]), sql.optional_uuid(r[1]), r[2], r[3], r[4]) for r in found
        ]
        return sorted(claimed, key=lambda row: row.id)

    async def _deliver(self, row: _Claimed, invitation: reads.Invitation | None) -> None:
        """Send one claimed row about `invitation` (None: deleted), or give it up."""
        now = self.clock.now()
        void = _void(invitation, now)
        if void is not None or invitation is None:
            await _record(row.id, status=EmailStatus.FAILED, attempted=False, last_error=void)
            metrics.count_email("failed")
            return
        letter = self.letter(row, invitation)
        try:
            await self.transport.send(letter, at=now)
        except SendError as exc:
            await self._failed(row, str(exc))
            return
        await _record(row.id, status=EmailStatus.SENT, sent_at=self.clock.now(), last_error=None)
        metrics.count_email("sent")

    def letter(self, row: _Claimed, invitation: reads.Invitation) -> Letter:
        if row.nonce is None:  # an account's invitation: the web app shows it
            link = f"{self.settings.web_url}/#/invitations"
        else:
            link = f"{self.settings.web_url}/#/invite/{self.links.secret(row.nonce)}"
        mail = InvitationMail(
            to=row.to_address,
            invitee_name=invitation.invitee.name if invitation.invitee else None,
            inviter_name=invitation.invited_by.name,
            domain_name=invitation.domain.name,
            role_name=invitation.role.name,
            message=invitation.message,
            expires_at=invitation.expires_at,
            link=link,
            by_link=row.nonce is not None,
        )
        return compose(mail, message_id=f"<{row.id}@{message_domain(self.settings.mail_from)}>")

    async def _failed(self, row: _Claimed, error: str) -> None:
        attempts = row.attempts + 1
        delays = self.settings.email_retry_seconds
        if attempts > len(delays):
            logger.warning("e-mail %s FAILED after %d attempts: %s", row.id, attempts, error)
            await _record(row.id, status=EmailStatus.FAILED, last_error=error)
            metrics.count_email("failed")
            return
        retry_at = self.clock.now() + timedelta(seconds=delays[attempts - 1])
        await _record(row.id, status=EmailStatus.QUEUED, last_error=error, next_attempt_at=retry_at)
        metrics.count_email("retry")


def _void(invitation: reads.Invitation | None, now: datetime) -> str | None:
    """Why an e-mail about this invitation must not go out any more, if it must not."""
    if invitation is None:
        return "Not sent: the invitation was deleted"
    if invitation.status == Status.PENDING and invitation.expires_at <= now:
        return "Not sent: the invitation expired"
    if invitation.status != Status.PENDING:
        return f"Not sent: the invitation is {invitation.status}"
    return None


async def _record(
    message_id: UUID, *, status: EmailStatus, attempted: bool = True, **changes: object
) -> None:
    """The outcome of an attempt (or of a row given up unsent), releasing the lease; a
    row that is done keeps no nonce and no next attempt."""
    if attempted:
        changes["attempts"] = F("attempts") + 1
    if status is not EmailStatus.QUEUED:
        changes.update(nonce=None, next_attempt_at=None)
    await models.EmailMessage.filter(id=message_id).update(
        status=status, locked_until=None, **changes
    )
