"""What both baselines share: the database, the token hash, the API's cursor and time
formats, a health check, the app shell and its launcher.

They depend on the app only for its models, its token hash and its database config,
so that they keep answering while the app's services change. The cursor format is
the API's (opaque to clients), restated here with each list's identity as
`app.services.pagination.Keyset.fingerprint` makes it; the same-answer check catches
a drift.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.connection import get_connection
from tortoise.contrib.starlette import RegisterTortoise

from app.auth import Authenticator
from app.clock import SystemClock
from app.db import tortoise_config

DATABASE_URL = os.environ["DATABASE_URL"]
POSTGRES = DATABASE_URL.startswith(("postgres", "asyncpg"))
auth = Authenticator(
    secret_key=os.environ["SECRET_KEY"],
    token_ttl=timedelta(days=1),
    cheap_hashing=True,
    clock=SystemClock(),
)


# Each list's table, order and filter, as its Keyset and service state them.
PENDING_LIST = (
    "invitation i",
    "i.created_at",
    "i.id",
    "i.invitee_id = ?",
    "i.status = 'PENDING'",
    "NOT (i.expires_at <= ?)",
)
INVITATIONS_LIST = ("invitation i", "i.created_at", "i.id", "i.domain_id = ?")
MEMBERS_LIST = ("membership m", "m.joined_at", "m.id", "m.domain_id = ?")


def list_fingerprint(identity: tuple[str, ...], *values: Any) -> str:
    """What a list's cursors carry: its identity and its filter's values."""
    parts = [*identity, *(str(value) for value in values)]
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=6).hexdigest()


def encode_cursor(fingerprint: str, at: datetime, row_id: UUID) -> str:
    return base64.urlsafe_b64encode(f"{fingerprint}|{at.isoformat()}|{row_id}".encode()).decode()


def utc(value: Any) -> datetime:
    """A timestamp column as an aware UTC datetime (SQLite answers text)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


async def healthz(request: Request) -> Response:
    await get_connection("default").execute_query("SELECT 1")
    return Response(b'{"status":"ok"}', media_type="application/json")


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    async with RegisterTortoise(app, config=tortoise_config(DATABASE_URL)):
        yield


def baseline_app(graphql: Route) -> Starlette:
    """A Starlette app serving `graphql` and /healthz on the benchmark's database."""
    return Starlette(routes=[graphql, Route("/healthz", healthz)], lifespan=lifespan)


def serve(app: Starlette) -> None:
    """Serve like ours: one process, uvloop and httptools, on $PORT."""
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(os.environ["PORT"]),
        log_level="warning",
        loop="uvloop",
        http="httptools",
    )
