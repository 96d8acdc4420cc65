"""Several server processes behind one Redis: notifications cross processes, and
survive a Redis restart."""

from __future__ import annotations

import asyncio

import pytest

from tests.polling import wait_until
from tests.processes import (
    RedisServer,
    create_domain,
    invitations_received,
    invite,
    is_ready,
    running_server,
    sign_up,
)


@pytest.mark.postgres
@pytest.mark.redis
async def test_a_subscriber_on_one_process_receives_an_invitation_sent_through_another(
    postgres_database: str, redis_url: str
) -> None:
    env = {"DATABASE_URL": postgres_database, "REDIS_URL": redis_url}
    with running_server(env) as process_a, running_server(env) as process_b:
        admin = sign_up(process_b, "ada@example.com")
        bob = sign_up(process_a, "bob@example.com")
        domain = create_domain(process_b, admin.token, "Acme")

        async with invitations_received(process_a, bob.token) as first:
            sent = await asyncio.to_thread(invite, process_b, admin.token, domain, bob.id)
            [received] = await asyncio.wait_for(first, timeout=5)

    assert received["invitationReceived"]["id"] == sent
    assert received["invitationReceived"]["domain"]["name"] == "Acme"


async def test_invitations_sent_while_redis_is_down_are_delivered_once_it_is_back(
    server_database_url: str, own_redis: RedisServer
) -> None:
    env = {"DATABASE_URL": server_database_url, "REDIS_URL": own_redis.url}
    with running_server(env) as base:
        admin = sign_up(base, "ada@example.com")
        bob = sign_up(base, "bob@example.com")
        acme = create_domain(base, admin.token, "Acme")
        other = create_domain(base, admin.token, "Beta")

        async with invitations_received(base, bob.token, count=2) as two:
            own_redis.kill()
            during_outage = await asyncio.to_thread(invite, base, admin.token, acme, bob.id)
            own_redis.start()
            await asyncio.to_thread(
                wait_until, lambda: is_ready(base), timeout=15, what="readiness after the restart"
            )
            after_restart = await asyncio.to_thread(invite, base, admin.token, other, bob.id)
            received = await asyncio.wait_for(two, timeout=10)

    # The mutation succeeded during the outage, and its event waited for Redis.
    assert [r["invitationReceived"]["id"] for r in received] == [during_outage, after_restart]
    assert received[1]["invitationReceived"]["domain"]["name"] == "Beta"
