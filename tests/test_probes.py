"""graphql-cop's probes, reproduced against the production configuration.

graphql-cop (dolevf/graphql-cop) is not installable from PyPI, so each of its
one-request checks is rebuilt here; every one must be refused.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.client import DEVELOPMENT, asgi_client
from tests.documents import SIGN_OUT

pytestmark = pytest.mark.usefixtures("db")

TYPENAME = "{ __typename }"
ALIASES_101 = "{ " + " ".join(f"a{i}: __typename" for i in range(101)) + " }"
DIRECTIVES_10 = "query { __typename " + "@aa" * 10 + " }"
DIRECTIVES_1000 = "query { __typename " + "@aa" * 1000 + " }"
INCLUDE_10 = "query { __typename " + "@include(if: true)" * 10 + " }"
FIELDS_500 = "query { " + "__typename " * 500 + "}"
INTROSPECTION = "{ __schema { types { name fields { name } } } }"
TYPE_INTROSPECTION = '{ __type(name: "Invitation") { name fields { name } } }'
TYPO = '{ domainz { id } invitatio(id: "x") { id } }'
# Invitation.history -> InvitationEvent.invitation -> Invitation ... twelve levels deep.
DEEP = '{ invitation(id: "x") { ' + "history { invitation { " * 6 + "id" + " } }" * 6 + " } }"


async def post(
    client: httpx.AsyncClient, body: dict[str, Any] | list[dict[str, Any]]
) -> httpx.Response:
    return await client.post("/graphql", json=body)


def refused(response: httpx.Response, code: str, status: int = 200) -> list[str]:
    """Assert nothing ran and every error carries `code`; return the messages."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body.get("data") is None
    assert body["errors"]
    assert {e["extensions"]["code"] for e in body["errors"]} == {code}
    return [e["message"] for e in body["errors"]]


async def test_101_aliases_are_refused(production: httpx.AsyncClient) -> None:
    messages = refused(await post(production, {"query": ALIASES_101}), "GRAPHQL_VALIDATION_FAILED")

    assert messages == ["101 aliases found. Allowed: 15"]


async def test_array_batching_is_refused(production: httpx.AsyncClient) -> None:
    response = await post(production, [{"query": TYPENAME}] * 10)

    assert refused(response, "BAD_USER_INPUT", 400) == ["Batching is not enabled"]


async def test_unknown_directives_are_refused(production: httpx.AsyncClient) -> None:
    response = await post(production, {"query": DIRECTIVES_10})

    assert set(refused(response, "GRAPHQL_VALIDATION_FAILED")) == {"Unknown directive '@aa'."}


async def test_directive_overloading_stops_at_the_token_limit_with_one_error(
    production: httpx.AsyncClient,
) -> None:
    messages = refused(await post(production, {"query": DIRECTIVES_1000}), "GRAPHQL_PARSE_FAILED")

    assert len(messages) == 1
    assert "more than 2000 tokens" in messages[0]


async def test_repeated_known_directive_is_refused(production: httpx.AsyncClient) -> None:
    response = await post(production, {"query": INCLUDE_10})

    refused(response, "GRAPHQL_VALIDATION_FAILED")


async def test_500_duplicated_fields_are_refused(production: httpx.AsyncClient) -> None:
    messages = refused(await post(production, {"query": FIELDS_500}), "GRAPHQL_VALIDATION_FAILED")

    assert messages == ["The document selects more than 200 fields"]


async def test_get_query_is_refused(production: httpx.AsyncClient) -> None:
    response = await production.get("/graphql", params={"query": TYPENAME})

    assert refused(response, "BAD_USER_INPUT", 405) == ["queries are not allowed when using GET"]
    assert response.headers["allow"] == "POST"


async def test_get_mutation_is_refused(production: httpx.AsyncClient) -> None:
    response = await production.get("/graphql", params={"query": SIGN_OUT})

    assert refused(response, "BAD_USER_INPUT", 405) == ["mutations are not allowed when using GET"]
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", "query=%7B+__typename+%7D"),
        ("text/plain", '{"query": "{ __typename }"}'),
        ("multipart/form-data; boundary=x", '--x\r\nContent-Disposition: form-data; name="query"'),
    ],
)
async def test_simple_cross_site_posts_are_refused(
    production: httpx.AsyncClient, content_type: str, body: str
) -> None:
    response = await production.post(
        "/graphql", content=body, headers={"content-type": content_type}
    )

    assert refused(response, "BAD_USER_INPUT", 415) == [
        "Unsupported content type: send the request as application/json"
    ]


@pytest.mark.parametrize("query", [INTROSPECTION, TYPE_INTROSPECTION])
async def test_introspection_is_refused(production: httpx.AsyncClient, query: str) -> None:
    messages = refused(await post(production, {"query": query}), "GRAPHQL_VALIDATION_FAILED")

    assert all("introspection has been disabled" in m for m in messages)


async def test_field_suggestions_are_not_given(production: httpx.AsyncClient) -> None:
    response = await post(production, {"query": TYPO})

    messages = refused(response, "GRAPHQL_VALIDATION_FAILED")
    assert len(messages) == 2
    assert "Did you mean" not in response.text


async def test_field_suggestions_help_in_development() -> None:
    async with asgi_client(DEVELOPMENT) as client:
        response = await post(client, {"query": TYPO})

    assert "Did you mean" in response.text


async def test_graphiql_page_is_not_served(production: httpx.AsyncClient) -> None:
    response = await production.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 404
    assert "graphiql" not in response.text.lower()


async def test_deep_nesting_is_refused(production: httpx.AsyncClient) -> None:
    messages = refused(await post(production, {"query": DEEP}), "GRAPHQL_VALIDATION_FAILED")

    assert messages == ["'anonymous' exceeds maximum operation depth of 10"]


async def test_oversized_body_is_refused_before_parsing(production: httpx.AsyncClient) -> None:
    response = await post(production, {"query": TYPENAME, "padding": "x" * 70_000})

    assert response.status_code == 413


async def test_a_plain_query_still_works(production: httpx.AsyncClient) -> None:
    response = await post(production, {"query": TYPENAME})

    assert response.json() == {"data": {"__typename": "Query"}}
