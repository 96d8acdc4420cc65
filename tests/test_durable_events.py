"""What subscriptions report comes from committed event rows: a process that dies before
publishing, or a Redis that hangs, delays a notification and never loses it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import pytest
from tortoise.transactions import in_transaction

from tests.factories import create_user
from tests.processes import (
    ROOT,
    RedisServer,
    create_domain,
    invitations_received,
    invite,
    running_server,
    sign_up,
)
from tests.world import World


async def test_an_event_a_dying_process_committed_is_published_by_another(
    server_database_url: str,
) -> None:
    with running_server({"DATABASE_URL": server_database_url}) as base:
        admin = sign_up(base, "ada@example.com")
        bob = sign_up(base, "bob@example.com")
        domain = create_domain(base, admin.token, "Acme")
        member = next(r["id"] for r in domain["roles"] if r["name"] == "member")

        async with invitations_received(base, bob.token) as first:
            worker = [sys.executable, "-m", "tests.commit_and_die", server_database_url]
            died = await asyncio.to_thread(
                subprocess.run,
                [*worker, admin.email, domain["id"], bob.id, member],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=60,
            )
            [received] = await asyncio.wait_for(first, timeout=10)

    assert died.returncode == 0, died.stderr
    assert received["invitationReceived"]["id"] == died.stdout.strip()


async def test_a_frozen_redis_neither_slows_a_mutation_nor_loses_its_event(
    server_database_url: str, own_redis: RedisServer
) -> None:
    env = {"DATABASE_URL": server_database_url, "REDIS_URL": own_redis.url}
    with running_server(env) as base:
        admin = sign_up(base, "ada@example.com")
        bob = sign_up(base, "bob@example.com")
        domain = create_domain(base, admin.token, "Acme")

        async with invitations_received(base, bob.token) as first:
            own_redis.freeze()
            try:
                started = time.monotonic()
                sent = await asyncio.to_thread(invite, base, admin.token, domain, bob.id)
                took = time.monotonic() - started
            finally:
                own_redis.thaw()
            [received] = await asyncio.wait_for(first, timeout=15)

    assert took < 1.0  # publishing is the relay's business, not the mutation's
    assert received["invitationReceived"]["id"] == sent


class _RolledBack(Exception):
    pass


async def test_a_change_kicking_the_relay_inside_a_transaction_publishes_nothing_of_it(
    world: World,
) -> None:
    # A mutation sent with an Idempotency-Key runs inside the transaction that stores its
    # answer, so its service kicks the relay before that commits (and it may roll back).
    relay = world.gql.runtime.relay
    invitee = await create_user(world.gql.runtime.auth)
    await relay.drain()
    published = relay.published

    with pytest.raises(_RolledBack):
        async with in_transaction():
            await world.invite(invitee)
            await relay.drain()
            raise _RolledBack

    assert relay.published == published  # no round ran on the transaction's connection
    assert await relay.round() == 0  # and nothing of it was committed
