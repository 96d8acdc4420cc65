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
from gql import Client
from gql import gql as parse_gql
from gql.transport.exceptions import TransportConnectionFailed
from httpx_ws import AsyncWebSocketSession, WebSocketDisconnect, aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport
from starlette.applications import Starlette
from tortoise.context import TortoiseContext
from websockets.typing import Origin, Subprotocol

from app import models
from app.auth import Authenticator, Session
from app.brokers.memory import InMemoryBroker
from app.clock import ManualClock
from app.events import EventBus
from app.main import create_app
from app.permissions import Action
from app.runtime import Runtime
from app.services.invitations import expiry
from app.settings import Settings
from tests import factories
from tests.client import GraphQLClient
from tests.documents import (
    AUDIT,
    CHANGE_MEMBER_ROLE,
    CLAIM,
    DELETE,
    DOMAINS,
    INVITATION_EVENTS,
    INVITATION_RECEIVED,
    LEAVE_DOMAIN,
    ME,
    MEMBER_EVENTS,
    MEMBER_HISTORY,
    REMOVE_MEMBER,
    RESEND,
    SIGN_OUT,
)
from tests.factories import add_member, create_role, create_user, role_named
from tests.polling import eventually
from tests.processes import (
    create_domain,
    gql_transport,
    invitations_received,
    invite,
    running_server,
    server_subscriptions,
    sign_up,
)
from tests.world import World

PROTOCOL = "graphql-transport-ws"
ALLOWED_ORIGIN = "https://app.example.com"


# ---------------------------------------------------------------- in-process app


@pytest.fixture
def app(db: TortoiseContext, auth: Authenticator, clock: ManualClock) -> Starlette:
    # Same key as the `auth` fixture, so factory-issued tokens are valid here.
    settings = Settings(
        secret_key="test-secret",
        password_hash_profile="cheapest",
        allowed_origins=(ALLOWED_ORIGIN,),
    )
    return create_app(settings, clock=clock)


@pytest.fixture
def gql(app: Starlette) -> GraphQLClient:
    """Mutations run through the schema with the app's runtime, so their events reach
    the app's sockets (and `world` is built with it)."""
    runtime: Runtime = app.state.runtime
    return GraphQLClient(runtime)


@pytest.fixture
def http(app: Starlette) -> httpx.AsyncClient:
    """An HTTP and WebSocket client of the app, to be opened in the test's own task
    (`async with http:`): the WebSocket transport's task group must be left in the task
    that entered it."""
    return httpx.AsyncClient(transport=ASGIWebSocketTransport(app=app), base_url="http://test")


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
        # Waiting out the whole period is the point: silence cannot be polled for.
        with pytest.raises(TimeoutError):
            await self.receive(timeout=seconds)


@asynccontextmanager
async def connect(
    http: httpx.AsyncClient, token: str | None, headers: dict[str, str] | None = None
) -> AsyncIterator[Socket]:
    ws: AsyncWebSocketSession
    async with aconnect_ws("/graphql", http, subprotocols=[PROTOCOL], headers=headers or {}) as ws:
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await ws.send_json({"type": "connection_init", "payload": payload})
        ack = await ws.receive_json(timeout=2)
        assert ack["type"] == "connection_ack"
        yield Socket(ws)


async def token_of(auth: Authenticator, session: Session) -> str:
    return await auth.issue_token(session.user.id)


async def subscribed(app: Starlette, count: int) -> None:
    """Wait until the server registered `count` subscriptions (no protocol ack exists)."""
    await eventually(lambda: bus_of(app).subscriptions == count, timeout=2)


async def sign_out(http: httpx.AsyncClient, token: str) -> None:
    """Sign out over HTTP, with the token a socket may also be using."""
    response = await http.post(
        "/graphql", json={"query": SIGN_OUT}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.json() == {"data": {"signOut": True}}


async def test_invitee_receives_the_invitation_within_a_second_of_the_mutation(
    app: Starlette, auth: Authenticator, world: World, http: httpx.AsyncClient
) -> None:
    async with http:
        bob = await create_user(auth, name="Bob")
        async with connect(http, await token_of(auth, bob)) as socket:
            await socket.subscribe("1", INVITATION_RECEIVED)
            await subscribed(app, 1)

            invitation_id = await world.invite(bob)
            sent_at = time.monotonic()
            message = await socket.receive(timeout=1)

        assert time.monotonic() - sent_at < 1
        assert message["type"] == "next" and message["id"] == "1"
        received = message["payload"]["data"]["invitationReceived"]
        assert received["id"] == invitation_id
        assert received["status"] == "PENDING"
        assert received["domain"]["name"] == "Acme"
        assert received["invitedBy"]["name"] == "Admin"
        assert received["role"]["name"] == "member"


async def test_resend_notifies_the_invitee_again(
    app: Starlette, auth: Authenticator, world: World, http: httpx.AsyncClient
) -> None:
    async with http:
        bob = await create_user(auth)
        invitation_id = await world.invite(bob)
        await world.respond(invitation_id, "DECLINE", as_=bob)
        await world.gql.runtime.relay.drain()  # what came before is published before we listen
        async with connect(http, await token_of(auth, bob)) as socket:
            await socket.subscribe("1", INVITATION_RECEIVED)
            await subscribed(app, 1)

            await world.mutate(RESEND, id=invitation_id)
            message = await socket.receive(timeout=1)

        received = message["payload"]["data"]["invitationReceived"]
        assert (received["id"], received["status"], received["resendCount"]) == (
            invitation_id,
            "PENDING",
            1,
        )


async def test_claiming_an_invitation_by_email_notifies_the_claimer(
    app: Starlette, auth: Authenticator, world: World, http: httpx.AsyncClient
) -> None:
    async with http:
        invitation = await world.invite_address("newcomer@example.com")
        outbox = await models.EmailMessage.get(invitation_id=invitation["id"])
        assert outbox.nonce is not None
        secret = world.gql.runtime.links.secret(outbox.nonce)  # as the mailer renders it
        carol = await create_user(auth)
        async with connect(http, await token_of(auth, carol)) as socket:
            await socket.subscribe("1", INVITATION_RECEIVED)
            await subscribed(app, 1)

            await world.mutate(CLAIM, as_=carol, token=secret)
            message = await socket.receive(timeout=1)

        received = message["payload"]["data"]["invitationReceived"]
        assert (received["id"], received["invitee"]) == (
            invitation["id"],
            {"id": str(carol.user.id)},
        )


async def test_domain_readers_see_every_event_of_the_lifecycle(
    app: Starlette, auth: Authenticator, world: World, http: httpx.AsyncClient
) -> None:
    async with http:
        bob, carol = await create_user(auth), await create_user(auth)
        async with connect(http, await token_of(auth, world.admin)) as socket:
            await socket.subscribe("events", INVITATION_EVENTS, {"domainId": str(world.domain.id)})
            await subscribed(app, 1)

            bobs, carols = await world.every_event(bob, carol)
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
        assert deleted["actor"]["id"] == str(world.admin.user.id)
        assert deleted["invitee"]["id"] == str(carol.user.id)


async def test_domain_events_resume_after_an_event_with_no_gap_or_repeat(
    app: Starlette, auth: Authenticator, world: World, http: httpx.AsyncClient
) -> None:
    async with http:
        people = [await create_user(auth) for _ in range(5)]
        sent = [await world.invite(person) for person in people[:3]]
        await world.gql.runtime.relay.drain()
        history = (await world.query(AUDIT, first=10)).ok()["auditLog"]["nodes"]
        after = next(e["id"] for e in history if e["invitationId"] == sent[0])
        domain = str(world.domain.id)
        async with connect(http, await token_of(auth, world.admin)) as socket:
            await socket.subscribe("live", INVITATION_EVENTS, {"domainId": domain})
            await subscribed(app, 1)
            third = await world.invite(people[3])
            live_first = await socket.receive(timeout=1)

            await socket.subscribe(
                "resumed", INVITATION_EVENTS, {"domainId": domain, "after": after}
            )
            replayed = [await socket.receive(timeout=1) for _ in range(3)]
            fourth = await world.invite(people[4])
            both = [await socket.receive(timeout=1) for _ in range(2)]
            await socket.assert_silent()

    def invitation_of(message: dict[str, Any]) -> str:
        return str(message["payload"]["data"]["invitationEvents"]["invitationId"])

    assert (live_first["id"], invitation_of(live_first)) == ("live", third)
    assert [(m["id"], invitation_of(m)) for m in replayed] == [
        ("resumed", sent[1]),
        ("resumed", sent[2]),
        ("resumed", third),
    ]
    assert sorted((m["id"], invitation_of(m)) for m in both) == [
        ("live", fourth),
        ("resumed", fourth),
    ]


async def test_resuming_after_an_event_of_another_domain_is_bad_user_input(
    app: Starlette, auth: Authenticator, world: World, http: httpx.AsyncClient
) -> None:
    async with http:
        beta = await factories.create_domain(world.admin, world.gql.runtime, name="Beta")
        other = World(world.gql, world.admin, beta)
        await other.invite(await create_user(auth))
        foreign = (await other.query(AUDIT, first=1)).ok()["auditLog"]["nodes"][0]["id"]
        async with connect(http, await token_of(auth, world.admin)) as socket:
            variables = {"domainId": str(world.domain.id), "after": foreign}
            await socket.subscribe("1", INVITATION_EVENTS, variables)
            refused = await socket.receive(timeout=1)

    assert refused["type"] == "error"
    assert refused["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_an_invitation_deleted_right_after_it_is_sent_does_not_end_the_stream(
    app: Starlette, auth: Authenticator, world: World, http: httpx.AsyncClient
) -> None:
    async with http:
        bob = await create_user(auth)
        async with connect(http, await token_of(auth, bob)) as socket:
            await socket.subscribe("1", INVITATION_RECEIVED)
            await subscribed(app, 1)
            for _ in range(10):
                await world.mutate(DELETE, id=await world.invite(bob))
            kept = await world.invite(bob)
            received = [await socket.receive(timeout=1)]
            while received[-1]["payload"]["data"]["invitationReceived"]["id"] != kept:
                received.append(await socket.receive(timeout=1))

    assert all(m["type"] == "next" and not m["payload"].get("errors") for m in received)


async def test_other_users_receive_nothing(
    app: Starlette, auth: Authenticator, world: World, http: httpx.AsyncClient
) -> None:
    async with http:
        bob, eve = await create_user(auth), await create_user(auth)
        async with (
            connect(http, await token_of(auth, bob)) as bobs,
            connect(http, await token_of(auth, eve)) as eves,
        ):
            await bobs.subscribe("1", INVITATION_RECEIVED)
            await eves.subscribe("1", INVITATION_RECEIVED)
            await subscribed(app, 2)

            await world.invite(bob)
            assert (await bobs.receive(timeout=1))["type"] == "next"
            await eves.assert_silent()


# Each domain stream, and a role that lacks the action it needs.
DOMAIN_STREAMS = {
    "invitationEvents": (INVITATION_EVENTS, {Action.DOMAIN_READ, Action.MEMBER_READ}),
    "memberEvents": (MEMBER_EVENTS, {Action.DOMAIN_READ, Action.INVITATION_READ}),
}


@pytest.mark.parametrize("stream", list(DOMAIN_STREAMS))
@pytest.mark.parametrize(("relation", "code"), [("member", "FORBIDDEN"), ("stranger", "NOT_FOUND")])
async def test_domain_streams_need_their_action_and_the_socket_stays_open(
    app: Starlette,
    auth: Authenticator,
    world: World,
    http: httpx.AsyncClient,
    stream: str,
    relation: str,
    code: str,
) -> None:
    document, lacking = DOMAIN_STREAMS[stream]
    async with http:
        user = await create_user(auth)
        if relation == "member":
            await add_member(world.domain, user, await create_role(world.domain, "x", lacking))
        async with connect(http, await token_of(auth, user)) as socket:
            await socket.subscribe("events", document, {"domainId": str(world.domain.id)})
            refused = await socket.receive()
            await socket.subscribe("mine", INVITATION_RECEIVED)
            await subscribed(app, 1)
            await world.invite(user) if relation == "stranger" else None
            still_served = await socket.receive(timeout=1) if relation == "stranger" else None

        assert refused["type"] == "error" and refused["id"] == "events"
        assert [e["extensions"]["code"] for e in refused["payload"]] == [code]
        if still_served is not None:
            assert still_served["id"] == "mine" and still_served["type"] == "next"


async def init_close_code(http: httpx.AsyncClient, payload: dict[str, str]) -> int:
    """The code the server closes with after this connection_init."""
    ws: AsyncWebSocketSession
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
    payload: dict[str, str], http: httpx.AsyncClient
) -> None:
    async with http:
        assert await init_close_code(http, payload) == 4403


async def test_an_expired_token_closes_the_socket_with_4403(
    auth: Authenticator, http: httpx.AsyncClient
) -> None:
    bob = await create_user(auth)
    token = await token_of(auth, bob)
    await models.AuthToken.filter(user_id=bob.user.id).update(expires_at=models.utcnow())

    async with http:
        assert await init_close_code(http, {"authorization": f"Bearer {token}"}) == 4403


async def test_several_subscriptions_on_one_socket_each_get_the_event(
    app: Starlette, auth: Authenticator, world: World, http: httpx.AsyncClient
) -> None:
    async with http:
        bob = await create_user(auth)
        domain = {"domainId": str(world.domain.id)}
        async with connect(http, await token_of(auth, world.admin)) as socket:
            await socket.subscribe("a", INVITATION_EVENTS, domain)
            await socket.subscribe("b", INVITATION_EVENTS, domain)
            await subscribed(app, 2)

            invitation_id = await world.invite(bob)
            messages = [await socket.receive(timeout=1) for _ in range(2)]

        assert sorted(m["id"] for m in messages) == ["a", "b"]
        assert {m["payload"]["data"]["invitationEvents"]["invitationId"] for m in messages} == {
            invitation_id
        }


async def test_many_sockets_each_get_only_their_own_invitation(
    app: Starlette, auth: Authenticator, world: World, http: httpx.AsyncClient
) -> None:
    async with http:
        invitees = [await create_user(auth) for _ in range(5)]
        tokens = [await token_of(auth, s) for s in invitees]
        async with _sockets(http, tokens) as sockets:
            for socket in sockets:
                await socket.subscribe("1", INVITATION_RECEIVED)
            await subscribed(app, 5)

            await world.send(invitees)
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
    app: Starlette, auth: Authenticator, world: World, http: httpx.AsyncClient
) -> None:
    async with http:
        broker = bus_of(app).broker
        assert isinstance(broker, InMemoryBroker)
        bob = await create_user(auth)
        domain = {"domainId": str(world.domain.id)}
        async with connect(http, await token_of(auth, world.admin)) as admin:
            async with connect(http, await token_of(auth, bob)) as bobs:
                await bobs.subscribe("1", INVITATION_RECEIVED)
                await admin.subscribe("a", INVITATION_EVENTS, domain)
                await admin.subscribe("b", INVITATION_EVENTS, domain)
                await subscribed(app, 3)
                assert broker.subscriber_count() == 3

                await admin.complete("a")
                await eventually(lambda: broker.subscriber_count() == 2, timeout=2)
            # bob disconnected without completing
            await eventually(lambda: broker.subscriber_count() == 1, timeout=2)
        await eventually(lambda: broker.subscriber_count() == 0, timeout=2)

        assert bus_of(app).subscriptions == 0


async def test_signing_out_ends_the_stream(
    app: Starlette, auth: Authenticator, world: World, http: httpx.AsyncClient
) -> None:
    async with http:
        bob = await create_user(auth)
        token = await token_of(auth, bob)
        async with connect(http, token) as socket:
            await socket.subscribe("1", INVITATION_RECEIVED)
            await subscribed(app, 1)

            await sign_out(http, token)
            await world.invite(bob)
            ended = await socket.receive(timeout=1)
            completed = await socket.receive(timeout=1)
            await subscribed(app, 0)

        assert ended["payload"]["data"] is None
        assert [e["extensions"]["code"] for e in ended["payload"]["errors"]] == ["UNAUTHENTICATED"]
        assert completed == {"id": "1", "type": "complete"}


async def remove_membership(world: World, user: Session) -> None:
    await models.Membership.filter(domain_id=world.domain.id, user_id=user.user.id).delete()


async def demote_to_member(world: World, user: Session) -> None:
    member = await role_named(world.domain, "member")
    await models.Membership.filter(domain_id=world.domain.id, user_id=user.user.id).update(
        role_id=member.id
    )


LOSE_ACCESS: dict[str, Callable[[World, Session], Awaitable[None]]] = {
    "membership removed": remove_membership,
    "role without INVITATION_READ": demote_to_member,
}


@pytest.mark.parametrize(
    ("change", "code"),
    [("membership removed", "NOT_FOUND"), ("role without INVITATION_READ", "FORBIDDEN")],
)
async def test_losing_access_mid_stream_stops_domain_events(
    app: Starlette,
    auth: Authenticator,
    world: World,
    http: httpx.AsyncClient,
    change: str,
    code: str,
) -> None:
    async with http:
        reader = await create_user(auth)
        auditor = await create_role(world.domain, "auditor", {Action.INVITATION_READ})
        await add_member(world.domain, reader, auditor)
        domain = {"domainId": str(world.domain.id)}
        async with (
            connect(http, await token_of(auth, reader)) as socket,
            connect(http, await token_of(auth, world.admin)) as admin,
        ):
            await socket.subscribe("events", INVITATION_EVENTS, domain)
            await admin.subscribe("events", INVITATION_EVENTS, domain)
            await subscribed(app, 2)
            await world.invite(await create_user(auth))
            delivered = await socket.receive(timeout=1)
            await admin.receive(timeout=1)

            await LOSE_ACCESS[change](world, reader)
            second = await world.invite(await create_user(auth))
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


async def test_removing_a_member_ends_their_domain_subscriptions_within_a_second(
    app: Starlette, auth: Authenticator, world: World, http: httpx.AsyncClient
) -> None:
    async with http:
        reader = await create_user(auth)
        await add_member(world.domain, reader, "admin")
        await world.gql.runtime.relay.drain()  # the domain's own JOINED is published before
        domain = {"domainId": str(world.domain.id)}
        async with (
            connect(http, await token_of(auth, reader)) as socket,
            connect(http, await token_of(auth, world.admin)) as admin,
        ):
            await socket.subscribe("invitations", INVITATION_EVENTS, domain)
            await socket.subscribe("members", MEMBER_EVENTS, domain)
            await socket.subscribe("mine", INVITATION_RECEIVED)
            await admin.subscribe("members", MEMBER_EVENTS, domain)
            await subscribed(app, 4)

            removed_at = time.monotonic()
            await world.mutate(
                REMOVE_MEMBER, domainId=str(world.domain.id), userId=str(reader.user.id)
            )
            ended = [await socket.receive(timeout=1) for _ in range(4)]
            elapsed = time.monotonic() - removed_at
            seen_by_admin = await admin.receive(timeout=1)
            await subscribed(app, 2)  # the reader's invitationReceived and the admin's

            await world.invite(reader)  # they can still be invited, and hear of it
            invited = await socket.receive(timeout=1)

        assert elapsed < 1
        errors = {m["id"]: m["payload"]["errors"] for m in ended if m["type"] == "next"}
        assert {op: [e["extensions"]["code"] for e in e_] for op, e_ in errors.items()} == {
            "invitations": ["NOT_FOUND"],
            "members": ["NOT_FOUND"],
        }
        assert sorted(m["id"] for m in ended if m["type"] == "complete") == [
            "invitations",
            "members",
        ]
        event = seen_by_admin["payload"]["data"]["memberEvents"]
        assert (event["kind"], event["user"]["id"]) == ("REMOVED", str(reader.user.id))
        assert invited["id"] == "mine" and invited["type"] == "next"


async def test_member_events_follow_every_membership_change(
    app: Starlette, auth: Authenticator, world: World, http: httpx.AsyncClient
) -> None:
    async with http:
        ann = await create_user(auth)
        await world.gql.runtime.relay.drain()  # the domain's own JOINED is published before
        async with connect(http, await token_of(auth, world.admin)) as socket:
            await socket.subscribe("members", MEMBER_EVENTS, {"domainId": str(world.domain.id)})
            await subscribed(app, 1)

            await world.respond(await world.invite(ann), "ACCEPT", as_=ann)
            await world.mutate(
                CHANGE_MEMBER_ROLE,
                domainId=str(world.domain.id),
                userId=str(ann.user.id),
                roleId=str((await role_named(world.domain, "admin")).id),
            )
            await world.mutate(LEAVE_DOMAIN, as_=ann, domainId=str(world.domain.id))
            events = [
                (await socket.receive(timeout=1))["payload"]["data"]["memberEvents"]
                for _ in range(3)
            ]

        assert [(e["kind"], e["role"]["name"]) for e in events] == [
            ("JOINED", "member"),
            ("ROLE_CHANGED", "admin"),
            ("LEFT", "admin"),
        ]
        assert events[1]["previousRole"]["name"] == "member"
        assert {e["user"]["id"] for e in events} == {str(ann.user.id)}


async def test_member_events_resume_after_an_event(
    app: Starlette, auth: Authenticator, world: World, http: httpx.AsyncClient
) -> None:
    async with http:
        ann, bob = await create_user(auth), await create_user(auth)
        await world.respond(await world.invite(ann), "ACCEPT", as_=ann)
        await world.gql.runtime.relay.drain()
        seen = (await world.query(MEMBER_HISTORY, first=1)).ok()["memberHistory"]["nodes"][0]
        await world.respond(await world.invite(bob), "ACCEPT", as_=bob)  # missed
        await world.gql.runtime.relay.drain()
        async with connect(http, await token_of(auth, world.admin)) as socket:
            variables = {"domainId": str(world.domain.id), "after": seen["id"]}
            await socket.subscribe("members", MEMBER_EVENTS, variables)
            replayed = await socket.receive(timeout=1)
            await subscribed(app, 1)
            await world.mutate(LEAVE_DOMAIN, as_=ann, domainId=str(world.domain.id))
            live = await socket.receive(timeout=1)

        assert seen["user"]["id"] == str(ann.user.id)
        got = [m["payload"]["data"]["memberEvents"] for m in (replayed, live)]
        assert [(e["kind"], e["user"]["id"]) for e in got] == [
            ("JOINED", str(bob.user.id)),
            ("LEFT", str(ann.user.id)),
        ]


async def test_the_expired_event_reaches_domain_readers(
    app: Starlette, auth: Authenticator, world: World, http: httpx.AsyncClient, clock: ManualClock
) -> None:
    async with http:
        ttl = Settings().invitation_ttl_seconds
        clock.advance(-ttl)  # sent a TTL ago (so that the tokens issued now stay valid)
        invitation_id = await world.invite(await create_user(auth))
        clock.advance(ttl)
        await world.gql.runtime.relay.drain()
        async with connect(http, await token_of(auth, world.admin)) as socket:
            await socket.subscribe("events", INVITATION_EVENTS, {"domainId": str(world.domain.id)})
            await subscribed(app, 1)

            clock.advance(1)
            await expiry.sweep(world.gql.runtime)
            message = await socket.receive(timeout=1)

        event = message["payload"]["data"]["invitationEvents"]
        assert (event["kind"], event["invitationId"], event["actor"]) == (
            "EXPIRED",
            invitation_id,
            None,
        )
        assert event["invitation"]["status"] == "EXPIRED"


# ---------------------------------------------------------------- uvicorn + gql


async def test_gql_client_receives_invitations_from_a_uvicorn_server(tmp_path: Path) -> None:
    with running_server({"DATABASE_URL": f"sqlite://{tmp_path}/app.sqlite3"}) as base:
        admin = sign_up(base, "ada@example.com")
        bob = sign_up(base, "bob@example.com")
        domain = create_domain(base, admin.token, "Acme")

        async with invitations_received(base, bob.token) as first:
            sent = await asyncio.to_thread(invite, base, admin.token, domain, bob.id)
            responded_at = time.monotonic()
            [received] = await asyncio.wait_for(first, timeout=1)
            delivered_after = time.monotonic() - responded_at
        await server_subscriptions(base, 0)

    assert received["invitationReceived"]["id"] == sent
    assert received["invitationReceived"]["domain"]["name"] == "Acme"
    assert delivered_after < 1


async def _handshake_status(base: str, origin: str | None) -> int:
    url = base.replace("http://", "ws://") + "/graphql"
    try:
        origin_header = Origin(origin) if origin is not None else None
        async with websockets.connect(
            url, origin=origin_header, subprotocols=[Subprotocol(PROTOCOL)]
        ):
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
        async with Client(transport=gql_transport(base, "forged-token")) as session:
            await anext(session.subscribe(parse_gql(INVITATION_RECEIVED)))

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
    auth: Authenticator, http: httpx.AsyncClient, end: str
) -> None:
    async with http:
        bob = await create_user(auth, name="Bob")
        token = await token_of(auth, bob)
        async with connect(http, token) as socket:
            me_before = await socket_query(socket, "1", ME)
            domains_before = await socket_query(socket, "2", DOMAINS)
            if end == "sign out":
                await sign_out(http, token)
            else:
                await models.AuthToken.filter(user_id=bob.user.id).update(
                    expires_at=datetime.now(UTC) - timedelta(seconds=1)
                )
            after = await socket_query(socket, "3", ME)
            refused = await socket_query(socket, "4", DOMAINS)

    assert me_before["data"]["me"]["name"] == "Bob"
    assert domains_before["data"] == {"domains": []}
    assert after["data"] == {"me": None}
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["UNAUTHENTICATED"]
