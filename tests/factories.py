"""Async factories that write through the project's own code."""

from __future__ import annotations

import itertools

from app import models
from app.auth import Authenticator, Session
from app.permissions import Action
from app.services import domains

_counter = itertools.count(1)


async def create_user(
    auth: Authenticator,
    *,
    name: str | None = None,
    email: str | None = None,
    password: str = "password123",
) -> Session:
    """A user with a live token, as signIn would give."""
    n = next(_counter)
    user = await models.User.create(
        email=email or f"user{n}@example.com",
        name=name or f"User {n}",
        password_hash=await auth.hash_password(password),
    )
    session = await auth.authenticate(f"Bearer {await auth.issue_token(user)}")
    assert session is not None
    return session


async def create_domain(owner: Session, *, name: str = "Acme") -> models.Domain:
    return await domains.create_domain(owner.user, name=name)


async def role_named(domain: models.Domain, name: str) -> models.Role:
    return await models.Role.get(domain_id=domain.id, name=name)


async def create_role(domain: models.Domain, name: str, actions: set[Action]) -> models.Role:
    return await models.Role.create(domain=domain, name=name, actions=sorted(actions))


async def add_member(
    domain: models.Domain, session: Session, role: str | models.Role = "member"
) -> models.Membership:
    if isinstance(role, str):
        role = await role_named(domain, role)
    return await models.Membership.create(domain=domain, user=session.user, role=role)
