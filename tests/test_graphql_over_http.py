"""GraphQL over HTTP (the current draft): media types, status codes, GET, and an error
code on every error; then graphql-http's reference audit against live servers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

from tests import node
from tests.client import DEVELOPMENT, asgi_client
from tests.documents import INVITATION, SIGN_OUT
from tests.processes import running_server

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
FIRST_AS_VARIABLE = (
    "query Pending($first: Int) { pendingInvitations(first: $first) { totalCount } }"
)
REQUIRED_ID = "query Invitation($id: ID!) { invitation(id: $id) { id } }"


@pytest.fixture
async def client(db: TortoiseContext) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(DEVELOPMENT) as client:
        yield client


async def post(
    client: httpx.AsyncClient, body: dict[str, Any], accept: str | None = None
) -> httpx.Response:
    headers = {"accept": accept} if accept else {}
    return await client.post("/graphql", json=body, headers=headers)


def codes(response: httpx.Response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json()["errors"]]


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, JSON),
        ("*/*", JSON),
        ("application/json", JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}; charset=utf-8, {JSON}; charset=utf-8", GRAPHQL_RESPONSE),
        (f"{JSON}, {GRAPHQL_RESPONSE}", JSON),
        (f"{JSON};q=0.5, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"text/html, {GRAPHQL_RESPONSE};q=0.1", GRAPHQL_RESPONSE),
    ],
)
async def test_the_answer_comes_in_the_media_type_the_client_prefers(
    client: httpx.AsyncClient, accept: str | None, media: str
) -> None:
    response = await post(client, {"query": "{ __typename }"}, accept)

    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("accept", ["text/html", "application/xml", f"{GRAPHQL_RESPONSE};q=0"])
async def test_nothing_acceptable_is_406(client: httpx.AsyncClient, accept: str) -> None:
    response = await post(client, {"query": "{ __typename }"}, accept)

    assert response.status_code == 406
    assert codes(response) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"query": "{"}, "GRAPHQL_PARSE_FAILED"),
        ({"query": "{ nothingHere }"}, "GRAPHQL_VALIDATION_FAILED"),
        ({"query": FIRST_AS_VARIABLE, "variables": {"first": "abc"}}, "BAD_USER_INPUT"),
        ({"query": REQUIRED_ID}, "BAD_USER_INPUT"),
    ],
)
async def test_a_request_error_has_no_data_and_its_status_depends_on_the_media_type(
    client: httpx.AsyncClient, body: dict[str, Any], code: str
) -> None:
    legacy = await post(client, body)
    modern = await post(client, body, GRAPHQL_RESPONSE)

    assert (legacy.status_code, modern.status_code) == (200, 400)
    for response in (legacy, modern):
        assert "data" not in response.json()
        assert codes(response) == [code]


async def test_variable_errors_name_the_variable(client: httpx.AsyncClient) -> None:
    wrong_type = await post(client, {"query": FIRST_AS_VARIABLE, "variables": {"first": "abc"}})
    missing = await post(client, {"query": REQUIRED_ID})

    assert "$first" in wrong_type.json()["errors"][0]["message"]
    assert "$id" in missing.json()["errors"][0]["message"]


async def test_field_errors_are_an_executed_operation_under_either_media_type(
    client: httpx.AsyncClient,
) -> None:
    for accept in (JSON, GRAPHQL_RESPONSE):
        response = await post(client, {"query": "{ pendingInvitations { totalCount } }"}, accept)

        assert response.status_code == 200
        assert response.json()["data"] is None
        assert codes(response) == ["UNAUTHENTICATED"]


async def test_an_invalid_id_names_its_argument(client: httpx.AsyncClient) -> None:
    response = await post(client, {"query": INVITATION, "variables": {"id": "nope"}})

    [error] = response.json()["errors"]
    assert error["message"] == "id 'nope' is not a valid ID: use the id returned by the API"
    assert (error["path"], error["extensions"]["code"]) == (["invitation"], "BAD_USER_INPUT")


async def test_queries_run_over_get_in_development(client: httpx.AsyncClient) -> None:
    params = {"query": FIRST_AS_VARIABLE, "variables": '{"first": 1}', "operationName": ""}

    response = await client.get("/graphql", params=params, headers={"accept": GRAPHQL_RESPONSE})

    assert response.status_code == 200
    assert codes(response) == ["UNAUTHENTICATED"]  # it ran: the field needs a sign-in


async def test_a_mutation_over_get_is_405_and_runs_nothing(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": SIGN_OUT})

    assert (response.status_code, response.headers["allow"]) == (405, "POST")
    assert codes(response) == ["BAD_USER_INPUT"]


async def test_get_variables_that_are_not_json_are_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": FIRST_AS_VARIABLE, "variables": "{"})

    assert response.status_code == 400
    assert codes(response) == ["BAD_USER_INPUT"]


async def test_a_post_without_a_json_content_type_is_415(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", content=b'{"query": "{ __typename }"}')

    assert response.status_code == 415
    assert codes(response) == ["BAD_USER_INPUT"]


async def test_refusals_come_in_the_negotiated_media_type(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", content=b"{not json", headers={"content-type": JSON, "accept": GRAPHQL_RESPONSE}
    )

    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)


# --- graphql-http's audit ---------------------------------------------------------------


def audit(base: str) -> dict[str, Any]:
    report: dict[str, Any] = node.run("audit.mjs", f"{base}/graphql")
    return report


def test_graphql_http_audit_passes_every_check(tmp_path: Path) -> None:
    node.require_node()
    with running_server({"DATABASE_URL": f"sqlite://{tmp_path}/app.sqlite3"}) as base:
        report = audit(base)

    assert report["failures"] == []
    assert set(report["counts"]) == {"ok"}


def test_graphql_http_audit_in_production_differs_only_where_production_refuses(
    tmp_path: Path,
) -> None:
    node.require_node()
    production = {
        "DATABASE_URL": f"sqlite://{tmp_path}/app.sqlite3",
        "APP_ENV": "production",
        "SECRET_KEY": "s" * 48,
        "PASSWORD_HASH_PROFILE": "default",
    }
    with running_server(production) as base:
        report = audit(base)

    assert {f["id"]: f["status"] for f in report["failures"]} == {
        # No queries over GET in production (each a MAY).
        "5A70": "notice",
        "D6D5": "notice",
        "6A70": "notice",
        # These two send their variables to an introspection field (__type), which
        # production refuses as a validation error.
        "2EA1": "warn",
        "28B9": "error",
    }
