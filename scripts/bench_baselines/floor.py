"""The floor: `pendingInvitations(first: 5)` without GraphQL, for scripts/bench.

A bare Starlette POST endpoint doing the same work as the server for that one
query: the same token check (keyed hash, unrevoked, unexpired), the joined page
query and the count, in raw SQL through Tortoise's connection (the same driver),
answering the same JSON. Not part of the product.

Run: DATABASE_URL=... SECRET_KEY=... PORT=... python scripts/bench_baselines/floor.py
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import orjson
from common import DATABASE_URL, baseline_app, serve  # puts the project on sys.path
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.connection import get_connection

from app.auth import Authenticator
from app.services.pagination import encode_cursor

PAGE = 5

SESSION_SQL = (
    'SELECT u.id FROM auth_token t JOIN "user" u ON u.id = t.user_id '
    "WHERE t.token_hash = {0} AND t.revoked_at IS NULL AND t.expires_at > {1} LIMIT 1"
)
PAGE_SQL = (
    "SELECT i.id, i.created_at, d.name AS domain_name, r.name AS role_name, "
    "b.name AS inviter_name FROM invitation i "
    "JOIN domain d ON d.id = i.domain_id JOIN role r ON r.id = i.role_id "
    'JOIN "user" b ON b.id = i.invited_by_id '
    "WHERE i.invitee_id = {0} AND i.status = 'PENDING' "
    "ORDER BY i.created_at DESC, i.id DESC LIMIT {1}"
)
COUNT_SQL = "SELECT COUNT(*) AS n FROM invitation WHERE invitee_id = {0} AND status = 'PENDING'"


def _sql(template: str) -> str:
    marks = ("$1", "$2") if DATABASE_URL.startswith(("postgres", "asyncpg")) else ("?", "?")
    return template.format(*marks)


SESSION, PAGE_QUERY, COUNT = _sql(SESSION_SQL), _sql(PAGE_SQL), _sql(COUNT_SQL)
UNAUTHENTICATED = orjson.dumps(
    {
        "data": None,
        "errors": [
            {
                "message": "Sign in first",
                "path": ["pendingInvitations"],
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ],
    }
)

auth = Authenticator(
    secret_key=os.environ["SECRET_KEY"], token_ttl=timedelta(days=1), cheap_hashing=True
)


def _utc(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


async def pending(request: Request) -> Response:
    orjson.loads(await request.body())  # a real endpoint reads its body
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    db = get_connection("default")
    session = None
    if scheme.lower() == "bearer" and token.strip():
        token_hash = auth.hash_token(token.strip())
        session = await db.execute_query_dict(SESSION, [token_hash, datetime.now(UTC)])
    if not session:
        return Response(UNAUTHENTICATED, media_type="application/json")
    user_id = session[0]["id"]
    rows = await db.execute_query_dict(PAGE_QUERY, [user_id, PAGE + 1])
    (count,) = await db.execute_query_dict(COUNT, [user_id])
    edges = []
    for row in rows[:PAGE]:
        created_at = _utc(row["created_at"])
        edges.append(
            {
                "cursor": encode_cursor(created_at, UUID(str(row["id"]))),
                "node": {
                    "id": str(row["id"]),
                    "domain": {"name": row["domain_name"]},
                    "role": {"name": row["role_name"]},
                    "invitedBy": {"name": row["inviter_name"]},
                    "createdAt": created_at.isoformat(),
                },
            }
        )
    body = {
        "data": {
            "pendingInvitations": {
                "totalCount": count["n"],
                "edges": edges,
                "pageInfo": {
                    "hasNextPage": len(rows) > PAGE,
                    "endCursor": edges[-1]["cursor"] if edges else None,
                },
            }
        }
    }
    return Response(orjson.dumps(body), media_type="application/json")


app = baseline_app(Route("/graphql", pending, methods=["POST"]))

if __name__ == "__main__":
    serve(app)
