"""Subscriptions over a real WebSocket: the ASGI app in this loop (httpx-ws), and a
uvicorn server in a subprocess driven by a third-party client (gql)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from gql import Client, gql
from gql.transport.exceptions import TransportConnectionFailed
from gql.transport.websockets import WebsocketsTransport
from httpx_ws import AsyncWebSocketSession, WebSocketDisconnect, aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport
from starlette.applications import Starlette

from app import models
from app.auth import Authenticator, Session
from app.brokers.memory import InMemoryBroker
from app.clock import ManualClock
from app.events import EventBus
from app.main import create_app
from app.settings import Settings
from tests.factories import add_member, create_domain, create_role, create_user, role_named
from tests.processes import graphql_data, running_server

PROTOCOL = "graphql-transport-ws"
ALLOWED_ORIGIN = "https://app.example.com"

INVITATION_RECEIVED = """subscription {
  invitationReceived { id status resendCount domain { id name } invitee { id }
                       invitedBy { name } role { name } }
}"""
INVITATION_EVENTS = """subscription Events($domainId: ID!) {
  invitationEvents(domainId: $domainId) {
    kind invitationId actor { id } invitee { id } role { name } invitation { id status }
  }
}"""
SEND = """mutation Send($domainId: ID!, $inviteeIds: [ID!]!, $roleId: ID!) {
  sendInvitations(domainId: $domainId, inviteeIds: $inviteeIds, roleId: $roleId) {
    ... on SendInvitationsPayload { results { ... on Invitation { id } ... on UserError { code } } }
    ... on UserError { code }
  }
}"""
RESPOND = """mutation Respond($id: ID!, $response: InvitationResponse!) {
  respondToInvitation(invitationId: $id, response: $response) { __typename }
}"""
RESEND = """mutation Resend($id: ID!) { resendInvitation(invitationId: $id) { __typename } }"""
DELETE = """mutation Delete($id: ID!) { deleteInvitation(invitationId: $id) { __typename } }"""
SIGN_OUT = "mutation { signOut }"
SIGN_UP = """mutation SignUp($email: String!) {
  signUp(email: $email, name: "Someone", password: "password123") {
    ... on AuthPayload { token user { id } }
  }
}"""
CREATE_DOMAIN = 'mutation { createDomain(name: "Acme") { ... on Domain { id roles { id name } } } }'


# ---------------------------------------------------------------- in-process app


@pytest.fixture
def app(db: object, auth: Authenticator, clock: ManualClock) -> Starlette:
    # Same key as the `auth` fixture, so factory-issued tokens are valid here.
    settings = Settings(
        secret_key="test-secret",
        password_hash_profile="cheapest",
        allowed_origins=(ALLOWED_ORIGIN,),
    )
    return create_app(settings, clock=clock)


def bus_of(app: Starlette) -> EventBus:
    bus: EventBus = app.state.bus
    return bus


class Socket:
    """One graphql-transport-ws connection."""

    def __init__(self, ws: AsyncWebSocketSession) -> None:
        self.ws = ws

    async def subscribe(
        self, op_id: str, query: str, variables: dict[str, Any] | None = None
    ) -> None:
        payload = {"query": query, "variables": variables or {}}
        await self.ws.send_json({"id": op_id, "type": "subscribe", "payload": payload})

    async def receive(self, timeout: float = 2) -> dict[str, Any]:
        message: dict[str, Any] = await self.ws.receive_json(timeout=timeout)
        return message

    async def complete(self, op_id: str) -> None:
        await self.ws.send_json({"id": op_id, "type": "complete"})

    async def assert_silent(self, seconds: float = 0.3) -> None:
        with pytest.raises(TimeoutError):
            await self.receive(timeout=seconds)


@asynccontextmanager
async def connect(
    http: httpx.AsyncClient, token: str | None, headers: dict[str, str] | None = None
) -> AsyncIterator[Socket]:
    async with aconnect_ws("/graphql", http, subprotocols=[PROTOCOL], headers=headers or {}) as ws:
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await ws.send_json({"type": "connection_init", "payload": payload})
        ack = await ws.receive_json(timeout=2)
        assert ack["type"] == "connection_ack"
        yield Socket(ws)


async def token_of(auth: Authenticator, session: Session) -> str:
    return await auth.issue_token(session.user.id)


async def wait_for(condition: Callable[[], bool], timeout: float = 2) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def subscribed(app: Starlette, count: int) -> None:
    """Wait until the server registered `count` subscriptions (no protocol ack exists)."""
    await wait_for(lambda: bus_of(app).subscriptions == count)


async def gql_post(
    http: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    response = await http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


class Scene:
    """An admin with a domain, and a client of the app to run the real mutations.

    The client is opened in the test's own task (`async with scene as http`):
    the WebSocket transport's task group must be left in the task that entered it.
    """

    def __init__(self, app: Starlette, auth: Authenticator) -> None:
        self.app = app
        self.auth = auth
        self._client = httpx.AsyncClient(
            transport=ASGIWebSocketTransport(app=app), base_url="http://test"
        )
        self.http = self._client

    async def __aenter__(self) -> httpx.AsyncClient:
        return await self._client.__aenter__()

    async def __aexit__(self, *exc_info: Any) -> None:
        await self._client.__aexit__(*exc_info)

    async def setup(self) -> Scene:
        self.admin = await create_user(self.auth, name="Ada")
        self.admin_token = await token_of(self.auth, self.admin)
        self.domain = await create_domain(self.admin, self.app.state.runtime, name="Acme")
        self.member_role = await role_named(self.domain, "member")
        return self

    async def send(self, *invitees: Session) -> list[str]:
        variables = {
            "domainId": str(self.domain.id),
            "inviteeIds": [str(s.user.id) for s in invitees],
            "roleId": str(self.member_role.id),
        }
        data = await gql_post(self.http, self.admin_token, SEND, variables)
        return [r["id"] for r in data["sendInvitations"]["results"]]


@pytest.fixture
async def scene(app: Starlette, auth: Authenticator) -> Scene:
    return await Scene(app, auth).setup()


async def test_invitee_receives_the_invitation_within_a_second_of_the_mutation(
    app: Starlette, auth: Authenticator, scene: Scene
) -> None:
    async with scene as http:
        bob = await create_user(auth, name="Bob")
        async with connect(http, await token_of(auth, bob)) as socket:
            await socket.subscribe("1", INVITATION_RECEIVED)
            await subscribed(app, 1)

            [invitation_id] = await scene.send(bob)
            sent_at = time.monotonic()
            message = await socket.receive(timeout=1)

        assert time.monotonic() - sent_at < 1
        assert message["type"] == "next" and message["id"] == "1"
        received = message["payload"]["data"]["invitationReceived"]
        assert received["id"] == invitation_id
        assert received["status"] == "PENDING"
        assert received["domain"]["name"] == "Acme"
        assert received["invitedBy"]["name"] == "Ada"
        assert received["role"]["name"] == "member"


async def test_resend_notifies_the_invitee_again(
    app: Starlette, auth: Authenticator, scene: Scene
) -> None:
    async with scene as http:
        bob = await create_user(auth)
        bob_token = await token_of(auth, bob)
        [invitation_id] = await scene.send(bob)
        await gql_post(http, bob_token, RESPOND, {"id": invitation_id, "response": "DECLINE"})
        async with connect(http, bob_token) as socket:
            await socket.subscribe("1", INVITATION_RECEIVED)
            await subscribed(app, 1)

            await gql_post(http, scene.admin_token, RESEND, {"id": invitation_id})
            message = await socket.receive(timeout=1)

        received = message["payload"]["data"]["invitationReceived"]
        assert (received["id"], received["status"], received["resendCount"]) == (
            invitation_id,
            "PENDING",
            1,
        )


async def test_domain_readers_see_every_event_of_the_lifecycle(
    app: Starlette, auth: Authenticator, scene: Scene
) -> None:
    async with scene as http:
        bob, carol = await create_user(auth), await create_user(auth)
        bob_token = await token_of(auth, bob)
        async with connect(http, scene.admin_token) as socket:
            await socket.subscribe("events", INVITATION_EVENTS, {"domainId": str(scene.domain.id)})
            await subscribed(app, 1)

            [bobs] = await scene.send(bob)
            await gql_post(http, bob_token, RESPOND, {"id": bobs, "response": "DECLINE"})
            await gql_post(http, scene.admin_token, RESEND, {"id": bobs})
            await gql_post(http, bob_token, RESPOND, {"id": bobs, "response": "ACCEPT"})
            [carols] = await scene.send(carol)
            await gql_post(http, scene.admin_token, DELETE, {"id": carols})
            events = [(await socket.receive(timeout=1))["payload"]["data"] for _ in range(6)]

        seen = [
            (e["invitationEvents"]["kind"], e["invitationEvents"]["invitationId"]) for e in events
        ]
        assert seen == [
            ("SENT", bobs),
            ("REJECTED", bobs),
            ("RESENT", bobs),
            ("ACCEPTED", bobs),
            ("SENT", carols),
            ("DELETED", carols),
        ]
        deleted = events[-1]["invitationEvents"]
        assert deleted["invitation"] is None
        assert deleted["actor"]["id"] == str(scene.admin.user.id)
        assert deleted["invitee"]["id"] == str(carol.user.id)


async def test_other_users_receive_nothing(
    app: Starlette, auth: Authenticator, scene: Scene
) -> None:
    async with scene as http:
        bob, eve = await create_user(auth), await create_user(auth)
        async with (
            connect(http, await token_of(auth, bob)) as bobs,
            connect(http, await token_of(auth, eve)) as eves,
        ):
            await bobs.subscribe("1", INVITATION_RECEIVED)
            await eves.subscribe("1", INVITATION_RECEIVED)
            await subscribed(app, 2)

            await scene.send(bob)
            assert (await bobs.receive(timeout=1))["type"] == "next"
            await eves.assert_silent()


@pytest.mark.parametrize(("relation", "code"), [("member", "FORBIDDEN"), ("stranger", "NOT_FOUND")])
async def test_domain_events_need_invitation_read_and_the_socket_stays_open(
    app: Starlette,
    auth: Authenticator,
    scene: Scene,
    relation: str,
    code: str,
) -> None:
    async with scene as http:
        user = await create_user(auth)
        if relation == "member":
            await add_member(scene.domain, user, "member")
        async with connect(http, await token_of(auth, user)) as socket:
            await socket.subscribe("events", INVITATION_EVENTS, {"domainId": str(scene.domain.id)})
            refused = await socket.receive()
            await socket.subscribe("mine", INVITATION_RECEIVED)
            await subscribed(app, 1)
            await scene.send(user) if relation == "stranger" else None
            still_served = await socket.receive(timeout=1) if relation == "stranger" else None

        assert refused["type"] == "error" and refused["id"] == "events"
        assert [e["extensions"]["code"] for e in refused["payload"]] == [code]
        if still_served is not None:
            assert still_served["id"] == "mine" and still_served["type"] == "next"


async def init_close_code(http: httpx.AsyncClient, payload: dict[str, str]) -> int:
    """The code the server closes with after this connection_init."""
    async with aconnect_ws("/graphql", http, subprotocols=[PROTOCOL]) as ws:
        await ws.send_json({"type": "connection_init", "payload": payload})
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_json(timeout=2)
    return closed.value.code


@pytest.mark.parametrize(
    "payload",
    [{"authorization": "Bearer not-a-token"}, {"authorization": "Basic abc"}, {}],
    ids=["forged", "not-bearer", "missing"],
)
async def test_a_bad_or_missing_token_closes_the_socket_with_4403(
    payload: dict[str, str], scene: Scene
) -> None:
    async with scene as http:
        assert await init_close_code(http, payload) == 4403


async def test_an_expired_token_closes_the_socket_with_4403(
    auth: Authenticator, scene: Scene
) -> None:
    bob = await create_user(auth)
    token = await token_of(auth, bob)
    await models.AuthToken.filter(user_id=bob.user.id).update(expires_at=models.utcnow())

    async with scene as http:
        assert await init_close_code(http, {"authorization": f"Bearer {token}"}) == 4403


async def test_several_subscriptions_on_one_socket_each_get_the_event(
    app: Starlette, auth: Authenticator, scene: Scene
) -> None:
    async with scene as http:
        bob = await create_user(auth)
        domain = {"domainId": str(scene.domain.id)}
        async with connect(http, scene.admin_token) as socket:
            await socket.subscribe("a", INVITATION_EVENTS, domain)
            await socket.subscribe("b", INVITATION_EVENTS, domain)
            await subscribed(app, 2)

            [invitation_id] = await scene.send(bob)
            messages = [await socket.receive(timeout=1) for _ in range(2)]

        assert sorted(m["id"] for m in messages) == ["a", "b"]
        assert {m["payload"]["data"]["invitationEvents"]["invitationId"] for m in messages} == {
            invitation_id
        }


async def test_many_sockets_each_get_only_their_own_invitation(
    app: Starlette, auth: Authenticator, scene: Scene
) -> None:
    async with scene as http:
        invitees = [await create_user(auth) for _ in range(5)]
        tokens = [await token_of(auth, s) for s in invitees]
        async with _sockets(http, tokens) as sockets:
            for socket in sockets:
                await socket.subscribe("1", INVITATION_RECEIVED)
            await subscribed(app, 5)

            await scene.send(*invitees)
            messages = [await s.receive(timeout=1) for s in sockets]

        received = [m["payload"]["data"]["invitationReceived"]["invitee"]["id"] for m in messages]
        assert received == [str(s.user.id) for s in invitees]


@asynccontextmanager
async def _sockets(http: httpx.AsyncClient, tokens: list[str]) -> AsyncIterator[list[Socket]]:
    async with _open_all(http, tokens, []) as sockets:
        yield sockets


@asynccontextmanager
async def _open_all(
    http: httpx.AsyncClient, tokens: list[str], opened: list[Socket]
) -> AsyncIterator[list[Socket]]:
    if not tokens:
        yield opened
        return
    async with (
        connect(http, tokens[0]) as socket,
        _open_all(http, tokens[1:], [*opened, socket]) as sockets,
    ):
        yield sockets


async def test_complete_and_disconnect_release_every_subscriber(
    app: Starlette, auth: Authenticator, scene: Scene
) -> None:
    async with scene as http:
        broker = bus_of(app).broker
        assert isinstance(broker, InMemoryBroker)
        bob = await create_user(auth)
        async with connect(http, scene.admin_token) as admin:
            async with connect(http, await token_of(auth, bob)) as bobs:
                await bobs.subscribe("1", INVITATION_RECEIVED)
                await admin.subscribe("a", INVITATION_EVENTS, {"domainId": str(scene.domain.id)})
                await admin.subscribe("b", INVITATION_EVENTS, {"domainId": str(scene.domain.id)})
                await subscribed(app, 3)
                assert broker.subscriber_count() == 3

                await admin.complete("a")
                await wait_for(lambda: broker.subscriber_count() == 2)
            # bob disconnected without completing
            await wait_for(lambda: broker.subscriber_count() == 1)
        await wait_for(lambda: broker.subscriber_count() == 0)

        assert bus_of(app).subscriptions == 0


async def test_signing_out_ends_the_stream(
    app: Starlette, auth: Authenticator, scene: Scene
) -> None:
    async with scene as http:
        bob = await create_user(auth)
        token = await token_of(auth, bob)
        async with connect(http, token) as socket:
            await socket.subscribe("1", INVITATION_RECEIVED)
            await subscribed(app, 1)

            await gql_post(http, token, SIGN_OUT, {})
            await scene.send(bob)
            ended = await socket.receive(timeout=1)
            completed = await socket.receive(timeout=1)
            await subscribed(app, 0)

        assert ended["payload"]["data"] is None
        assert [e["extensions"]["code"] for e in ended["payload"]["errors"]] == ["UNAUTHENTICATED"]
        assert completed == {"id": "1", "type": "complete"}


LOSE_ACCESS: dict[str, Callable[[Scene, Session], Awaitable[object]]] = {
    "membership removed": lambda scene, user: models.Membership.filter(
        domain_id=scene.domain.id, user_id=user.user.id
    ).delete(),
    "role without INVITATION_READ": lambda scene, user: models.Membership.filter(
        domain_id=scene.domain.id, user_id=user.user.id
    ).update(role_id=scene.member_role.id),
}


@pytest.mark.parametrize(
    ("change", "code"),
    [("membership removed", "NOT_FOUND"), ("role without INVITATION_READ", "FORBIDDEN")],
)
async def test_losing_access_mid_stream_stops_domain_events(
    app: Starlette,
    auth: Authenticator,
    scene: Scene,
    change: str,
    code: str,
) -> None:
    async with scene as http:
        reader = await create_user(auth)
        auditor = await create_role(scene.domain, "auditor", {"INVITATION_READ"})  # type: ignore[arg-type]
        await add_member(scene.domain, reader, auditor)
        domain = {"domainId": str(scene.domain.id)}
        async with (
            connect(http, await token_of(auth, reader)) as socket,
            connect(http, scene.admin_token) as admin,
        ):
            await socket.subscribe("events", INVITATION_EVENTS, domain)
            await admin.subscribe("events", INVITATION_EVENTS, domain)
            await subscribed(app, 2)
            await scene.send(await create_user(auth))
            delivered = await socket.receive(timeout=1)
            await admin.receive(timeout=1)

            await LOSE_ACCESS[change](scene, reader)
            [second] = await scene.send(await create_user(auth))
            stopped = await socket.receive(timeout=1)
            completed = await socket.receive(timeout=1)
            admin_still_served = await admin.receive(timeout=1)
            await subscribed(app, 1)

        assert delivered["payload"]["data"]["invitationEvents"]["kind"] == "SENT"
        assert stopped["payload"]["data"] is None
        assert [e["extensions"]["code"] for e in stopped["payload"]["errors"]] == [code]
        assert completed["type"] == "complete"
        # checked in the same batch as the reader, the admin keeps receiving
        assert admin_still_served["payload"]["data"]["invitationEvents"]["invitationId"] == second


# ---------------------------------------------------------------- uvicorn + gql


def _sign_up(base: str, email: str) -> tuple[str, str]:
    payload = graphql_data(base, SIGN_UP, {"email": email})["signUp"]
    return payload["token"], payload["user"]["id"]


def _gql_transport(base: str, token: str) -> WebsocketsTransport:
    return WebsocketsTransport(
        url=base.replace("http://", "ws://") + "/graphql",
        init_payload={"authorization": f"Bearer {token}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )


async def _server_subscriptions(base: str, count: int) -> None:
    async with httpx.AsyncClient() as client:
        deadline = time.monotonic() + 5
        while (await client.get(f"{base}/healthz")).json()["subscriptions"] != count:
            assert time.monotonic() < deadline, "the server did not register the subscription"
            await asyncio.sleep(0.02)


async def test_gql_client_receives_invitations_from_a_uvicorn_server(tmp_path: Path) -> None:
    with running_server({"DATABASE_URL": f"sqlite://{tmp_path}/app.sqlite3"}) as base:
        admin_token, _ = _sign_up(base, "ada@example.com")
        bob_token, bob_id = _sign_up(base, "bob@example.com")
        domain = graphql_data(base, CREATE_DOMAIN, {}, admin_token)["createDomain"]
        member_role = next(r["id"] for r in domain["roles"] if r["name"] == "member")

        async with Client(transport=_gql_transport(base, bob_token)) as session:
            stream = session.subscribe(gql(INVITATION_RECEIVED))
            first = asyncio.ensure_future(anext(stream))
            await _server_subscriptions(base, 1)
            sent = await asyncio.to_thread(
                graphql_data,
                base,
                SEND,
                {"domainId": domain["id"], "inviteeIds": [bob_id], "roleId": member_role},
                admin_token,
            )
            responded_at = time.monotonic()
            received = await asyncio.wait_for(first, timeout=1)
            delivered_after = time.monotonic() - responded_at
            await stream.aclose()
        await _server_subscriptions(base, 0)

    [invitation] = sent["sendInvitations"]["results"]
    assert received["invitationReceived"]["id"] == invitation["id"]
    assert received["invitationReceived"]["domain"]["name"] == "Acme"
    assert delivered_after < 1


async def _handshake_status(base: str, origin: str | None) -> int:
    url = base.replace("http://", "ws://") + "/graphql"
    try:
        async with websockets.connect(url, origin=origin, subprotocols=[PROTOCOL]):  # type: ignore[arg-type]
            return 101
    except websockets.InvalidStatus as refused:
        return refused.response.status_code


async def test_the_handshake_origin_policy_is_configurable(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite://{tmp_path}/app.sqlite3", "ALLOWED_ORIGINS": ALLOWED_ORIGIN}
    with running_server(env) as base:
        statuses = {
            "no Origin (non-browser client)": await _handshake_status(base, None),
            "same origin": await _handshake_status(base, base),
            "listed in ALLOWED_ORIGINS": await _handshake_status(base, ALLOWED_ORIGIN),
            "another site": await _handshake_status(base, "https://evil.example"),
        }

    assert statuses == {
        "no Origin (non-browser client)": 101,
        "same origin": 101,
        "listed in ALLOWED_ORIGINS": 101,
        "another site": 403,
    }


async def test_gql_client_is_refused_with_4403_on_a_bad_token(tmp_path: Path) -> None:
    with (
        running_server({"DATABASE_URL": f"sqlite://{tmp_path}/app.sqlite3"}) as base,
        pytest.raises(TransportConnectionFailed) as refused,
    ):
        async with Client(transport=_gql_transport(base, "forged-token")) as session:
            await anext(session.subscribe(gql(INVITATION_RECEIVED)))

    closed = refused.value.__cause__
    assert isinstance(closed, websockets.ConnectionClosed)
    assert closed.rcvd is not None and closed.rcvd.code == 4403


async def socket_query(socket: Socket, op_id: str, query: str) -> dict[str, Any]:
    """Run a query over the socket; its `next` payload."""
    await socket.subscribe(op_id, query)
    result = await socket.receive()
    assert result["type"] == "next", result
    assert await socket.receive() == {"id": op_id, "type": "complete"}
    payload: dict[str, Any] = result["payload"]
    return payload


@pytest.mark.parametrize("end", ["sign out", "expiry"])
async def test_operations_on_an_open_socket_see_sign_out_and_expiry_at_once(
    app: Starlette, auth: Authenticator, scene: Scene, end: str
) -> None:
    async with scene as http:
        bob = await create_user(auth, name="Bob")
        token = await token_of(auth, bob)
        async with connect(http, token) as socket:
            before = await socket_query(socket, "1", "{ me { name } domains { id } }")
            if end == "sign out":
                await gql_post(http, token, SIGN_OUT, {})
            else:
                await models.AuthToken.filter(user_id=bob.user.id).update(
                    expires_at=datetime.now(UTC) - timedelta(seconds=1)
                )
            after = await socket_query(socket, "2", "{ me { name } }")
            refused = await socket_query(socket, "3", "{ domains { id } }")

    assert before["data"] == {"me": {"name": "Bob"}, "domains": []}
    assert after["data"] == {"me": None}
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["UNAUTHENTICATED"]
