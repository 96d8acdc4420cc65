"""Member management fields: changeMemberRole, removeMember, leaveDomain, memberHistory."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import strawberry

from app import errors, ids
from app.graphql.arguments import DomainId
from app.graphql.context import Info
from app.graphql.enums import MemberEventKind
from app.graphql.errors import result_union
from app.graphql.pagination import After, Before, Connection, First, Last
from app.graphql.types import Member, Node, Role, User
from app.services import members
from app.services.members import Event as MemberEventRow
from app.services.pagination import Paging


@strawberry.type(description="One change of a domain's membership, kept in its member history.")
class MemberEvent(Node):
    kind: MemberEventKind = strawberry.field(description="What changed.")
    at: datetime = strawberry.field(description="When it happened.")
    actor: User | None = strawberry.field(
        description="Who made the change: the member themselves for JOINED and LEFT."
    )
    user: User = strawberry.field(description="The member it is about.")
    role: Role | None = strawberry.field(
        description="The role they joined with or were given; for REMOVED and LEFT, the "
        "role they had."
    )
    previous_role: Role | None = strawberry.field(
        description="ROLE_CHANGED: the role they had before; null otherwise."
    )

    @classmethod
    def from_row(cls, row: MemberEventRow) -> MemberEvent:
        return cls(
            id=strawberry.ID(ids.text(row.id)),
            kind=MemberEventKind(row.kind),
            at=row.at,
            actor=User.from_row(row.actor) if row.actor else None,
            user=User.from_row(row.user),
            role=Role.from_row(row.role) if row.role else None,
            previous_role=Role.from_row(row.previous_role) if row.previous_role else None,
        )


@strawberry.type(description="A membership that ended, by removeMember or leaveDomain.")
class RemovedMember:
    domain_id: strawberry.ID = strawberry.field(description="The domain they are no longer in.")
    user_id: strawberry.ID = strawberry.field(description="The former member.")


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
        first: First = members.HISTORY_PAGE,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[MemberEvent]:
        page = await members.history(
            info.context.session,
            domain_id=domain_id,
            paging=Paging(first, after, last, before),
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
