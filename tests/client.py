"""Clients of the app inside the test's process: documents through the real schema as a
given session, and HTTP to `create_app(settings)` over an ASGI transport."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from httpx_ws.transport import ASGIWebSocketTransport

from app.auth import Authenticator, Session
from app.clock import SystemClock
from app.graphql.context import Context
from app.graphql.schema import schema
from app.main import create_app
from app.ratelimit import RateLimits
from app.runtime import Runtime
from app.settings import Settings

DEVELOPMENT = Settings(password_hash_profile="cheapest")
PRODUCTION = Settings(
    app_env="production",
    secret_key="production-test-secret-of-at-least-32-characters",
    # Only to keep the suite fast: Settings.validate() refuses this in production.
    password_hash_profile="cheapest",
    rate_limits=RateLimits.off(),
)


@dataclass
class Result:
    data: dict[str, Any] | None
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def codes(self) -> list[str | None]:
        return [e["code"] for e in self.errors]

    def ok(self) -> dict[str, Any]:
        """The data, asserting there were no top-level errors."""
        assert not self.errors, self.errors
        assert self.data is not None
        return self.data


class GraphQLClient:
    """Runs documents through the real schema as a given session."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def context(self, session: Session | None) -> Context:
        return Context(
            request=None, response=None, runtime=self.runtime, request_id="test", session=session
        )

    async def execute(
        self, document: str, variables: dict[str, Any] | None = None, *, as_: Session | None = None
    ) -> Result:
        result = await schema.execute(
            document, variable_values=variables, context_value=self.context(as_)
        )
        errors = [
            {
                "message": e.message,
                "code": (e.extensions or {}).get("code"),
                "extensions": e.extensions,
            }
            for e in result.errors or []
        ]
        return Result(data=result.data, errors=errors)


@asynccontextmanager
async def asgi_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for create_app(settings), in this loop, on the test database."""
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@asynccontextmanager
async def asgi_socket_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """Like asgi_client, WebSockets too; to be opened in the test's own task (not in a
    fixture), as the transport needs."""
    transport = ASGIWebSocketTransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def production_auth() -> Authenticator:
    """Issues tokens the PRODUCTION app accepts (same secret key)."""
    return Authenticator(
        secret_key=PRODUCTION.secret_key,
        token_ttl=timedelta(seconds=PRODUCTION.token_ttl_seconds),
        cheap_hashing=True,
        clock=SystemClock(),
    )
