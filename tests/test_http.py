from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.types import Message, Scope
from tortoise.context import TortoiseContext

from app.main import create_app
from app.settings import Settings
from tests import processes
from tests.client import DEVELOPMENT, asgi_client
from tests.documents import CREATE_DOMAIN, DOMAINS, ME, SIGN_OUT, SIGN_UP
from tests.processes import graphql_data, running_server

ANN = {"email": "ann@example.com", "name": "Ann", "password": "password1"}


@pytest.fixture
async def client(db: TortoiseContext) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(DEVELOPMENT) as client:
        yield client


async def post(
    client: httpx.AsyncClient,
    query: str,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    variables: dict[str, Any] | None = None,
) -> httpx.Response:
    headers = dict(headers or {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )


async def sign_up(client: httpx.AsyncClient) -> str:
    """Sign Ann up; her token."""
    token: str = (await post(client, SIGN_UP, variables=ANN)).json()["data"]["signUp"]["token"]
    return token


async def test_graphql_over_http_sign_up_create_domain_and_list(client: httpx.AsyncClient) -> None:
    token = await sign_up(client)

    created = (await post(client, CREATE_DOMAIN, token, variables={"name": "Acme"})).json()
    listed = (await post(client, DOMAINS, token)).json()["data"]["domains"]

    assert listed == [created["data"]["createDomain"]]
    assert created["data"]["createDomain"]["myRole"]["name"] == "admin"


async def test_garbage_token_is_unauthenticated_with_a_hint(client: httpx.AsyncClient) -> None:
    response = await post(client, DOMAINS, "garbage")

    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Bearer" in error["message"]


async def test_responses_carry_a_request_id(client: httpx.AsyncClient) -> None:
    response = await post(client, ME, headers={"X-Request-ID": "abc123"})

    assert response.headers["x-request-id"] == "abc123"


async def test_json_body_that_is_not_graphql_is_a_client_error(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"hello": "world"})

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "query" in error["message"]


async def test_body_that_is_not_json_is_a_client_error(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_healthz_answers_when_the_database_does(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.usefixtures("failing_domain_list")
async def test_unexpected_errors_are_masked_with_a_request_id(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = await sign_up(client)

    response = await post(client, DOMAINS, token, headers={"X-Request-ID": "req-42"})

    error = response.json()["errors"][0]
    assert error["message"] == "Internal server error"
    assert error["extensions"] == {"code": "INTERNAL", "requestId": "req-42"}
    assert "secret" not in response.text
    assert "req-42" in caplog.text and "secret database detail" in caplog.text


def test_serve_from_a_clean_database_answers_over_real_http(server_database_url: str) -> None:
    with running_server({"DATABASE_URL": server_database_url}) as base:
        token = processes.sign_up(base, "ann@example.com", "Ann").token
        created = processes.create_domain(base, token, "Acme")
        listed = graphql_data(base, DOMAINS, token=token)

    assert listed["domains"] == [created]


async def test_graphiql_is_served_to_browsers_in_development(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 200
    assert "GraphiQL" in response.text


async def test_graphiql_is_off_in_production(db: TortoiseContext) -> None:
    settings = Settings(app_env="production", secret_key="s" * 48)
    async with asgi_client(settings) as client:
        response = await client.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 404


async def test_sign_out_in_one_process_is_effective_in_the_others_at_once(
    db: TortoiseContext,
) -> None:
    # Two apps on one PostgreSQL-configured deployment stand for two worker processes.
    settings = Settings(
        database_url="postgres://app@db/app",
        secret_key="test-secret",
        password_hash_profile="cheapest",
    )
    async with asgi_client(settings) as a, asgi_client(settings) as b:
        token = await sign_up(a)
        seen = (await post(b, ME, token)).json()["data"]["me"]

        await post(a, SIGN_OUT, token)
        after = (await post(b, ME, token)).json()["data"]["me"]

    assert seen["email"] == "ann@example.com"
    assert after is None


async def test_a_client_that_leaves_mid_body_is_not_logged_as_a_failure(
    db: TortoiseContext, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(DEVELOPMENT)
    incoming: list[Message] = [
        {"type": "http.request", "body": b'{"query": "{ me', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[Message] = []
    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json")],
        "client": ("127.0.0.1", 5000),
        "server": ("test", 80),
        "scheme": "http",
        "root_path": "",
        "http_version": "1.1",
        "asgi": {"version": "3.0"},
    }

    async def receive() -> Message:
        return incoming.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)  # returns quietly: nobody is left to answer

    assert sent == []
    assert "ERROR" not in caplog.text
