"""The people finder: users, and inviteCandidates for the Send Invitation dialog."""

from __future__ import annotations

import strawberry

from app.graphql.context import Info
from app.graphql.types import User
from app.services import people
from app.services.people import Candidate


@strawberry.type(description="Someone the caller might invite to a domain.")
class InviteCandidate:
    user: User
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
    nodes: list[InviteCandidate]
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
        self, info: Info, search: str, first: int | None = people.USERS_PAGE
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
        domain_id: strawberry.ID,
        search: str,
        first: int | None = people.USERS_PAGE,
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
