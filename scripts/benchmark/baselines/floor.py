"""The floor: the bench's read documents answered without GraphQL.

A bare Starlette POST endpoint that recognises the three read documents of
scripts/benchmark/documents.py by their text and does the same work as the server
for each: the same token check (keyed hash, unrevoked, unexpired), the same
permission check (the caller's role in the domain grants the action), the joined
page query and the count, in SQL through Tortoise's connection (the same driver),
answering byte-for-byte the same JSON. Not part of the product.

Run: DATABASE_URL=... SECRET_KEY=... PORT=... python -m scripts.benchmark.baselines.floor
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.connection import get_connection

from scripts.benchmark import documents
from scripts.benchmark.baselines.common import (
    INVITATIONS_LIST,
    MEMBERS_LIST,
    PENDING_LIST,
    POSTGRES,
    auth,
    baseline_app,
    encode_cursor,
    list_fingerprint,
    serve,
    utc,
)

Row = dict[str, Any]
USER = "{0}.id AS {0}_id, {0}.name AS {0}_name, {0}.email AS {0}_email"


def _sql(template: str) -> str:
    """`template` with its {0}, {1}, ... as the dialect's bound parameters."""
    marks = [f"${i + 1}" if POSTGRES else "?" for i in range(template.count("{"))]
    return template.format(*marks)


SESSION = _sql(
    'SELECT u.id FROM auth_token t JOIN "user" u ON u.id = t.user_id '
    "WHERE t.token_hash = {0} AND t.revoked_at IS NULL AND t.expires_at > {1} LIMIT 1"
)
ROLE = _sql(
    "SELECT r.actions FROM membership m JOIN role r ON r.id = m.role_id "
    "WHERE m.domain_id = {0} AND m.user_id = {1} LIMIT 1"
)
PENDING_PAGE = _sql(
    "SELECT i.id, i.created_at, d.name AS domain_name, r.name AS role_name, "
    "b.name AS inviter_name FROM invitation i "
    "JOIN domain d ON d.id = i.domain_id JOIN role r ON r.id = i.role_id "
    'JOIN "user" b ON b.id = i.invited_by_id '
    "WHERE i.invitee_id = {0} AND i.status = 'PENDING' AND NOT (i.expires_at <= {1}) "
    "ORDER BY i.created_at DESC, i.id DESC LIMIT {2}"
)
PENDING_COUNT = _sql(
    "SELECT COUNT(*) AS n FROM invitation WHERE invitee_id = {0} AND status = 'PENDING' "
    "AND NOT (expires_at <= {1})"
)
# A PENDING invitation past its deadline reads as EXPIRED, updated at its deadline.
LAPSED = "(i.status = 'PENDING' AND i.expires_at <= {%d})"
INVITATIONS_PAGE = _sql(
    f"SELECT i.id, CASE WHEN {LAPSED % 0} THEN 'EXPIRED' ELSE i.status END AS status, "
    f"i.created_at, CASE WHEN {LAPSED % 1} THEN i.expires_at ELSE i.updated_at END "
    "AS updated_at, i.confirmed_at, i.rejected_at, "
    "i.resent_at, i.resend_count, d.id AS domain_id, d.name AS domain_name, "
    f"{USER.format('invitee')}, {USER.format('inviter')}, r.id AS role_id, r.name AS role_name "
    'FROM invitation i JOIN domain d ON d.id = i.domain_id LEFT JOIN "user" invitee '
    'ON invitee.id = i.invitee_id JOIN "user" inviter ON inviter.id = i.invited_by_id '
    "JOIN role r ON r.id = i.role_id WHERE i.domain_id = {2} "
    "ORDER BY i.created_at DESC, i.id DESC LIMIT {3}"
)
INVITATIONS_COUNT = _sql("SELECT COUNT(*) AS n FROM invitation WHERE domain_id = {0}")
MEMBERS_PAGE = _sql(
    f"SELECT m.id, m.joined_at, {USER.format('member')}, r.id AS role_id, r.name AS role_name, "
    f"{USER.format('inviter')} FROM membership m "
    'JOIN "user" member ON member.id = m.user_id JOIN role r ON r.id = m.role_id '
    "LEFT JOIN invitation i ON i.id = m.invitation_id "
    'LEFT JOIN "user" inviter ON inviter.id = i.invited_by_id '
    "WHERE m.domain_id = {0} ORDER BY m.joined_at DESC, m.id DESC LIMIT {1}"
)
MEMBERS_COUNT = _sql("SELECT COUNT(*) AS n FROM membership WHERE domain_id = {0}")


class Refused(Exception):
    """The caller may not read this: answered as a GraphQL error with `code`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


async def _query(sql: str, *values: Any) -> list[Row]:
    rows: list[Row] = await get_connection("default").execute_query_dict(sql, list(values))
    return rows


async def _session(request: Request) -> Any:
    """The caller's user id, from an unrevoked, unexpired token."""
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        rows = await _query(SESSION, auth.hash_token(token.strip()), datetime.now(UTC))
        if rows:
            return rows[0]["id"]
    raise Refused("UNAUTHENTICATED", "Sign in first: send 'Authorization: Bearer <token>'")


async def _authorize(user_id: Any, domain_id: str, action: str) -> Any:
    """The domain id as the driver binds it, provided the caller's role grants `action`."""
    domain = UUID(domain_id) if POSTGRES else str(UUID(domain_id))
    rows = await _query(ROLE, domain, user_id)
    if not rows:
        raise Refused("NOT_FOUND", f"Domain {domain_id} does not exist or you are not a member")
    actions = rows[0]["actions"]
    if action not in (orjson.loads(actions) if isinstance(actions, str | bytes) else actions):
        raise Refused("FORBIDDEN", f"Your role in this domain does not allow {action}")
    return domain


def _user(row: Row, prefix: str) -> dict[str, Any] | None:
    if row[f"{prefix}_id"] is None:
        return None
    return {
        "id": str(row[f"{prefix}_id"]),
        "name": row[f"{prefix}_name"],
        "email": row[f"{prefix}_email"],
    }


def _time(value: Any) -> str | None:
    return None if value is None else utc(value).isoformat()


def _cursor(fingerprint: str, row: Row, time_column: str) -> str:
    return encode_cursor(fingerprint, utc(row[time_column]), UUID(str(row["id"])))


def _page_info(rows: list[Row], first: int, time_column: str, fingerprint: str) -> dict[str, Any]:
    last = rows[min(first, len(rows)) - 1] if rows and first else None
    end = _cursor(fingerprint, last, time_column) if last else None
    return {"hasNextPage": len(rows) > first, "endCursor": end}


async def pending(user_id: Any, variables: dict[str, Any]) -> dict[str, Any]:
    first, now = 5, datetime.now(UTC)
    rows = await _query(PENDING_PAGE, user_id, now, first + 1)
    (count,) = await _query(PENDING_COUNT, user_id, now)
    fingerprint = list_fingerprint(PENDING_LIST, user_id)
    edges = [
        {
            "cursor": _cursor(fingerprint, row, "created_at"),
            "node": {
                "id": str(row["id"]),
                "domain": {"name": row["domain_name"]},
                "role": {"name": row["role_name"]},
                "invitedBy": {"name": row["inviter_name"]},
                "createdAt": _time(row["created_at"]),
            },
        }
        for row in rows[:first]
    ]
    info = _page_info(rows, first, "created_at", fingerprint)
    return {"totalCount": count["n"], "edges": edges, "pageInfo": info}


async def _table(
    user_id: Any,
    variables: dict[str, Any],
    action: str,
    page: str,
    count: str,
    identity: tuple[str, ...],
    *page_params: Any,
) -> tuple[list[Row], int, int, str]:
    """A domain table: its page (up to first + 1 rows; `page_params` come first), the page
    size, the count and the fingerprint of its cursors."""
    domain = await _authorize(user_id, variables["domainId"], action)
    first = int(variables["first"])
    rows = await _query(page, *page_params, domain, first + 1)
    (counted,) = await _query(count, domain)
    return rows, first, counted["n"], list_fingerprint(identity, domain)


async def invitations(user_id: Any, variables: dict[str, Any]) -> dict[str, Any]:
    rows, first, count, fingerprint = await _table(
        user_id,
        variables,
        "INVITATION_READ",
        INVITATIONS_PAGE,
        INVITATIONS_COUNT,
        INVITATIONS_LIST,
        *(datetime.now(UTC),) * 2,
    )
    nodes = [
        {
            "id": str(row["id"]),
            "status": row["status"],
            "createdAt": _time(row["created_at"]),
            "updatedAt": _time(row["updated_at"]),
            "confirmedAt": _time(row["confirmed_at"]),
            "rejectedAt": _time(row["rejected_at"]),
            "resentAt": _time(row["resent_at"]),
            "resendCount": row["resend_count"],
            "domain": {"id": str(row["domain_id"]), "name": row["domain_name"]},
            "invitee": _user(row, "invitee"),
            "invitedBy": _user(row, "inviter"),
            "role": {"id": str(row["role_id"]), "name": row["role_name"]},
        }
        for row in rows[:first]
    ]
    info = _page_info(rows, first, "created_at", fingerprint)
    return {"nodes": nodes, "pageInfo": info, "totalCount": count}


async def members(user_id: Any, variables: dict[str, Any]) -> dict[str, Any]:
    rows, first, count, fingerprint = await _table(
        user_id, variables, "MEMBER_READ", MEMBERS_PAGE, MEMBERS_COUNT, MEMBERS_LIST
    )
    nodes = [
        {
            "user": _user(row, "member"),
            "role": {"id": str(row["role_id"]), "name": row["role_name"]},
            "joinedAt": _time(row["joined_at"]),
            "invitedBy": _user(row, "inviter"),
        }
        for row in rows[:first]
    ]
    info = _page_info(rows, first, "joined_at", fingerprint)
    return {"nodes": nodes, "pageInfo": info, "totalCount": count}


Answer = Callable[[Any, dict[str, Any]], Awaitable[dict[str, Any]]]
READS: dict[str, tuple[str, Answer]] = {
    documents.PENDING: ("pendingInvitations", pending),
    documents.INVITATIONS: ("invitations", invitations),
    documents.MEMBERS: ("members", members),
}


async def graphql(request: Request) -> Response:
    body = orjson.loads(await request.body())
    if body.get("query") not in READS:
        return Response(b'{"errors":[{"message":"not a bench document"}]}', status_code=400)
    field, answer = READS[body["query"]]
    try:
        data = await answer(await _session(request), body.get("variables") or {})
    except Refused as refused:
        error = {"message": refused.message, "path": [field], "extensions": {"code": refused.code}}
        return Response(
            orjson.dumps({"data": None, "errors": [error]}), media_type="application/json"
        )
    return Response(orjson.dumps({"data": {field: data}}), media_type="application/json")


app = baseline_app(Route("/graphql", graphql, methods=["POST"]))

if __name__ == "__main__":
    serve(app)
