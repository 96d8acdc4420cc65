"""Rate limits: brute-forced sign-ins and invitation floods are refused with RATE_LIMITED."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from typing import Any

import pytest
from tortoise.context import TortoiseContext

from app import models
from app.auth import Authenticator
from app.errors import RateLimitedError
from app.ratelimit import Limit, MemoryStore, RateLimiter, RateLimits, RedisStore, Rule
from app.settings import Settings, SettingsError
from tests.client import GraphQLClient, Result, asgi_client
from tests.documents import RESEND, SEND, SIGN_IN
from tests.factories import create_user, role_named
from tests.processes import free_port
from tests.world import World

LIMITS = "signin_account=10/60,signin_ip=30/60,send=5/3600,resend=1/600"


@pytest.fixture
def limiter() -> RateLimiter:
    """Overrides conftest's: these tests run with limits on."""
    return RateLimiter(RateLimits.parse(LIMITS), MemoryStore())


async def sign_in(gql: GraphQLClient, email: str, password: str) -> tuple[str, dict[str, Any]]:
    result = await gql.execute(SIGN_IN, {"email": email, "password": password})
    if result.errors:
        return result.errors[0]["code"], result.errors[0]["extensions"]
    return result.ok()["signIn"]["__typename"], {}


async def test_eleventh_failed_sign_in_in_a_minute_is_refused(
    gql: GraphQLClient, auth: Authenticator
) -> None:
    await create_user(auth, email="ann@example.com", password="right-password")

    failures = [(await sign_in(gql, "ann@example.com", "wrong"))[0] for _ in range(10)]
    code, extensions = await sign_in(gql, "ann@example.com", "right-password")

    assert failures == ["InvalidCredentials"] * 10
    assert code == "RATE_LIMITED"
    assert 1 <= extensions["retryAfter"] <= 60


async def test_unknown_accounts_are_limited_like_real_ones(gql: GraphQLClient) -> None:
    for _ in range(10):
        await sign_in(gql, "nobody@example.com", "guess")

    assert (await sign_in(gql, "nobody@example.com", "guess"))[0] == "RATE_LIMITED"


async def test_successful_sign_in_clears_the_accounts_failures(
    gql: GraphQLClient, auth: Authenticator
) -> None:
    await create_user(auth, email="ann@example.com", password="right-password")
    for _ in range(9):
        await sign_in(gql, "ann@example.com", "wrong")
    assert (await sign_in(gql, "ann@example.com", "right-password"))[0] == "AuthPayload"

    failures = [(await sign_in(gql, "Ann@Example.com ", "wrong"))[0] for _ in range(10)]

    assert failures == ["InvalidCredentials"] * 10


async def test_sign_ins_from_one_address_are_limited_across_accounts(db: TortoiseContext) -> None:
    settings = Settings(
        password_hash_profile="cheapest", rate_limits=RateLimits.parse("signin_ip=3/60")
    )
    async with asgi_client(settings) as client:
        codes = []
        for n in range(4):
            variables = {"email": f"user{n}@example.com", "password": "wrong-password"}
            body = (
                await client.post("/graphql", json={"query": SIGN_IN, "variables": variables})
            ).json()
            codes.append(body["errors"][0]["extensions"]["code"] if "errors" in body else "ok")

    assert codes == ["ok", "ok", "ok", "RATE_LIMITED"]


async def send(world: World, invitee_ids: list[str]) -> Result:
    role_id = str((await role_named(world.domain, "member")).id)
    return await world.query(SEND, inviteeIds=invitee_ids, roleId=role_id)


async def test_sends_past_the_quota_are_refused_and_create_nothing(
    world: World, auth: Authenticator
) -> None:
    invitees = [str((await create_user(auth)).user.id) for _ in range(6)]

    first = await send(world, invitees[:3])
    over = await send(world, invitees[3:6])
    rest = await send(world, invitees[3:5])

    assert [r["__typename"] for r in first.ok()["sendInvitations"]["results"]] == ["Invitation"] * 3
    assert over.codes == ["RATE_LIMITED"]
    assert over.errors[0]["extensions"]["retryAfter"] > 0
    assert [r["__typename"] for r in rest.ok()["sendInvitations"]["results"]] == ["Invitation"] * 2
    assert await models.Invitation.filter(domain_id=world.domain.id).count() == 5


async def test_the_send_quota_counts_invitees_not_calls(
    gql: GraphQLClient, world: World, auth: Authenticator
) -> None:
    limiter = RateLimiter(RateLimits.parse("send=100/3600"), MemoryStore())
    gql.runtime = dataclasses.replace(gql.runtime, limiter=limiter)
    await world.invite(await create_user(auth))

    batch = [str(uuid.uuid4()) for _ in range(100)]
    refused = await send(world, batch)
    fits = await send(world, batch[:99])

    assert refused.codes == ["RATE_LIMITED"]
    results = fits.ok()["sendInvitations"]["results"]
    assert {r["code"] for r in results} == {"USER_NOT_FOUND"}
    assert await models.Invitation.filter(domain_id=world.domain.id).count() == 1


async def test_resends_past_the_limit_are_refused_and_change_nothing(
    world: World, auth: Authenticator
) -> None:
    invitee = await create_user(auth)
    invitation_id = await world.invite(invitee)

    await world.respond(invitation_id, "DECLINE", as_=invitee)
    resent = await world.mutate(RESEND, id=invitation_id)
    await world.respond(invitation_id, "DECLINE", as_=invitee)
    again = await world.query(RESEND, id=invitation_id)

    assert resent["status"] == "PENDING"
    assert again.codes == ["RATE_LIMITED"]
    row = await models.Invitation.get(id=invitation_id)
    assert (row.status, row.resend_count) == ("REJECTED", 1)


def test_rate_limits_format_overrides_defaults_and_can_be_off() -> None:
    limits = RateLimits.parse(" send=20/60 , resend=1/3600")

    assert limits.rules[Limit.SEND] == Rule(20, 60)
    assert limits.rules[Limit.RESEND] == Rule(1, 3600)
    assert limits.rules[Limit.SIGNIN_ACCOUNT] == Rule(10, 60)
    assert RateLimits.parse("off").rules == {}
    assert str(RateLimits.parse("")) == (
        "signin_account=10/60,signin_ip=30/60,send=500/3600,resend=3/600,invite_token=20/60"
    )


@pytest.mark.parametrize("text", ["send=20", "sends=1/60", "send=0/60", "send=a/b"])
def test_malformed_rate_limits_refuse_to_start(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setenv("RATE_LIMITS", text)

    with pytest.raises(SettingsError, match="RATE_LIMITS"):
        Settings.from_env(env_file="/nonexistent")


async def test_rate_limits_off_lets_everything_through() -> None:
    limiter = RateLimiter(RateLimits.off(), MemoryStore())

    for _ in range(1000):
        await limiter.consume(Limit.SIGNIN_ACCOUNT, "ann@example.com")


@pytest.mark.redis
async def test_redis_counters_are_shared_between_processes(redis_url: str) -> None:
    limits = RateLimits.parse("send=5/60")
    one, two = (RateLimiter(limits, RedisStore(redis_url)) for _ in range(2))
    key = uuid.uuid4().hex
    try:
        await one.consume(Limit.SEND, key, cost=3)
        await two.consume(Limit.SEND, key, cost=2)
        with pytest.raises(RateLimitedError) as refused:
            await one.consume(Limit.SEND, key, cost=1)
        assert 1 <= refused.value.retry_after <= 60
        await two.reset(Limit.SEND, key)
        await one.consume(Limit.SEND, key, cost=5)
    finally:
        await one.close()
        await two.close()


async def test_an_unreachable_store_lets_requests_through_and_logs_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limiter = RateLimiter.create(RateLimits(), f"redis://127.0.0.1:{free_port()}/0")
    try:
        with caplog.at_level(logging.WARNING, logger="app.ratelimit"):
            for _ in range(11):
                await limiter.consume(Limit.SIGNIN_ACCOUNT, "ann@example.com")
    finally:
        await limiter.close()

    assert [r.getMessage().split(" (")[0] for r in caplog.records] == ["rate limit store failed"]
