"""Idempotency keys: a mutation request sent with `Idempotency-Key` is done at most once
per (caller, key) for 24 h.

`begin` claims the key for a request, or says what to answer instead:

    first time                 Claimed: run it, then `finish` in the same transaction
    same body, answered        Replay: the stored answer again
    same body, still running   InProgress (409); a claim whose holder died without
                               committing anything is taken over once its lease ends
    another body               Mismatch (422)

The answer is stored in the transaction of the mutation itself, so either both the
changes and the answer are committed, or neither: a client that lost the connection can
retry with the same key and get the first answer, and nothing happens twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import NamedTuple
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app import models, sql
from app.clock import Clock

KEEP = timedelta(hours=24)
LEASE = timedelta(seconds=60)

EXISTING = sql.Sql(
    "SELECT id, request_hash, response_status, response_body, locked_until, expires_at "
    "FROM idempotency_key WHERE user_id = ? AND key = ?"
)
TAKE_OVER = sql.Sql(
    "UPDATE idempotency_key SET request_hash = ?, locked_until = ?, created_at = ?, "
    "expires_at = ?, response_status = NULL, response_body = NULL "
    "WHERE id = ? AND response_status IS NULL AND (locked_until IS NULL OR locked_until <= ?)"
)
RENEW_EXPIRED = sql.Sql(
    "UPDATE idempotency_key SET request_hash = ?, locked_until = ?, created_at = ?, "
    "expires_at = ?, response_status = NULL, response_body = NULL "
    "WHERE id = ? AND expires_at <= ?"
)
FINISH = sql.Sql(
    "UPDATE idempotency_key SET response_status = ?, response_body = ?, locked_until = NULL "
    "WHERE id = ? AND locked_until = ?"
)
RELEASE = sql.Sql(
    "UPDATE idempotency_key SET locked_until = NULL WHERE id = ? AND locked_until = ?"
)
PURGE = sql.Sql("DELETE FROM idempotency_key WHERE expires_at <= ?")


class Claimed(NamedTuple):
    id: UUID
    lease: datetime  # identifies this claim: a later take-over changes it


class Replay(NamedTuple):
    status: int
    body: bytes


class InProgress(NamedTuple):
    pass


class Mismatch(NamedTuple):
    pass


Outcome = Claimed | Replay | InProgress | Mismatch


async def begin(user_id: UUID, key: str, request_hash: str, clock: Clock) -> Outcome:
    """Claim `key` for this request, or say what to answer instead."""
    now = clock.now()
    lease = now + LEASE
    try:
        row = await models.IdempotencyKey.create(
            user_id=user_id,
            key=key,
            request_hash=request_hash,
            locked_until=lease,
            created_at=now,
            expires_at=now + KEEP,
        )
    except IntegrityError:
        return await _existing(user_id, key, request_hash, now)
    return Claimed(row.id, lease)


async def _existing(user_id: UUID, key: str, request_hash: str, now: datetime) -> Outcome:
    row = await sql.fetch_one(EXISTING, user_id, key)
    if row is None:  # purged between our insert and this read: as good as running
        return InProgress()
    key_id, stored_hash, status, body, locked_until, expires_at = row
    key_id, lease = sql.uuid(key_id), now + LEASE
    renewal = (request_hash, lease, now, now + KEEP, key_id, now)
    if sql.moment(expires_at) <= now:  # forgotten after 24 h: the key starts afresh
        renewed = await sql.execute(RENEW_EXPIRED, *renewal)
        return Claimed(key_id, lease) if renewed else InProgress()
    if stored_hash != request_hash:
        return Mismatch()
    if status is not None:
        return Replay(int(status), bytes(body))
    if locked_until is not None and sql.moment(locked_until) > now:
        return InProgress()
    # The first request ended without an answer (its process died, or it failed):
    # nothing of it was committed, so it may run again.
    return Claimed(key_id, lease) if await sql.execute(TAKE_OVER, *renewal) else InProgress()


async def finish(claim: Claimed, status: int, body: bytes) -> bool:
    """Store the answer, inside the mutation's transaction; False when the claim was lost
    (taken over after its lease ended): the caller must roll back."""
    return await sql.execute(FINISH, status, body, claim.id, claim.lease) == 1


async def release(claim: Claimed) -> None:
    """Give the key up without an answer (the request failed): a retry may run."""
    await sql.execute(RELEASE, claim.id, claim.lease)


async def purge(clock: Clock) -> None:
    """Forget keys older than 24 h."""
    await sql.execute(PURGE, clock.now())


class Answer(NamedTuple):
    status: int
    body: bytes
    keep: bool  # False: an unexpected failure; nothing of it may be committed or replayed


class _RollBack(Exception):
    def __init__(self, answer: Answer | None) -> None:
        self.answer = answer


async def once(claim: Claimed, run: Callable[[], Awaitable[Answer]]) -> Answer | None:
    """Run the request and store its answer in one transaction. An answer that must not be
    kept rolls everything back and frees the key for a retry; None: the claim was lost to
    a retry that took over meanwhile, and nothing of this run was committed."""
    try:
        async with in_transaction():
            answer = await run()
            if not answer.keep:
                raise _RollBack(answer)
            if not await finish(claim, answer.status, answer.body):
                raise _RollBack(None)
    except _RollBack as rolled:
        await release(claim)
        return rolled.answer
    return answer
