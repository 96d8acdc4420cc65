"""Accounts: sign up, sign in, sign out."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app import errors, models, rows, sql
from app.auth import Session
from app.permissions import signed_in
from app.ratelimit import Limit
from app.rows import USER_COLUMNS, columns
from app.runtime import Runtime
from app.services.invitations import claims, reads
from app.services.validation import check_password, check_text, clean_email, clean_name

BY_EMAIL = sql.Sql(
    f'SELECT {columns(USER_COLUMNS, "u")}, u.password_hash FROM "user" u WHERE u.email = ?'
)


async def sign_up(
    *,
    email: str,
    name: str,
    password: str,
    invitation_token: str | None = None,
    client_address: str | None = None,
    runtime: Runtime,
) -> tuple[str, rows.User, reads.Invitation | None]:
    """Create an account and sign it in; with an invitation link's secret, also claim
    that invitation: all of it, or (the secret being void) nothing."""
    email, name = clean_email(email), clean_name(name)
    check_password(password)
    link = None
    if invitation_token is not None:
        link = await claims.find(
            token=invitation_token, client_address=client_address, runtime=runtime
        )
    password_hash = await runtime.auth.hash_password(password)
    now = runtime.clock.now()
    async with in_transaction():
        try:
            user = await models.User.create(
                email=email, name=name, password_hash=password_hash, created_at=now
            )
        except IntegrityError:
            raise errors.EmailTakenError(
                f"An account for {email} already exists: sign in instead"
            ) from None
        claimed = await claims.take(link, user.id, now) if link else None
        token = await runtime.auth.issue_token(user.id)
    if claimed:
        runtime.relay.kick()
    return token, rows.User(user.id, user.email, user.name), claimed


async def sign_in(
    *, email: str, password: str, client_address: str | None, runtime: Runtime
) -> tuple[str, rows.User]:
    """Exchange an email and password for a new token (brute force is rate limited)."""
    email = check_text(email, field="email").strip().lower()
    check_text(password, field="password")
    # Counted before the password is checked, so parallel guesses cannot slip through;
    # a success clears the account's count: only failures accumulate.
    if client_address:
        await runtime.limiter.consume(Limit.SIGNIN_IP, client_address)
    await runtime.limiter.consume(Limit.SIGNIN_ACCOUNT, email)
    row = await sql.fetch_one(BY_EMAIL, email)
    valid = await runtime.auth.verify_password(row[3] if row else None, password)
    if row is None or not valid:
        raise errors.InvalidCredentialsError("Wrong email or password")
    await runtime.limiter.reset(Limit.SIGNIN_ACCOUNT, email)
    user = rows.user_at(row, 0)
    return await runtime.auth.issue_token(user.id), user


async def sign_out(caller: Session | None, *, runtime: Runtime) -> bool:
    """Revoke the token used for this request."""
    await runtime.auth.revoke(signed_in(caller))
    return True
