"""Several server processes behind one Redis: notifications cross processes, and
survive a Redis restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from gql import Client, gql

from tests.polling import wait_until
from tests.processes import RedisServer, graphql_data, is_ready, redis_server, running_server
from tests.test_subscriptions import (
    CREATE_DOMAIN,
    INVITATION_RECEIVED,
    SEND,
    _gql_transport,
    _server_subscriptions,
    _sign_up,
)


def _invite(base: str, token: str, domain: dict[str, Any], invitee_id: str) -> str:
    """Send one invitation through the server at `base`; return its id."""
    role = next(r["id"] for r in domain["roles"] if r["name"] == "member")
    variables = {"domainId": domain["id"], "inviteeIds": [invitee_id], "roleId": role}
    [result] = graphql_data(base, SEND, variables, token)["sendInvitations"]["results"]
    invitation_id: str = result["id"]
    return invitation_id


@asynccontextmanager
async def _invitations_of(base: str, token: str) -> AsyncIterator[asyncio.Future[Any]]:
    """Subscribe to invitationReceived on `base`; yield the future of the first one."""
    async with Client(transport=_gql_transport(base, token)) as session:
        stream = session.subscribe(gql(INVITATION_RECEIVED))
        first = asyncio.ensure_future(anext(stream))
        await _server_subscriptions(base, 1)
        try:
            yield first
        finally:
            first.cancel()
            await stream.aclose()


@pytest.mark.postgres
@pytest.mark.redis
async def test_a_subscriber_on_one_process_receives_an_invitation_sent_through_another(
    postgres_database: str, redis_url: str
) -> None:
    env = {"DATABASE_URL": postgres_database, "REDIS_URL": redis_url}
    with running_server(env) as process_a, running_server(env) as process_b:
        admin, _ = _sign_up(process_b, "ada@example.com")
        bob, bob_id = _sign_up(process_a, "bob@example.com")
        domain = graphql_data(process_b, CREATE_DOMAIN, {}, admin)["createDomain"]

        async with _invitations_of(process_a, bob) as first:
            sent = await asyncio.to_thread(_invite, process_b, admin, domain, bob_id)
            received = await asyncio.wait_for(first, timeout=5)

    assert received["invitationReceived"]["id"] == sent
    assert received["invitationReceived"]["domain"]["name"] == "Acme"


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    with redis_server(tmp_path) as server:
        yield server


async def test_subscriptions_resume_after_redis_restarts_and_mutations_succeed_meanwhile(
    server_database_url: str, own_redis: RedisServer
) -> None:
    env = {"DATABASE_URL": server_database_url, "REDIS_URL": own_redis.url}
    with running_server(env) as base:
        admin, _ = _sign_up(base, "ada@example.com")
        bob, bob_id = _sign_up(base, "bob@example.com")
        acme = graphql_data(base, CREATE_DOMAIN, {}, admin)["createDomain"]
        other = graphql_data(base, CREATE_DOMAIN.replace("Acme", "Beta"), {}, admin)["createDomain"]

        async with _invitations_of(base, bob) as first:
            own_redis.kill()
            during_outage = await asyncio.to_thread(_invite, base, admin, acme, bob_id)
            own_redis.start()
            await asyncio.to_thread(
                wait_until, lambda: is_ready(base), timeout=15, what="readiness after the restart"
            )
            after_restart = await asyncio.to_thread(_invite, base, admin, other, bob_id)
            received = await asyncio.wait_for(first, timeout=5)

    assert during_outage  # the mutation succeeded; its notification is lost with Redis
    assert received["invitationReceived"]["id"] == after_restart
    assert received["invitationReceived"]["domain"]["name"] == "Beta"
