"""Membership fields: the Members table."""

from __future__ import annotations

import strawberry

from app.graphql.arguments import DomainId
from app.graphql.context import Info
from app.graphql.pagination import After, Before, Connection, First, Last
from app.graphql.types import Member
from app.services import memberships
from app.services.pagination import Paging


@strawberry.type
class Query:
    @strawberry.field(description="A domain's members, newest first. Needs MEMBER_READ.")
    async def members(
        self,
        info: Info,
        domain_id: DomainId,
        first: First = memberships.MEMBERS_PAGE,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Member]:
        page = await memberships.of_domain(
            info.context.session,
            domain_id=domain_id,
            paging=Paging(first, after, last, before),
        )
        return Connection.from_page(page, Member.from_row)
