"""Output types, each built from a model by a one-line `from_model`."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from app import models
from app.graphql.context import Info
from app.graphql.enums import Action, InvitationEventKind, InvitationStatus


@strawberry.type
class User:
    id: strawberry.ID
    email: str
    name: str

    @classmethod
    def from_model(cls, m: models.User) -> User:
        return cls(id=strawberry.ID(str(m.id)), email=m.email, name=m.name)


@strawberry.type
class Role:
    id: strawberry.ID
    name: str
    actions: list[Action]
    built_in: bool

    @classmethod
    def from_model(cls, m: models.Role) -> Role:
        return cls(
            id=strawberry.ID(str(m.id)),
            name=m.name,
            actions=[Action(a) for a in m.actions],
            built_in=m.built_in,
        )


@strawberry.type
class Domain:
    id: strawberry.ID
    name: str
    created_at: datetime

    @strawberry.field(description="The caller's role here; null when not a member.")
    async def my_role(self, info: Info) -> Role | None:
        role = await info.context.loaders.my_role.load(UUID(self.id))
        return Role.from_model(role) if role else None

    @strawberry.field(description="The domain's roles; empty without DOMAIN_READ.")
    async def roles(self, info: Info) -> list[Role]:
        return [Role.from_model(r) for r in await info.context.loaders.roles.load(UUID(self.id))]

    @classmethod
    def from_model(cls, m: models.Domain) -> Domain:
        return cls(id=strawberry.ID(str(m.id)), name=m.name, created_at=m.created_at)


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
    def from_model(cls, m: models.Membership) -> Member:
        inviter = m.invitation.invited_by if m.invitation else None
        return cls(
            user=User.from_model(m.user),
            role=Role.from_model(m.role),
            joined_at=m.joined_at,
            invited_by=User.from_model(inviter) if inviter else None,
        )


@strawberry.type
class Invitation:
    id: strawberry.ID
    domain: Domain
    invitee: User
    invited_by: User
    role: Role
    status: InvitationStatus
    created_at: datetime
    updated_at: datetime
    confirmed_at: datetime | None
    rejected_at: datetime | None
    resent_at: datetime | None
    resend_count: int

    @strawberry.field(description="Every transition, oldest first; survives resend and delete.")
    async def history(self, info: Info) -> list[InvitationEvent]:
        events = await info.context.loaders.history.load(UUID(self.id))
        return [InvitationEvent.from_model(e) for e in events]

    @classmethod
    def from_model(cls, m: models.Invitation) -> Invitation:
        return cls(
            id=strawberry.ID(str(m.id)),
            domain=Domain.from_model(m.domain),
            invitee=User.from_model(m.invitee),
            invited_by=User.from_model(m.invited_by),
            role=Role.from_model(m.role),
            status=m.status,
            created_at=m.created_at,
            updated_at=m.updated_at,
            confirmed_at=m.confirmed_at,
            rejected_at=m.rejected_at,
            resent_at=m.resent_at,
            resend_count=m.resend_count,
        )


@strawberry.type
class InvitationEvent:
    kind: InvitationEventKind
    at: datetime
    actor: User | None
    invitation_id: strawberry.ID
    domain: Domain
    invitee: User
    role: Role

    @strawberry.field(description="The invitation as it is now; null once deleted.")
    async def invitation(self, info: Info) -> Invitation | None:
        row = await info.context.loaders.invitation.load(UUID(self.invitation_id))
        return Invitation.from_model(row) if row else None

    @classmethod
    def from_model(cls, m: models.InvitationEvent) -> InvitationEvent:
        return cls(
            kind=m.kind,
            at=m.at,
            actor=User.from_model(m.actor) if m.actor else None,
            invitation_id=strawberry.ID(str(m.invitation_id)),
            domain=Domain.from_model(m.domain),
            invitee=User.from_model(m.invitee),
            role=Role.from_model(m.role),
        )


@strawberry.type
class DeletedInvitation:
    id: strawberry.ID
