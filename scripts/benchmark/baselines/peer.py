"""The peer: `pendingInvitations` served by Ariadne, for scripts/bench.

An SDL with just what the benchmarked query needs, resolvers over the same
Tortoise models and the same Authenticator token check, Ariadne's GraphQL ASGI
app in its default configuration, as its users run it. Not part of the product.

Run: DATABASE_URL=... SECRET_KEY=... PORT=... python -m scripts.benchmark.baselines.peer
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ariadne import ObjectType, QueryType, ScalarType, make_executable_schema
from ariadne.asgi import GraphQL
from graphql import GraphQLError
from starlette.routing import Route

from app import models
from scripts.benchmark.baselines.common import (
    PENDING_LIST,
    auth,
    baseline_app,
    encode_cursor,
    list_fingerprint,
    serve,
)

SDL = """
scalar DateTime

type Query {
  pendingInvitations(first: Int = 5, after: String): InvitationConnection!
}

type InvitationConnection {
  totalCount: Int!
  edges: [InvitationEdge!]!
  pageInfo: PageInfo!
}

type InvitationEdge {
  cursor: String!
  node: Invitation!
}

type PageInfo {
  hasNextPage: Boolean!
  endCursor: String
}

type Invitation {
  id: ID!
  domain: Domain!
  role: Role!
  invitedBy: User!
  createdAt: DateTime!
}

type Domain {
  name: String!
}

type Role {
  name: String!
}

type User {
  name: String!
}
"""

query = QueryType()
connection = ObjectType("InvitationConnection")
invitation = ObjectType("Invitation")
date_time = ScalarType("DateTime")


@date_time.serializer
def serialize_datetime(value: datetime) -> str:
    return value.isoformat()


@query.field("pendingInvitations")
async def resolve_pending(
    _: Any, info: Any, first: int = 5, after: str | None = None
) -> dict[str, Any]:
    session = await auth.authenticate(info.context["request"].headers.get("authorization"))
    if session is None:
        raise GraphQLError("Sign in first", extensions={"code": "UNAUTHENTICATED"})
    rows = models.Invitation.filter(
        invitee_id=session.user.id,
        status=models.InvitationStatus.PENDING,
        expires_at__gt=datetime.now(UTC),
    )
    page = (
        await rows.select_related("domain", "role", "invited_by")
        .order_by("-created_at", "-id")
        .limit(first + 1)
    )
    fingerprint = list_fingerprint(PENDING_LIST, session.user.id)
    return {
        "rows": rows,
        "items": page[:first],
        "has_next": len(page) > first,
        "list": fingerprint,
    }


@connection.field("totalCount")
async def resolve_total_count(page: dict[str, Any], _: Any) -> int:
    count: int = await page["rows"].count()
    return count


@connection.field("edges")
def resolve_edges(page: dict[str, Any], _: Any) -> list[dict[str, Any]]:
    return [
        {"cursor": encode_cursor(page["list"], i.created_at, i.id), "node": i}
        for i in page["items"]
    ]


@connection.field("pageInfo")
def resolve_page_info(page: dict[str, Any], _: Any) -> dict[str, Any]:
    items = page["items"]
    end = encode_cursor(page["list"], items[-1].created_at, items[-1].id) if items else None
    return {"has_next_page": page["has_next"], "end_cursor": end}


@invitation.field("id")
def resolve_id(row: models.Invitation, _: Any) -> str:
    return str(row.id)


schema = make_executable_schema(
    SDL, query, connection, invitation, date_time, convert_names_case=True
)


app = baseline_app(Route("/graphql", GraphQL(schema), methods=["GET", "POST"]))

if __name__ == "__main__":
    serve(app)
