"""Client mistakes are client errors, on SQLite and PostgreSQL alike: HTTP 400, a top-level
BAD_USER_INPUT, or the mutation's typed INVALID_INPUT for an argument it validates (a name,
an e-mail, a password). Over HTTP, and over a WebSocket, whose other operations go on."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from httpx_ws import AsyncWebSocketSession, WebSocketDisconnect, aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport
from starlette.applications import Starlette

from app import models
from app.auth import Authenticator
from app.ids import new_id
from app.main import create_app
from app.settings import Settings
from tests.factories import create_domain, create_user, runtime_for

NUL, SURROGATE = "\x00", "\ud800"
SIGN_UP = """mutation SignUp($email: String!, $name: String!, $password: String!) {
  signUp(email: $email, name: $name, password: $password) {
    __typename ... on UserError { code } ... on InvalidInput { field } } }"""
SIGN_IN = """mutation SignIn($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { __typename ... on UserError { code } } }"""
CREATE_DOMAIN = """mutation CreateDomain($name: String!) {
  createDomain(name: $name) {
    __typename ... on UserError { code } ... on InvalidInput { field } } }"""
CREATE_ROLE = """mutation CreateRole($domainId: ID!, $name: String!) {
  createRole(domainId: $domainId, name: $name, actions: [INVITATION_READ]) {
    __typename ... on UserError { code } ... on InvalidInput { field } } }"""
USERS = "query Users($search: String!) { users(search: $search) { id } }"
PENDING = "query Pending($after: String) { pendingInvitations(after: $after) { totalCount } }"
INVITATION = "query Invitation($id: ID!) { invitation(id: $id) { id } }"
VALID = {"email": "ann@example.com", "name": "Ann", "password": "password123"}


@dataclass
class Caller:
    """An admin of one domain, calling the app."""

    app: Starlette
    token: str
    domain_id: str

    @asynccontextmanager
    async def http(self) -> AsyncIterator[httpx.AsyncClient]:
        """A client of the app over HTTP and WebSocket (opened in the test's own task, as
        the WebSocket transport needs)."""
        headers = {"Authorization": f"Bearer {self.token}", "content-type": "application/json"}
        transport = ASGIWebSocketTransport(app=self.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=headers
        ) as client:
            yield client

    @asynccontextmanager
    async def socket(self) -> AsyncIterator[tuple[httpx.AsyncClient, AsyncWebSocketSession]]:
        """A graphql-transport-ws connection, acknowledged; and the client it runs on."""
        ws: AsyncWebSocketSession
        async with (
            self.http() as http,
            aconnect_ws("/graphql", http, subprotocols=["graphql-transport-ws"]) as ws,
        ):
            init = {"authorization": f"Bearer {self.token}"}
            await ws.send_json({"type": "connection_init", "payload": init})
            assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
            yield http, ws


@pytest.fixture
async def caller(db: object, auth: Authenticator) -> Caller:
    # Same key as the `auth` fixture, so factory-issued tokens are valid in the app.
    app = create_app(Settings(secret_key="test-secret", password_hash_profile="cheapest"))
    admin = await create_user(auth)
    domain = await create_domain(admin, runtime_for(auth))
    return Caller(app, await auth.issue_token(admin.user.id), str(domain.id))


def refusal(status: int, body: dict[str, Any]) -> str:
    """How a request was refused: "400", a top-level code, or a typed error's code and
    field. INTERNAL, a 5xx or an answer with data would be a failure to refuse."""
    if status == 400:
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
        return "400"
    assert status == 200, body
    if body.get("errors"):
        return str(body["errors"][0]["extensions"]["code"])
    payload = next(iter(body["data"].values()))
    return f"{payload['code']} {payload.get('field')}"


async def post(caller: Caller, body: bytes) -> str:
    async with caller.http() as http:
        response = await http.post("/graphql", content=body)
    return refusal(response.status_code, response.json())


def operation(query: str, **variables: Any) -> bytes:
    return json.dumps({"query": query, "variables": variables}).encode()


def nested(depth: int, leaf: str = '"x"', open_: str = '{"a":', close: str = "}") -> str:
    return open_ * depth + leaf + close * depth


@pytest.mark.parametrize(
    "body",
    [
        b'"x"',
        b"null",
        b"123",
        b"\xff\xfe{}",  # not UTF-8
        b'{"query": "{ me { id } }", "operationName": "\xc3"}',
        b"[" * 30_000,
        # A lone surrogate (JSON allows the escape, UTF-8 cannot hold it).
        operation(USERS, search=SURROGATE),
    ],
    ids=["string", "null", "number", "not-utf8", "truncated-utf8", "deep-array", "surrogate"],
)
async def test_a_body_the_server_cannot_run_is_a_400(caller: Caller, body: bytes) -> None:
    assert await post(caller, body) == "400"


@pytest.mark.parametrize(
    "variables",
    [nested(1_000), nested(40), nested(1_000, open_="[", close="]")],
    ids=["1000-objects", "40-objects", "1000-lists"],
)
async def test_absurdly_nested_variables_are_a_400(caller: Caller, variables: str) -> None:
    body = '{"query": "query Users($search: String!) { users(search: $search) { id } }", '
    body += f'"variables": {{"search": {variables}}}}}'

    async with caller.http() as http:
        response = await http.post("/graphql", content=body.encode())

    assert refusal(response.status_code, response.json()) == "400"
    assert "nest" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
@pytest.mark.parametrize(
    ("query", "argument", "field"),
    [
        (SIGN_UP, "email", "email"),
        (SIGN_UP, "name", "name"),
        (SIGN_UP, "password", "password"),
        (CREATE_DOMAIN, "name", "name"),
        (CREATE_ROLE, "name", "name"),
    ],
)
async def test_text_a_mutation_validates_is_invalid_input_with_nul_or_a_surrogate(
    caller: Caller, query: str, argument: str, field: str, bad: str
) -> None:
    variables = {**VALID, "domainId": caller.domain_id}
    variables[argument] = f"{variables[argument][:2]}{bad}{variables[argument][2:]}"

    assert await execute(caller, query, variables) == f"INVALID_INPUT {field}"


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
@pytest.mark.parametrize(
    ("query", "argument"),
    [(USERS, "search"), (SIGN_IN, "email"), (SIGN_IN, "password"), (PENDING, "after")],
)
async def test_other_text_with_nul_or_a_surrogate_is_bad_user_input(
    caller: Caller, query: str, argument: str, bad: str
) -> None:
    variables = {"search": "ann", **VALID, "after": None, argument: f"an{bad}n"}

    assert await execute(caller, query, variables) == "BAD_USER_INPUT"


async def test_an_id_with_nul_is_bad_user_input(caller: Caller) -> None:
    assert await execute(caller, INVITATION, {"id": f"{new_id()}{NUL}"}) == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59"], ids=["min", "max"]
)
async def test_a_cursor_outside_the_representable_time_range_is_bad_user_input(
    caller: Caller, moment: str
) -> None:
    cursor = base64.urlsafe_b64encode(f"{moment}|{new_id()}".encode()).decode()

    assert await execute(caller, PENDING, {"after": cursor}) == "BAD_USER_INPUT"


async def execute(caller: Caller, query: str, variables: dict[str, Any]) -> str:
    """Over HTTP when JSON can carry the variables (a lone surrogate cannot be UTF-8),
    and always over a WebSocket, whose JSON decoder lets it through: the same refusal."""
    over_ws = await over_websocket(caller, query, variables)
    if not any(isinstance(value, str) and SURROGATE in value for value in variables.values()):
        assert await post(caller, operation(query, **variables)) == over_ws
    return over_ws


async def over_websocket(caller: Caller, query: str, variables: dict[str, Any]) -> str:
    async with caller.socket() as (_, ws):
        return await run(ws, "1", query, variables)


async def run(ws: AsyncWebSocketSession, op_id: str, query: str, variables: dict[str, Any]) -> str:
    payload = {"query": query, "variables": variables}
    await ws.send_text(json.dumps({"id": op_id, "type": "subscribe", "payload": payload}))
    message = await ws.receive_json(timeout=5)
    if message["type"] == "error":
        return (
            "400"
            if message["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"
            else str(message)
        )
    assert message["type"] == "next", message
    return refusal(200, message["payload"])


EVENTS = "subscription Events($domainId: ID!) { invitationEvents(domainId: $domainId) { kind } }"
SEND = """mutation Send($domainId: ID!, $inviteeIds: [ID!]!, $roleId: ID!) {
  sendInvitations(domainId: $domainId, inviteeIds: $inviteeIds, roleId: $roleId) {
    __typename } }"""


def raw(query: str, variables: str) -> str:
    """A subscribe payload as JSON text, its variables written out by hand."""
    return f'{{"query": {json.dumps(query)}, "variables": {variables}}}'


def subscribe(op_id: str, payload: str) -> str:
    return f'{{"id": "{op_id}", "type": "subscribe", "payload": {payload}}}'


# Operations sent as raw text, where JSON escapes carry what UTF-8 cannot.
BAD_OPERATIONS = {
    "surrogate-in-variables": raw(CREATE_DOMAIN, '{"name": "A\\ud800"}'),
    "nul-in-variables": raw(USERS, '{"search": "an\\u0000n"}'),
    "deep-variables": raw(USERS, f'{{"search": {nested(1_000)}}}'),
}


async def test_bad_operations_on_a_socket_leave_its_other_operations_running(
    caller: Caller, auth: Authenticator
) -> None:
    invitee = await create_user(auth)
    role = await models.Role.get(domain_id=caller.domain_id, name="member")
    async with caller.socket() as (http, ws):
        events = {"query": EVENTS, "variables": {"domainId": caller.domain_id}}
        await ws.send_json({"id": "events", "type": "subscribe", "payload": events})
        for op_id, payload in BAD_OPERATIONS.items():
            await ws.send_text(subscribe(op_id, payload))
        refused = await answers(ws, set(BAD_OPERATIONS))
        send = {"domainId": caller.domain_id, "inviteeIds": [str(invitee.user.id)]}
        await http.post("/graphql", content=operation(SEND, **send, roleId=str(role.id)))
        event = await ws.receive_json(timeout=5)

    assert refused == {
        "surrogate-in-variables": "INVALID_INPUT name",
        "nul-in-variables": "BAD_USER_INPUT",
        "deep-variables": "BAD_USER_INPUT",
    }
    assert event == {
        "id": "events",
        "type": "next",
        "payload": {"data": {"invitationEvents": {"kind": "SENT"}}},
    }


async def answers(ws: AsyncWebSocketSession, op_ids: set[str]) -> dict[str, str]:
    """Each operation's refusal, read until every one has ended."""
    refusals: dict[str, str] = {}
    ended: set[str] = set()
    while ended != op_ids:
        message = await ws.receive_json(timeout=5)
        op_id, kind = message["id"], message["type"]
        if kind == "error":
            refusals[op_id] = str(message["payload"][0]["extensions"]["code"])
        elif kind == "next":
            refusals[op_id] = refusal(200, message["payload"])
        if kind in ("error", "complete"):
            ended.add(op_id)
    return refusals


@pytest.mark.parametrize(
    "message",
    [
        "[" * 30_000,
        subscribe("1", raw(f'{{ users(search: "an{SURROGATE}n") {{ id }} }}', "{}")),
    ],
    ids=["deep-array", "surrogate-in-document"],
)
async def test_a_message_the_socket_cannot_take_closes_it_as_the_protocol_says(
    caller: Caller, message: str
) -> None:
    """Undecodable JSON, or a document that does not parse: graphql-transport-ws closes
    the socket with 4400, not with 1011 as a server failure would."""
    async with caller.socket() as (_, ws):
        await ws.send_text(message)
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_json(timeout=5)

    assert closed.value.code == 4400
