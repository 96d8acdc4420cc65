"""The people finder: users, and inviteCandidates for the Send Invitation dialog."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.graphql.arguments import DomainId
from app.graphql.context import Info
from app.graphql.types import User
from app.services import people
from app.services.pagination import MAX_PAGE_SIZE
from app.services.people import Candidate

Search = Annotated[
    str,
    strawberry.argument(
        description="2..100 characters, found anywhere in a name or e-mail, case-insensitively."
    ),
]
HowMany = Annotated[int | None, strawberry.argument(description=f"How many, 0..{MAX_PAGE_SIZE}.")]


@strawberry.type(description="Someone the caller might invite to a domain.")
class InviteCandidate:
    user: User = strawberry.field(description="The person.")
    is_member: bool = strawberry.field(description="Already a member of the domain.")
    pending_invitation_id: strawberry.ID | None = strawberry.field(
        description="Their PENDING (unexpired) invitation to the domain, if they have one."
    )

    @classmethod
    def from_row(cls, row: Candidate) -> InviteCandidate:
        pending = row.pending_invitation_id
        return cls(
            user=User.from_row(row.user),
            is_member=row.is_member,
            pending_invitation_id=strawberry.ID(str(pending)) if pending else None,
        )


@strawberry.type(description="The first people matching a search, and how many match in all.")
class InviteCandidates:
    nodes: list[InviteCandidate] = strawberry.field(
        description="The first `first` matches, by name."
    )
    total_count: int = strawberry.field(
        description="Everyone matching the search: more than `nodes` means refine it."
    )


@strawberry.type
class Query:
    @strawberry.field(
        description="People whose name or email contains `search` (2 to 100 characters); "
        "`first` 0..100. Signed-in callers."
    )
    async def users(
        self, info: Info, search: Search, first: HowMany = people.USERS_PAGE
    ) -> list[User]:
        found = await people.find_users(info.context.session, search=search, first=first)
        return [User.from_row(u) for u in found]

    @strawberry.field(
        description="People to invite to a domain, matched like `users`, each marked when "
        "already a member or invited there; needs INVITATION_SEND in the domain."
    )
    async def invite_candidates(
        self,
        info: Info,
        domain_id: DomainId,
        search: Search,
        first: HowMany = people.USERS_PAGE,
    ) -> InviteCandidates:
        found = await people.find_candidates(
            info.context.session,
            domain_id=domain_id,
            search=search,
            first=first,
            runtime=info.context.runtime,
        )
        return InviteCandidates(
            nodes=[InviteCandidate.from_row(c) for c in found.items],
            total_count=found.total_count,
        )
