"""Domain fields: domains, domain, createDomain, updateDomain, createRole."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app import errors
from app.graphql.arguments import DomainId, OwnId
from app.graphql.context import Info
from app.graphql.enums import Action
from app.graphql.errors import result_union
from app.graphql.types import Domain, Role
from app.services import domains
from app.services.domains import DomainChanges

Name = Annotated[str, strawberry.argument(description="1..100 characters, trimmed.")]


@strawberry.type
class Query:
    @strawberry.field(
        description="The caller's domains, most recently joined first (the Domains page). "
        "Signed in."
    )
    async def domains(self, info: Info) -> list[Domain]:
        return [Domain.from_row(d) for d in await domains.list_domains(info.context.session)]

    @strawberry.field(
        description="One domain; null when it is not visible to the caller. Members with "
        "DOMAIN_READ."
    )
    async def domain(self, info: Info, id: OwnId) -> Domain | None:
        found = await domains.get_domain(info.context.session, domain_id=id)
        return Domain.from_row(found) if found else None


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Create a domain with its built-in roles; the caller becomes its admin. "
        "Signed in.",
        graphql_type=result_union("CreateDomainResult", Domain, errors.InvalidInputError),
    )
    async def create_domain(self, info: Info, name: Name) -> Domain:
        domain = await domains.create_domain(
            info.context.session, name=name, runtime=info.context.runtime
        )
        return Domain.from_row(domain)

    @strawberry.mutation(
        description=(
            "Rename a domain or set the lifetime of the invitations it sends from now on; "
            "needs DOMAIN_UPDATE. Arguments left out stay as they are."
        ),
        graphql_type=result_union("UpdateDomainResult", Domain, errors.InvalidInputError),
    )
    async def update_domain(
        self,
        info: Info,
        domain_id: DomainId,
        name: Annotated[
            str | None,
            strawberry.argument(
                description="The new name, 1 to 100 characters once trimmed; null or left "
                "out: unchanged."
            ),
        ] = strawberry.UNSET,
        invitation_ttl_seconds: Annotated[
            int | None,
            strawberry.argument(
                description="How long invitations sent or resent from now on stay open: "
                "3600 (an hour) to 7776000 (90 days) seconds. Null: the server's default "
                "(INVITATION_TTL_SECONDS); left out: unchanged. Sent invitations keep their "
                "deadline."
            ),
        ] = strawberry.UNSET,
    ) -> Domain:
        changes: DomainChanges = {}
        if name is not None and name is not strawberry.UNSET:
            changes["name"] = name
        if invitation_ttl_seconds is not strawberry.UNSET:
            changes["invitation_ttl_seconds"] = invitation_ttl_seconds
        domain = await domains.update_domain(
            info.context.session, domain_id=domain_id, changes=changes
        )
        return Domain.from_row(domain)

    @strawberry.mutation(
        description="Add a custom role granting some actions. Needs ROLE_MANAGE.",
        graphql_type=result_union(
            "CreateRoleResult", Role, errors.RoleNameTakenError, errors.InvalidInputError
        ),
    )
    async def create_role(
        self,
        info: Info,
        domain_id: DomainId,
        name: Annotated[
            str, strawberry.argument(description="1..100 characters, unique in the domain.")
        ],
        actions: Annotated[
            list[Action], strawberry.argument(description="What the role allows (any subset).")
        ],
    ) -> Role:
        role = await domains.create_role(
            info.context.session,
            domain_id=domain_id,
            name=name,
            actions=[a.value for a in actions],
            runtime=info.context.runtime,
        )
        return Role.from_row(role)
