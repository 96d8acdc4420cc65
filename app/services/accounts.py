"""Accounts: sign up, sign in, sign out, and the people finder."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from app import errors, models, rows, sql
from app.auth import Session
from app.permissions import signed_in
from app.ratelimit import Limit
from app.rows import USER_COLUMNS, columns
from app.runtime import Runtime
from app.services.pagination import check_first
from app.services.validation import check_password, check_text, clean_email, clean_name

USERS_PAGE = 10

BY_EMAIL = sql.Sql(
    f'SELECT {columns(USER_COLUMNS, "u")}, u.password_hash FROM "user" u WHERE u.email = ?'
)
SEARCH = sql.Sql(
    f'SELECT {columns(USER_COLUMNS, "u")} FROM "user" u '
    "WHERE LOWER(u.name) LIKE ? ESCAPE '\\' OR u.email LIKE ? ESCAPE '\\' "
    "ORDER BY u.name, u.id LIMIT ?"
)


async def sign_up(
    *, email: str, name: str, password: str, runtime: Runtime
) -> tuple[str, rows.User]:
    """Create an account and sign it in."""
    email, name = clean_email(email), clean_name(name)
    password_hash = await runtime.auth.hash_password(check_password(password))
    try:
        user = await models.User.create(
            email=email, name=name, password_hash=password_hash, created_at=runtime.clock.now()
        )
    except IntegrityError:
        raise errors.EmailTakenError(
            f"An account for {email} already exists: sign in instead"
        ) from None
    return await runtime.auth.issue_token(user.id), rows.User(user.id, user.email, user.name)


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


def _contains(term: str) -> str:
    """A LIKE pattern matching `term` anywhere, its wildcards taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def find_users(caller: Session | None, *, search: str, first: int | None) -> list[rows.User]:
    """Users whose name or email contains `search`, for the Send Invitation dialog."""
    signed_in(caller)
    term = check_text(search, field="search").strip()
    if not 2 <= len(term) <= 100:
        raise errors.BadUserInputError("search must be 2 to 100 characters long")
    limit = check_first(first, USERS_PAGE)
    pattern = _contains(term.lower())
    return [rows.user_at(row, 0) for row in await sql.fetch(SEARCH, pattern, pattern, limit)]
