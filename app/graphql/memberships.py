"""Membership fields: the Members table."""

from __future__ import annotations

import strawberry

from app.graphql.context import Info
from app.graphql.pagination import Connection
from app.graphql.types import Member
from app.services import memberships


@strawberry.type
class Query:
    @strawberry.field(description="A domain's members, newest first.")
    async def members(
        self,
        info: Info,
        domain_id: strawberry.ID,
        first: int | None = memberships.MEMBERS_PAGE,
        after: str | None = None,
    ) -> Connection[Member]:
        page = await memberships.of_domain(
            info.context.session, domain_id=domain_id, first=first, after=after
        )
        return Connection.from_page(page, Member.from_row)
