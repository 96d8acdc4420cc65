"""Async factories that write through the project's own code."""

from __future__ import annotations

import itertools

from app import models, rows
from app.auth import Authenticator, Session
from app.brokers.memory import InMemoryBroker
from app.events import EventBus
from app.mail.transports import LogTransport
from app.permissions import Action
from app.ratelimit import RateLimiter
from app.relay import Relay
from app.runtime import Runtime
from app.services import domains
from app.services.mailer import Mailer
from app.settings import Settings

_counter = itertools.count(1)
PASSWORD = "password123"  # every test account's, unless a test picks another


def runtime_for(auth: Authenticator) -> Runtime:
    """A runtime around `auth`: real time, in-process events, no rate limits."""
    bus = EventBus(InMemoryBroker())
    settings = Settings()
    return Runtime(
        settings=settings,
        clock=auth.clock,
        auth=auth,
        bus=bus,
        relay=Relay(bus),
        limiter=RateLimiter.disabled(),
        mailer=Mailer(settings, auth.clock, LogTransport()),
    )


async def create_user(
    auth: Authenticator,
    *,
    name: str | None = None,
    email: str | None = None,
    password: str = PASSWORD,
) -> Session:
    """A user with a live token, as signIn would give."""
    n = next(_counter)
    user = await models.User.create(
        email=email or f"user{n}@example.com",
        name=name or f"User {n}",
        password_hash=await auth.hash_password(password),
    )
    session = await auth.authenticate(f"Bearer {await auth.issue_token(user.id)}")
    assert session is not None
    return session


async def create_domain(owner: Session, runtime: Runtime, *, name: str = "Acme") -> rows.Domain:
    return await domains.create_domain(owner, name=name, runtime=runtime)


async def role_named(domain: rows.Domain, name: str) -> models.Role:
    return await models.Role.get(domain_id=domain.id, name=name)


async def create_role(domain: rows.Domain, name: str, actions: set[Action]) -> models.Role:
    return await models.Role.create(domain_id=domain.id, name=name, actions=sorted(actions))


async def add_member(
    domain: rows.Domain, session: Session, role: str | models.Role = "member"
) -> models.Membership:
    if isinstance(role, str):
        role = await role_named(domain, role)
    return await models.Membership.create(
        domain_id=domain.id, user_id=session.user.id, role_id=role.id
    )
