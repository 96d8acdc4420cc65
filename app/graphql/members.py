"""Member management fields: changeMemberRole, removeMember, leaveDomain, memberHistory."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry

from app import errors, ids
from app.graphql.context import Info
from app.graphql.errors import result_union
from app.graphql.pagination import Connection
from app.graphql.types import Member, MemberEvent, RemovedMember
from app.services import members

DomainId = Annotated[strawberry.ID, strawberry.argument(description="The domain.")]
UserId = Annotated[strawberry.ID, strawberry.argument(description="The member's user id.")]


def _removed(domain_id: UUID, user_id: UUID) -> RemovedMember:
    return RemovedMember(
        domain_id=strawberry.ID(ids.text(domain_id)), user_id=strawberry.ID(ids.text(user_id))
    )


@strawberry.type
class Query:
    @strawberry.field(
        description="Every membership change of a domain (joined, role changed, removed, "
        "left), newest first; needs MEMBER_READ."
    )
    async def member_history(
        self,
        info: Info,
        domain_id: DomainId,
        first: Annotated[
            int | None, strawberry.argument(description="Page size, 0 to 100.")
        ] = members.HISTORY_PAGE,
        after: Annotated[
            str | None, strawberry.argument(description="The endCursor of the page before.")
        ] = None,
    ) -> Connection[MemberEvent]:
        page = await members.history(
            info.context.session, domain_id=domain_id, first=first, after=after
        )
        return Connection.from_page(page, MemberEvent.from_row)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Give a member another of the domain's roles; needs MEMBER_MANAGE, and "
        "both the member's role and the new one must allow nothing beyond the caller's. "
        "The domain keeps at least one member whose role holds every action (LAST_ADMIN).",
        graphql_type=result_union(
            "ChangeMemberRoleResult",
            Member,
            errors.NotFoundError,
            errors.RoleNotFoundError,
            errors.RoleNotAllowedError,
            errors.LastAdminError,
        ),
    )
    async def change_member_role(
        self,
        info: Info,
        domain_id: DomainId,
        user_id: UserId,
        role_id: Annotated[
            strawberry.ID, strawberry.argument(description="One of the domain's roles.")
        ],
    ) -> Member:
        member = await members.change_role(
            info.context.session,
            domain_id=domain_id,
            user_id=user_id,
            role_id=role_id,
            runtime=info.context.runtime,
        )
        return Member.from_row(member)

    @strawberry.mutation(
        description="Take a member out of a domain: they lose access at once, their open "
        "subscriptions to it end, and they can be invited again. Needs MEMBER_MANAGE and a "
        "role that covers the member's; removing yourself is leaving (LAST_ADMIN applies).",
        graphql_type=result_union(
            "RemoveMemberResult",
            RemovedMember,
            errors.NotFoundError,
            errors.RoleNotAllowedError,
            errors.LastAdminError,
        ),
    )
    async def remove_member(
        self, info: Info, domain_id: DomainId, user_id: UserId
    ) -> RemovedMember:
        removed = await members.remove(
            info.context.session,
            domain_id=domain_id,
            user_id=user_id,
            runtime=info.context.runtime,
        )
        return _removed(*removed)

    @strawberry.mutation(
        description="Leave a domain you are a member of (LAST_ADMIN when you are its last "
        "member whose role holds every action).",
        graphql_type=result_union("LeaveDomainResult", RemovedMember, errors.LastAdminError),
    )
    async def leave_domain(self, info: Info, domain_id: DomainId) -> RemovedMember:
        left = await members.leave(
            info.context.session, domain_id=domain_id, runtime=info.context.runtime
        )
        return _removed(*left)
