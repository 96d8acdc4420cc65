"""Output types, each built from a model by a one-line `from_model`."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from app import models
from app.graphql.context import Info
from app.graphql.enums import Action


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
