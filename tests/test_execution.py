"""The plain-fields executor answers exactly as the standard one does."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from app.graphql.execution import PlainFieldsExecution
from app.graphql.schema import AppSchema, schema
from tests.client import GraphQLClient
from tests.documents import AUDIT, DOMAINS, INVITATION, INVITATIONS, MEMBERS, PENDING
from tests.factories import create_user
from tests.world import World

UNKNOWN_DOMAIN = '{ invitations(domainId: "01a2009b-fa0d-7af3-b8c3-0615296556bf") { totalCount } }'


def standard(app_schema: AppSchema) -> AppSchema:
    """The same schema, executed by graphql-core's own machinery for every field."""
    twin = copy.copy(app_schema)
    twin.execution_context_class = StrawberryGraphQLCoreExecutionContext
    return twin


async def answers(gql: GraphQLClient, with_schema: AppSchema, world: World, doc: str) -> Any:
    variables = {"domainId": str(world.domain.id), "id": "not-an-id", "first": 50}
    result = await with_schema.execute(
        doc, variable_values=variables, context_value=gql.context(world.admin)
    )
    return result.data, [(e.message, e.path, e.extensions) for e in result.errors or []]


def test_the_schema_uses_the_plain_fields_executor() -> None:
    executor = schema.execution_context_class
    assert issubclass(executor, PlainFieldsExecution)
    assert getattr(executor, "plain", None)  # some fields are plain


@pytest.mark.parametrize(
    "document", [PENDING, INVITATIONS, MEMBERS, AUDIT, INVITATION, DOMAINS, UNKNOWN_DOMAIN]
)
async def test_plain_fields_executor_answers_like_the_standard_one(
    gql: GraphQLClient, world: World, document: str
) -> None:
    people = [await create_user(gql.runtime.auth) for _ in range(3)]
    ids = [r["id"] for r in (await world.send(people))["results"]]
    await world.respond(ids[0], "DECLINE", as_=people[0])
    await world.respond(ids[1], "ACCEPT", as_=people[1])
    await world.mutate(
        "mutation D($id: ID!) { deleteInvitation(invitationId: $id) { __typename } }", id=ids[2]
    )

    fast = await answers(gql, schema, world, document)
    slow = await answers(gql, standard(schema), world, document)

    assert fast == slow
    assert fast[0] is not None or fast[1]  # something was answered
