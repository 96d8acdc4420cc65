from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from tests.processes import running_server

SIGN_UP = """mutation { signUp(email: "ann@example.com", name: "Ann", password: "password1") {
  ... on AuthPayload { token user { id email } } } }"""
CREATE_DOMAIN = """mutation { createDomain(name: "Acme") {
  ... on Domain { id name myRole { name } } } }"""
DOMAINS = "{ domains { id name myRole { name } } }"


@pytest.fixture
async def client(db) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(password_hash_profile="cheapest"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def post(
    client: httpx.AsyncClient,
    query: str,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    headers = dict(headers or {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return await client.post("/graphql", json={"query": query}, headers=headers)


async def test_graphql_over_http_sign_up_create_domain_and_list(client) -> None:
    token = (await post(client, SIGN_UP)).json()["data"]["signUp"]["token"]

    created = (await post(client, CREATE_DOMAIN, token)).json()["data"]["createDomain"]
    listed = (await post(client, DOMAINS, token)).json()["data"]["domains"]

    assert listed == [created]
    assert created["myRole"] == {"name": "admin"}


async def test_garbage_token_is_unauthenticated_with_a_hint(client) -> None:
    response = await post(client, DOMAINS, "garbage")

    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Bearer" in error["message"]


async def test_responses_carry_a_request_id(client) -> None:
    response = await post(client, "{ me { id } }", headers={"X-Request-ID": "abc123"})

    assert response.headers["x-request-id"] == "abc123"


async def test_json_body_that_is_not_graphql_is_a_client_error(client) -> None:
    response = await client.post("/graphql", json={"hello": "world"})

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "query" in error["message"]


async def test_body_that_is_not_json_is_a_client_error(client) -> None:
    response = await client.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_healthz_answers_when_the_database_does(client) -> None:
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"


async def test_unexpected_errors_are_masked_with_a_request_id(client, monkeypatch, caplog) -> None:
    from app.services import domains

    async def explode(user: object) -> list[object]:
        raise RuntimeError("secret database detail")

    monkeypatch.setattr(domains, "list_domains", explode)
    token = (await post(client, SIGN_UP)).json()["data"]["signUp"]["token"]

    response = await post(client, DOMAINS, token, headers={"X-Request-ID": "req-42"})

    error = response.json()["errors"][0]
    assert error["message"] == "Internal server error"
    assert error["extensions"] == {"code": "INTERNAL", "requestId": "req-42"}
    assert "secret" not in response.text
    assert "req-42" in caplog.text and "secret database detail" in caplog.text


def test_serve_from_a_clean_database_answers_over_real_http(server_database_url: str) -> None:
    env = {"DATABASE_URL": server_database_url}
    with running_server(env) as base, httpx.Client(base_url=base) as http:
        signed = http.post("/graphql", json={"query": SIGN_UP}).json()
        token = signed["data"]["signUp"]["token"]
        auth = {"Authorization": f"Bearer {token}"}
        created = http.post("/graphql", json={"query": CREATE_DOMAIN}, headers=auth).json()
        listed = http.post("/graphql", json={"query": DOMAINS}, headers=auth).json()

    assert listed["data"]["domains"] == [created["data"]["createDomain"]]


async def test_graphiql_is_served_to_browsers_in_development(client) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 200
    assert "GraphiQL" in response.text


async def test_graphiql_is_off_in_production(db) -> None:
    settings = Settings(app_env="production", secret_key="s" * 48)
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 404


async def test_sign_out_in_one_process_is_effective_in_the_others_at_once(db) -> None:
    # Two apps on one PostgreSQL-configured deployment stand for two worker processes.
    settings = Settings(
        database_url="postgres://app@db/app",
        secret_key="test-secret",
        password_hash_profile="cheapest",
    )
    a, b = (
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(settings)), base_url="http://test"
        )
        for _ in range(2)
    )
    async with a, b:
        token = (await post(a, SIGN_UP)).json()["data"]["signUp"]["token"]
        seen = (await post(b, "{ me { email } }", token)).json()["data"]["me"]

        await post(a, "mutation { signOut }", token)
        after = (await post(b, "{ me { email } }", token)).json()["data"]["me"]

    assert (seen, after) == ({"email": "ann@example.com"}, None)


async def test_a_client_that_leaves_mid_body_is_not_logged_as_a_failure(db, caplog) -> None:
    app = create_app(Settings(password_hash_profile="cheapest"))
    incoming = [
        {"type": "http.request", "body": b'{"query": "{ me', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, object]] = []
    scope = {
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

    async def receive() -> dict[str, object]:
        return incoming.pop(0)

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    await app(scope, receive, send)  # returns quietly: nobody is left to answer

    assert sent == []
    assert "ERROR" not in caplog.text
