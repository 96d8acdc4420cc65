"""Production hardening: masking everywhere, immediate sign-out, config checks, socket limits."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncGenerator
from pathlib import Path

import httpx
import pytest
import strawberry
from httpx_ws import AsyncWebSocketSession, aconnect_ws
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from app.auth import Authenticator
from app.graphql.policy import QueryLimits, operation_policy
from app.graphql.schema import AppSchema, Query
from app.settings import Settings, SettingsError
from tests.client import PRODUCTION, asgi_client, asgi_socket_client, production_auth
from tests.documents import DOMAINS, ME, SIGN_OUT
from tests.factories import create_user
from tests.processes import running_server

pytestmark = pytest.mark.usefixtures("db")


async def bearer(auth: Authenticator) -> dict[str, str]:
    session = await create_user(auth)
    token = await auth.issue_token(session.user.id)
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.usefixtures("failing_domain_list")
async def test_unexpected_resolver_error_is_masked_in_production(
    production: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    headers = {**await bearer(production_auth()), "X-Request-ID": "req-prod"}

    response = await production.post("/graphql", json={"query": DOMAINS}, headers=headers)

    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "Internal server error",
                "locations": [{"line": 1, "column": 3}],
                "path": ["domains"],
                "extensions": {"code": "INTERNAL", "requestId": "req-prod"},
            }
        ],
    }
    assert "req-prod" in caplog.text and "secret database detail" in caplog.text


@pytest.mark.usefixtures("failing_domain_list")
async def test_unexpected_error_of_a_query_over_a_socket_is_masked_in_production(
    caplog: pytest.LogCaptureFixture,
) -> None:
    headers = await bearer(production_auth())
    ws: AsyncWebSocketSession
    async with (
        asgi_socket_client(PRODUCTION) as http,
        aconnect_ws("/graphql", http, subprotocols=["graphql-transport-ws"]) as ws,
    ):
        await ws.send_json(
            {"type": "connection_init", "payload": {"authorization": headers["Authorization"]}}
        )
        assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": DOMAINS}})
        answer = await ws.receive_json(timeout=5)

    assert answer["type"] == "next", answer
    error = answer["payload"]["errors"][0]
    assert error["message"] == "Internal server error"
    assert error["extensions"]["code"] == "INTERNAL"
    assert "secret database detail" not in json.dumps(answer)
    assert "secret database detail" in caplog.text


async def test_failure_outside_graphql_execution_is_masked_json(
    production: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def database_down(self: Authenticator, authorization: str | None) -> None:
        raise ConnectionError("could not connect to 10.0.0.5:5432 as app_user")

    monkeypatch.setattr(Authenticator, "authenticate", database_down)

    response = await production.post(
        "/graphql", json={"query": ME}, headers={"X-Request-ID": "req-outage"}
    )

    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req-outage"
    assert response.json() == {
        "errors": [
            {
                "message": "Internal server error",
                "extensions": {"code": "INTERNAL", "requestId": "req-outage"},
            }
        ]
    }
    assert "req-outage" in caplog.text and "10.0.0.5" in caplog.text


@strawberry.type
class Exploding:
    @strawberry.subscription
    async def ticks(self) -> AsyncGenerator[int, None]:
        yield 1
        raise RuntimeError("secret broker detail")


async def test_subscription_errors_are_masked_with_the_production_extensions(
    caplog: pytest.LogCaptureFixture,
) -> None:
    extensions = [operation_policy(QueryLimits(), production=True)]
    schema = AppSchema(query=Query, subscription=Exploding, extensions=extensions)

    stream = await schema.subscribe("subscription { ticks }")
    results = [result async for result in stream]

    assert results[0].data == {"ticks": 1}
    errors = results[-1].errors
    assert errors is not None
    error = errors[0]
    assert error.message == "Internal server error"
    assert error.extensions == {"code": "INTERNAL", "requestId": "-"}
    assert "secret broker detail" in caplog.text


async def test_sign_out_is_effective_on_the_very_next_request(
    production: httpx.AsyncClient,
) -> None:
    headers = await bearer(production_auth())

    before = await production.post("/graphql", json={"query": ME}, headers=headers)
    await production.post("/graphql", json={"query": SIGN_OUT}, headers=headers)
    after = await production.post("/graphql", json={"query": DOMAINS}, headers=headers)

    assert before.json()["data"]["me"] is not None
    assert after.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"PASSWORD_HASH_PROFILE": "cheapest"}, "PASSWORD_HASH_PROFILE"),
        ({"ALLOWED_ORIGINS": "https://app.example.com,*"}, "ALLOWED_ORIGINS"),
        ({"MAX_DEPTH": "0"}, "MAX_DEPTH"),
        ({"WS_MAX_OPERATIONS": "-1"}, "WS_MAX_OPERATIONS"),
    ],
)
def test_production_refuses_development_defaults(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 48)
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env_file="/nonexistent")


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "MAX_DEPTH": "6",
        "MAX_BODY_BYTES": "1024",
        "WS_MAX_OPERATIONS": "3",
    }.items():
        monkeypatch.setenv(name, value)

    settings = Settings.from_env(env_file="/nonexistent")

    assert (settings.max_depth, settings.max_body_bytes, settings.ws_max_operations) == (6, 1024, 3)


async def test_configured_limits_reach_the_schema() -> None:
    settings = Settings(password_hash_profile="cheapest", max_aliases=2, max_depth=1)
    async with asgi_client(settings) as client:
        aliases = await client.post(
            "/graphql", json={"query": "{ a: me { id } b: me { id } c: me { id } }"}
        )

    messages = [e["message"] for e in aliases.json()["errors"]]
    assert "3 aliases found. Allowed: 2" in messages


def test_socket_limits_of_a_real_server(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite://{tmp_path}/app.sqlite3",
        "WS_INIT_TIMEOUT_SECONDS": "1",
        "WS_MAX_MESSAGE_BYTES": "1024",
    }
    with running_server(env) as base:
        url = base.replace("http", "ws") + "/graphql"
        with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as silent:
            started = time.monotonic()
            with pytest.raises(ConnectionClosed) as closed:
                silent.recv(timeout=5)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4408
            assert time.monotonic() - started < 4
        with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as big:
            big.send('{"type": "connection_init", "payload": {"x": "' + "x" * 4096 + '"}}')
            with pytest.raises(ConnectionClosed) as closed:
                big.recv(timeout=5)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
