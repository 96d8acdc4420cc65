"""Authentication only: passwords, and bearer tokens to sessions."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import NamedTuple
from uuid import UUID

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from app import models, rows, sql
from app.batch import Coalesced
from app.clock import Clock
from app.rows import USER_COLUMNS, columns


class Session(NamedTuple):
    """An authenticated caller: the user, and the token they presented."""

    user: rows.User
    token_id: UUID
    token_hash: str
    expires_at: datetime


SESSION = sql.Sql(
    f"SELECT t.id, t.expires_at, {columns(USER_COLUMNS, 'u')} "
    'FROM auth_token t JOIN "user" u ON u.id = t.user_id '
    "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ?"
)
CURRENT_TOKENS = sql.Sql(
    "SELECT id FROM auth_token WHERE id = ANY(?) AND revoked_at IS NULL AND expires_at > ?"
)


class Authenticator:
    """Hashes passwords off the event loop and issues and checks opaque tokens.

    Valid sessions may be remembered for `session_cache_seconds` (bounded to
    `session_cache_size` entries) so a burst of requests with one token costs one
    lookup. Expiry is still checked on every request and `revoke` forgets the token
    at once, so signing out is immediate in this process. Another process would not
    hear of it, so create_app turns the cache on only where there is one process
    (SQLite) and off (0) where processes share PostgreSQL.
    """

    def __init__(
        self,
        *,
        secret_key: str,
        token_ttl: timedelta,
        cheap_hashing: bool,
        clock: Clock,
        session_cache_seconds: float = 5.0,
        session_cache_size: int = 4096,
    ) -> None:
        self._key = secret_key.encode()
        self._ttl = token_ttl
        self.clock = clock
        self._cache_seconds = session_cache_seconds
        self._cache_size = session_cache_size
        # token hash -> (monotonic deadline, session), oldest first.
        self._sessions: OrderedDict[str, tuple[float, Session]] = OrderedDict()
        self._current = Coalesced[UUID, bool](self._fetch_current)
        params = profiles.CHEAPEST if cheap_hashing else profiles.RFC_9106_LOW_MEMORY
        self._hasher = PasswordHasher.from_parameters(params)
        # Verifying against this keeps unknown-email sign-ins as slow as wrong passwords.
        self._dummy_hash = self._hasher.hash(secrets.token_hex(16))

    async def hash_password(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify_password(self, password_hash: str | None, password: str) -> bool:
        """Constant work whether or not the account exists."""
        try:
            return (
                await asyncio.to_thread(
                    self._hasher.verify, password_hash or self._dummy_hash, password
                )
                and password_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False

    def hash_token(self, token: str) -> str:
        """The keyed hash stored and looked up instead of the token.

        Why a lookup by this hash is constant-time with respect to the secret: the
        database compares HMAC(SECRET_KEY, presented token), never the token itself.
        Timing of that comparison can only reveal how much of an HMAC output matches
        a stored one, and without the key an attacker cannot choose tokens whose
        HMACs share a prefix with a stored hash, so no byte-by-byte guessing is
        possible. Passwords are compared inside argon2's verify (constant time).
        """
        return hmac.new(self._key, token.encode(), hashlib.sha256).hexdigest()

    async def issue_token(self, user_id: UUID) -> str:
        """A new random token for a user; only its keyed hash is stored."""
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        await models.AuthToken.create(
            user_id=user_id,
            token_hash=self.hash_token(token),
            created_at=now,
            expires_at=now + self._ttl,
        )
        return token

    async def authenticate(self, authorization: str | None) -> Session | None:
        """The session behind an `Authorization: Bearer <token>` value, if valid now."""
        scheme, _, token = (authorization or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        token_hash = self.hash_token(token.strip())
        cached = self._sessions.get(token_hash)
        if cached is not None and cached[0] > time.monotonic() and self.unexpired(cached[1]):
            return cached[1]
        row = await sql.fetch_one(SESSION, token_hash, self.clock.now())
        if row is None:
            self._sessions.pop(token_hash, None)
            return None
        session = Session(rows.user_at(row, 2), sql.uuid(row[0]), token_hash, sql.moment(row[1]))
        self._remember(token_hash, session)
        return session

    def _remember(self, token_hash: str, session: Session) -> None:
        if self._cache_seconds <= 0:
            return
        self._sessions[token_hash] = (time.monotonic() + self._cache_seconds, session)
        self._sessions.move_to_end(token_hash)
        while len(self._sessions) > self._cache_size:
            self._sessions.popitem(last=False)

    def unexpired(self, session: Session) -> bool:
        return session.expires_at > self.clock.now()

    async def is_current(self, session: Session) -> bool:
        """Whether a session checked earlier (a long-lived socket's) is still neither
        revoked nor expired. Checks made in the same loop turn share one query."""
        return bool(await self._current.load(session.token_id))

    async def _fetch_current(self, token_ids: list[UUID]) -> dict[UUID, bool]:
        found = await sql.fetch(CURRENT_TOKENS, token_ids, self.clock.now())
        return {sql.uuid(row[0]): True for row in found}

    async def revoke(self, session: Session) -> None:
        self._sessions.pop(session.token_hash, None)
        await models.AuthToken.filter(id=session.token_id, revoked_at__isnull=True).update(
            revoked_at=self.clock.now()
        )
