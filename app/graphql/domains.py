"""Domain fields: domains, domain, createDomain, createRole."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.graphql.context import Info
from app.graphql.enums import Action
from app.graphql.errors import InvalidInput, RoleNameTaken
from app.graphql.types import Domain, Role
from app.services import domains

CreateDomainResult = Annotated[Domain | InvalidInput, strawberry.union("CreateDomainResult")]
CreateRoleResult = Annotated[
    Role | RoleNameTaken | InvalidInput, strawberry.union("CreateRoleResult")
]


@strawberry.type
class Query:
    @strawberry.field(description="The caller's domains, most recently joined first.")
    async def domains(self, info: Info) -> list[Domain]:
        return [Domain.from_model(d) for d in await domains.list_domains(info.context.user)]

    @strawberry.field(description="One domain; null when it is not visible to the caller.")
    async def domain(self, info: Info, id: strawberry.ID) -> Domain | None:
        found = await domains.get_domain(info.context.user, domain_id=id)
        return Domain.from_model(found) if found else None


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a domain; the caller becomes its admin.")
    async def create_domain(self, info: Info, name: str) -> CreateDomainResult:
        return Domain.from_model(await domains.create_domain(info.context.user, name=name))

    @strawberry.mutation(description="Add a custom role granting some actions.")
    async def create_role(
        self, info: Info, domain_id: strawberry.ID, name: str, actions: list[Action]
    ) -> CreateRoleResult:
        role = await domains.create_role(
            info.context.user, domain_id=domain_id, name=name, actions=[a.value for a in actions]
        )
        return Role.from_model(role)
