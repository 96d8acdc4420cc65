"""Accounts: sign up, sign in, sign out, and the people finder."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from app import errors, models
from app.auth import Authenticator, Session
from app.permissions import require_user
from app.ratelimit import Limit, RateLimiter
from app.services.pagination import check_first
from app.services.validation import check_password, clean_email, clean_name


async def sign_up(
    *, email: str, name: str, password: str, auth: Authenticator
) -> tuple[str, models.User]:
    """Create an account and sign it in."""
    email, name = clean_email(email), clean_name(name)
    password_hash = await auth.hash_password(check_password(password))
    try:
        user = await models.User.create(email=email, name=name, password_hash=password_hash)
    except IntegrityError:
        raise errors.EmailTakenError(
            f"An account for {email} already exists: sign in instead"
        ) from None
    return await auth.issue_token(user), user


async def sign_in(
    *,
    email: str,
    password: str,
    auth: Authenticator,
    limiter: RateLimiter,
    client_address: str | None,
) -> tuple[str, models.User]:
    """Exchange an email and password for a new token (brute force is rate limited)."""
    email = email.strip().lower()
    # Counted before the password is checked, so parallel guesses cannot slip through;
    # a success clears the account's count: only failures accumulate.
    if client_address:
        await limiter.consume(Limit.SIGNIN_IP, client_address)
    await limiter.consume(Limit.SIGNIN_ACCOUNT, email)
    user = await models.User.get_or_none(email=email)
    valid = await auth.verify_password(user.password_hash if user else None, password)
    if user is None or not valid:
        raise errors.InvalidCredentialsError("Wrong email or password")
    await limiter.reset(Limit.SIGNIN_ACCOUNT, email)
    return await auth.issue_token(user), user


async def sign_out(session: Session | None, *, auth: Authenticator) -> bool:
    """Revoke the token used for this request."""
    if session is None:
        raise errors.UnauthenticatedError()
    await auth.revoke(session)
    return True


async def find_users(
    user: models.User | None, *, search: str, first: int | None
) -> list[models.User]:
    """Users whose name or email contains `search`, for the Send Invitation dialog."""
    require_user(user)
    term = search.strip()
    if not 2 <= len(term) <= 100:
        raise errors.BadUserInputError("search must be 2 to 100 characters long")
    limit = check_first(first, default=10)
    query = models.User.filter(Q(name__icontains=term) | Q(email__icontains=term.lower()))
    return list(await query.order_by("name", "id").limit(limit))
