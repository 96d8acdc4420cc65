"""Output types, each built from a read row by a one-line `from_row`.

A type's nested objects come from the read class it converts (the SQL that fills
them sits beside that class in its service); fields needing another read go through
the per-request loaders.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from app import ids, rows
from app.graphql.context import Info
from app.graphql.enums import Action, InvitationEventKind, InvitationStatus, MemberEventKind
from app.services.invitations import reads
from app.services.members import Event as MemberEventRow
from app.services.memberships import Member as MemberRow


@strawberry.type
class User:
    id: strawberry.ID
    email: str
    name: str

    @classmethod
    def from_row(cls, row: rows.User) -> User:
        return cls(id=strawberry.ID(ids.text(row.id)), email=row.email, name=row.name)


def _optional_user(row: rows.User | None) -> User | None:
    return User.from_row(row) if row else None


@strawberry.type
class Role:
    id: strawberry.ID
    name: str
    actions: list[Action]
    built_in: bool

    @classmethod
    def from_row(cls, row: rows.Role) -> Role:
        return cls(
            id=strawberry.ID(ids.text(row.id)),
            name=row.name,
            actions=[Action(a) for a in row.actions],
            built_in=row.built_in,
        )


def _optional_role(row: rows.Role | None) -> Role | None:
    return Role.from_row(row) if row else None


@strawberry.type
class Domain:
    id: strawberry.ID
    name: str
    created_at: datetime
    invitation_ttl_seconds: int | None = strawberry.field(
        description=(
            "How long invitations sent or resent from this domain stay open, in seconds; "
            "null: the server's default (INVITATION_TTL_SECONDS). Set with updateDomain."
        )
    )

    @strawberry.field(description="The caller's role here; null when not a member.")
    async def my_role(self, info: Info) -> Role | None:
        grant = await info.context.loaders.grant.load(UUID(self.id))
        return Role.from_row(grant.role) if grant else None

    @strawberry.field(description="The domain's roles; empty without DOMAIN_READ.")
    async def roles(self, info: Info) -> list[Role]:
        return [Role.from_row(r) for r in await info.context.loaders.roles.load(UUID(self.id))]

    @classmethod
    def from_row(cls, row: rows.Domain) -> Domain:
        return cls(
            id=strawberry.ID(ids.text(row.id)),
            name=row.name,
            created_at=row.created_at,
            invitation_ttl_seconds=row.invitation_ttl_seconds,
        )


@strawberry.type
class AuthPayload:
    token: str
    user: User


@strawberry.type
class Member:
    user: User
    role: Role
    joined_at: datetime
    invited_by: User | None = strawberry.field(description="Who invited them, if anyone.")

    @classmethod
    def from_row(cls, row: MemberRow) -> Member:
        return cls(
            user=User.from_row(row.user),
            role=Role.from_row(row.role),
            joined_at=row.joined_at,
            invited_by=_optional_user(row.invited_by),
        )


@strawberry.type(description="One change of a domain's membership, kept in its member history.")
class MemberEvent:
    id: strawberry.ID = strawberry.field(
        description="Identifies the event; memberEvents(after:) resumes after it."
    )
    kind: MemberEventKind
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
            actor=_optional_user(row.actor),
            user=User.from_row(row.user),
            role=_optional_role(row.role),
            previous_role=_optional_role(row.previous_role),
        )


@strawberry.type(description="A membership that ended, by removeMember or leaveDomain.")
class RemovedMember:
    domain_id: strawberry.ID = strawberry.field(description="The domain they are no longer in.")
    user_id: strawberry.ID = strawberry.field(description="The former member.")


@strawberry.type
class Invitation:
    id: strawberry.ID
    domain: Domain
    invitee: User | None = strawberry.field(
        description="The invited user; null for an e-mail invitation nobody has claimed yet."
    )
    invited_by: User
    role: Role
    status: InvitationStatus
    created_at: datetime
    updated_at: datetime
    confirmed_at: datetime | None
    rejected_at: datetime | None
    resent_at: datetime | None
    resend_count: int
    expires_at: datetime = strawberry.field(
        description=(
            "When it expires if nobody answers: when it was sent or last resent, plus the "
            "domain's invitationTtlSeconds (or the server's default) in force then. Past "
            "it, a PENDING invitation reads as EXPIRED."
        )
    )
    message: str | None = strawberry.field(
        description="The inviter's note, plain text of at most 500 characters; null when none."
    )

    @strawberry.field(description="Every transition, oldest first; survives resend and delete.")
    async def history(self, info: Info) -> list[InvitationEvent]:
        events = await info.context.loaders.history.load(UUID(self.id))
        return [InvitationEvent.from_row(e) for e in events]

    @classmethod
    def from_row(cls, row: reads.Invitation) -> Invitation:
        return cls(
            id=strawberry.ID(ids.text(row.id)),
            domain=Domain.from_row(row.domain),
            invitee=_optional_user(row.invitee),
            invited_by=User.from_row(row.invited_by),
            role=Role.from_row(row.role),
            status=InvitationStatus(row.status),
            created_at=row.created_at,
            updated_at=row.updated_at,
            confirmed_at=row.confirmed_at,
            rejected_at=row.rejected_at,
            resent_at=row.resent_at,
            resend_count=row.resend_count,
            expires_at=row.expires_at,
            message=row.message,
        )


@strawberry.type
class InvitationEvent:
    id: strawberry.ID = strawberry.field(
        description="Identifies the event; invitationEvents(after:) resumes after it."
    )
    kind: InvitationEventKind
    at: datetime
    actor: User | None
    invitation_id: strawberry.ID
    domain: Domain
    invitee: User | None
    role: Role

    @strawberry.field(description="The invitation as it is now; null once deleted.")
    async def invitation(self, info: Info) -> Invitation | None:
        row = await info.context.loaders.invitation.load(UUID(self.invitation_id))
        return Invitation.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: reads.Event) -> InvitationEvent:
        return cls(
            id=strawberry.ID(ids.text(row.id)),
            kind=InvitationEventKind(row.kind),
            at=row.at,
            actor=_optional_user(row.actor),
            invitation_id=strawberry.ID(ids.text(row.invitation_id)),
            domain=Domain.from_row(row.domain),
            invitee=_optional_user(row.invitee),
            role=Role.from_row(row.role),
        )


@strawberry.type
class DeletedInvitation:
    id: strawberry.ID
