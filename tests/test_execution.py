"""The plain-fields executor, and the completions it compiles, answer exactly as the
standard executor does: the same data, the same errors at the same paths."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from app.graphql.execution import PlainFieldsExecution
from app.graphql.schema import AppSchema, schema
from tests.client import GraphQLClient
from tests.documents import AUDIT, DOMAINS, INVITATION, INVITATIONS, MEMBERS, PENDING
from tests.factories import create_user
from tests.world import World

# Directives, fragments, aliases and __typename inside plain selections.
SHAPES = """query Shapes($domainId: ID!, $yes: Boolean!) {
  invitations(domainId: $domainId) {
    nodes {
      __typename
      key: id
      ...Parts
      shown: domain @include(if: $yes) { name }
      hidden: role @skip(if: $yes) { name }
      invitee { ... on User { name } ...@include(if: $yes) { email } }
    }
    edges { node { id invitedBy { n1: name n2: name __typename } } }
  }
}
fragment Parts on Invitation { status domain { id ... on Domain { name } } }"""
UNKNOWN_DOMAIN = '{ invitations(domainId: "01a2009b-fa0d-7af3-b8c3-0615296556bf") { totalCount } }'


def standard(app_schema: AppSchema) -> AppSchema:
    """The same schema, executed by graphql-core's own machinery for every field."""
    twin = copy.copy(app_schema)
    twin.execution_context_class = StrawberryGraphQLCoreExecutionContext
    return twin


async def answers(
    gql: GraphQLClient, with_schema: AppSchema, world: World, doc: str, **more: Any
) -> Any:
    variables = {"domainId": str(world.domain.id), "id": "not-an-id", "first": 50, **more}
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


@pytest.mark.parametrize("yes", [True, False])
async def test_selections_with_directives_and_fragments_answer_like_the_standard_one(
    gql: GraphQLClient, world: World, yes: bool
) -> None:
    people = [await create_user(gql.runtime.auth) for _ in range(2)]
    await world.send(people)

    fast = await answers(gql, schema, world, SHAPES, yes=yes)
    slow = await answers(gql, standard(schema), world, SHAPES, yes=yes)

    assert fast == slow
    nodes = fast[0]["invitations"]["nodes"]
    assert len(nodes) == 2 and ("shown" in nodes[0]) is yes and ("hidden" in nodes[0]) is not yes


async def test_plain_selections_are_compiled_once_and_kept(
    gql: GraphQLClient, world: World
) -> None:
    await world.send([await create_user(gql.runtime.auth)])
    completions = schema.execution_context_class.completions  # type: ignore[union-attr]
    completions.clear()

    await answers(gql, schema, world, PENDING)
    await answers(gql, schema, world, INVITATIONS)
    compiled = dict(completions)
    await answers(gql, schema, world, PENDING)

    assert any(complete is not None for _, complete in compiled.values())
    assert completions == compiled  # the second request reused what the first compiled


# A schema of its own for values the services never give: nulls where none are allowed,
# scalars that do not serialize, lists that are not lists.
@strawberry.type
class Item:
    name: str
    size: int | None
    tags: list[str]


@strawberry.type
class Box:
    items: list[Item]
    first: Item | None


@strawberry.type
class ToyQuery:
    @strawberry.field
    def box(self, kind: str) -> Box:
        good = Item(name="a", size=1, tags=["x"])
        bad: dict[str, Item] = {
            "null name": Item(name=None, size=1, tags=[]),  # type: ignore[arg-type]
            "bad size": Item(name="b", size="many", tags=[]),  # type: ignore[arg-type]
            "null tag": Item(name="c", size=None, tags=["y", None]),  # type: ignore[list-item]
            "tags not a list": Item(name="d", size=2, tags="zz"),  # type: ignore[arg-type]
        }
        return Box(items=[good, bad.get(kind, good), good], first=bad.get(kind))


TOY = "query($kind: String!) { box(kind: $kind) { items { name size tags } first { name } } }"


@pytest.mark.parametrize("kind", ["good", "null name", "bad size", "null tag", "tags not a list"])
async def test_values_the_compiled_completion_cannot_answer_get_the_standard_errors(
    kind: str,
) -> None:
    toy = AppSchema(query=ToyQuery)

    fast = await toy.execute(TOY, variable_values={"kind": kind})
    slow = await standard(toy).execute(TOY, variable_values={"kind": kind})

    assert (fast.data, fast.errors) == (slow.data, slow.errors)
    assert (fast.errors is None) is (kind == "good")
