"""Expiry (SPEC rule 9): an unanswered invitation expires when its TTL has passed. It reads
as EXPIRED everywhere at once, the same before and after the sweep stores it; the sweep
records one EXPIRED event per expiry; an expired invitation is resent, never answered
or deleted. Tests move the clock instead of waiting."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest
from gql import Client, GraphQLRequest
from tortoise.exceptions import IntegrityError

from app import models
from app.auth import Authenticator, Session
from app.clock import ManualClock
from app.events import EventBus
from app.services.invitations import expiry
from app.settings import Settings
from tests.documents import (
    DELETE,
    INVITATION,
    INVITATION_EVENTS,
    INVITATIONS,
    MY_INVITATIONS,
    PENDING,
    RESEND,
    SEND,
    UPDATE_DOMAIN,
)
from tests.factories import create_user
from tests.polling import eventually
from tests.processes import (
    create_domain,
    gql_transport,
    graphql_data,
    invite,
    running_server,
    server_subscriptions,
    sign_up,
)
from tests.world import World

TTL = Settings().invitation_ttl_seconds
SWEPT = pytest.mark.parametrize("swept", [False, True], ids=["before the sweep", "swept"])


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def sweep(world: World) -> int:
    return await expiry.sweep(world.gql.runtime)


async def lapsed(
    world: World, auth: Authenticator, clock: ManualClock, *, swept: bool = False
) -> tuple[Session, str]:
    """A new user with an invitation whose deadline has just passed (stored EXPIRED by
    the sweep when `swept`)."""
    ann = await create_user(auth)
    invitation_id = await world.invite(ann)
    await world.gql.runtime.relay.drain()  # its SENT event is published
    clock.advance(TTL + 1)
    if swept:
        assert await sweep(world) == 1
    return ann, invitation_id


def ids_and_count(connection: dict[str, Any]) -> tuple[list[str], int]:
    return [n["id"] for n in connection["nodes"]], connection["totalCount"]


async def history(world: World, invitation_id: str) -> list[dict[str, Any]]:
    invitation = (await world.query(INVITATION, id=invitation_id)).ok()["invitation"]
    events: list[dict[str, Any]] = invitation["history"]
    return events


# --- the deadline -----------------------------------------------------------------------


async def test_an_invitation_expires_the_default_ttl_after_it_is_sent(
    world: World, auth: Authenticator
) -> None:
    [sent] = (await world.send([await create_user(auth)]))["results"]

    assert sent["status"] == "PENDING"
    assert moment(sent["expiresAt"]) - moment(sent["createdAt"]) == timedelta(seconds=TTL)


async def test_a_domain_ttl_applies_to_invitations_sent_or_resent_afterwards(
    world: World, auth: Authenticator, clock: ManualClock
) -> None:
    ann, bob = await create_user(auth), await create_user(auth)
    before = await world.invite(bob)
    await world.respond(before, "DECLINE", as_=bob)
    await world.mutate(UPDATE_DOMAIN, domainId=str(world.domain.id), ttl=3600)

    [sent] = (await world.send([ann]))["results"]
    resent = await world.mutate(RESEND, id=before)
    clock.advance(3601)

    hour = timedelta(seconds=3600)
    assert moment(sent["expiresAt"]) - moment(sent["createdAt"]) == hour
    assert moment(resent["expiresAt"]) - moment(resent["resentAt"]) == hour
    assert await sweep(world) == 2  # both expired after an hour, not the default week


async def test_a_null_domain_ttl_goes_back_to_the_server_default(
    world: World, auth: Authenticator
) -> None:
    await world.mutate(UPDATE_DOMAIN, domainId=str(world.domain.id), ttl=3600)
    await world.mutate(UPDATE_DOMAIN, domainId=str(world.domain.id), ttl=None)

    [sent] = (await world.send([await create_user(auth)]))["results"]

    assert moment(sent["expiresAt"]) - moment(sent["createdAt"]) == timedelta(seconds=TTL)


async def test_the_sweep_leaves_invitations_before_their_deadline_alone(
    world: World, auth: Authenticator, clock: ManualClock
) -> None:
    invitation_id = await world.invite(await create_user(auth))
    clock.advance(TTL - 5)

    assert await sweep(world) == 0
    invitation = (await world.query(INVITATION, id=invitation_id)).ok()["invitation"]
    assert invitation["status"] == "PENDING"
    assert [e["kind"] for e in invitation["history"]] == ["SENT"]


# --- expired in every read at once ------------------------------------------------------


async def observe(world: World, ann: Session) -> dict[str, Any]:
    """What the invitee and the admin see of their invitations, through every read."""
    mine = {
        status: ids_and_count(
            (await world.query(MY_INVITATIONS, as_=ann, status=status)).ok()["myInvitations"]
        )
        for status in ("PENDING", "EXPIRED")
    }
    table = {
        status: ids_and_count((await world.query(INVITATIONS, status=status)).ok()["invitations"])
        for status in ("PENDING", "EXPIRED", None)
    }
    everything = (await world.query(MY_INVITATIONS, as_=ann)).ok()["myInvitations"]["nodes"]
    return {
        "pending": ids_and_count((await world.query(PENDING, as_=ann)).ok()["pendingInvitations"]),
        "mine": mine,
        "table": table,
        "rows": {n["id"]: n for n in everything},
    }


async def test_a_lapsed_invitation_is_expired_in_every_read_before_and_after_the_sweep(
    world: World, auth: Authenticator, clock: ManualClock
) -> None:
    ann, bob = await create_user(auth), await create_user(auth)
    expiring = await world.invite(ann)
    clock.advance(TTL - 10)
    elsewhere = await (await world.elsewhere("Beta")).invite(ann)
    waiting = await world.invite(bob)
    clock.advance(11)  # past the first deadline only

    before = await observe(world, ann)
    swept = await sweep(world)
    after = await observe(world, ann)

    assert before["pending"] == ([elsewhere], 1)
    assert before["mine"] == {"PENDING": ([elsewhere], 1), "EXPIRED": ([expiring], 1)}
    assert before["table"] == {
        "PENDING": ([waiting], 1),
        "EXPIRED": ([expiring], 1),
        None: ([waiting, expiring], 2),
    }
    expired = before["rows"][expiring]
    assert expired["status"] == "EXPIRED"
    assert expired["updatedAt"] == expired["expiresAt"]  # it last changed when it expired
    assert before["rows"][elsewhere]["status"] == "PENDING"
    assert swept == 1
    assert after == before  # the sweep changes nothing a reader sees but the history


@pytest.mark.parametrize("reader", ["invitee", "admin"])
@SWEPT
async def test_one_expired_invitation_reads_expired_for_everyone(
    world: World, auth: Authenticator, clock: ManualClock, reader: str, swept: bool
) -> None:
    ann, invitation_id = await lapsed(world, auth, clock, swept=swept)

    result = await world.query(
        INVITATION, as_=ann if reader == "invitee" else None, id=invitation_id
    )

    assert result.ok()["invitation"]["status"] == "EXPIRED"


# --- the EXPIRED event ------------------------------------------------------------------


async def test_the_sweep_appends_one_expired_event_at_the_deadline_without_an_actor(
    world: World, auth: Authenticator, clock: ManualClock
) -> None:
    _, invitation_id = await lapsed(world, auth, clock)

    first, again = await sweep(world), await sweep(world)

    events = await history(world, invitation_id)
    invitation = (await world.query(INVITATION, id=invitation_id)).ok()["invitation"]
    assert (first, again) == (1, 0)
    assert [e["kind"] for e in events] == ["SENT", "EXPIRED"]
    assert events[1]["actor"] is None
    assert moment(events[1]["at"]) == moment(invitation["expiresAt"])
    assert (await models.Invitation.get(id=invitation_id)).status == "EXPIRED"


async def test_the_expired_event_is_published_on_the_domain_channel_once(
    world: World, auth: Authenticator, clock: ManualClock, bus: EventBus
) -> None:
    _, invitation_id = await lapsed(world, auth, clock)

    async with bus.broker.subscribe(f"domain:{world.domain.id}") as channel:
        await sweep(world)
        message = await asyncio.wait_for(anext(channel), timeout=2)
        await sweep(world)
        await world.gql.runtime.relay.drain()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(anext(channel), timeout=0.2)

    assert (message["kind"], message["invitation_id"]) == ("EXPIRED", invitation_id)


async def test_concurrent_sweeps_record_each_expiry_once(
    world: World, auth: Authenticator, clock: ManualClock
) -> None:
    people = [await create_user(auth) for _ in range(30)]
    await world.send(people)
    clock.advance(TTL + 1)

    counts = await asyncio.gather(*(sweep(world) for _ in range(4)))

    assert sum(counts) == 30
    assert await models.InvitationEvent.filter(kind="EXPIRED").count() == 30
    assert await models.Invitation.filter(status="EXPIRED").count() == 30


# --- what can be done with an expired invitation ----------------------------------------


@pytest.mark.parametrize("response", ["ACCEPT", "DECLINE"])
@SWEPT
async def test_an_expired_invitation_cannot_be_answered(
    world: World, auth: Authenticator, clock: ManualClock, response: str, swept: bool
) -> None:
    ann, invitation_id = await lapsed(world, auth, clock, swept=swept)

    result = await world.respond(invitation_id, response, as_=ann)

    assert (result["code"], result["status"]) == ("INVITATION_NOT_PENDING", "EXPIRED")
    assert await models.Membership.filter(user_id=ann.user.id).count() == 0


@SWEPT
async def test_an_expired_invitation_cannot_be_deleted(
    world: World, auth: Authenticator, clock: ManualClock, swept: bool
) -> None:
    _, invitation_id = await lapsed(world, auth, clock, swept=swept)

    result = await world.mutate(DELETE, id=invitation_id)

    assert (result["code"], result["status"]) == ("INVITATION_NOT_PENDING", "EXPIRED")
    assert await models.Invitation.exists(id=invitation_id)


@SWEPT
async def test_resend_reopens_an_expired_invitation_with_a_new_deadline(
    world: World, auth: Authenticator, clock: ManualClock, swept: bool
) -> None:
    ann, invitation_id = await lapsed(world, auth, clock, swept=swept)

    resent = await world.mutate(RESEND, id=invitation_id)

    assert (resent["id"], resent["status"], resent["resendCount"]) == (invitation_id, "PENDING", 1)
    assert moment(resent["expiresAt"]) - moment(resent["resentAt"]) == timedelta(seconds=TTL)
    # The expiry it ends is recorded once, before the resend, swept or not.
    assert [e["kind"] for e in resent["history"]] == ["SENT", "EXPIRED", "RESENT"]
    assert await sweep(world) == 0
    pending = (await world.query(PENDING, as_=ann)).ok()["pendingInvitations"]
    assert ids_and_count(pending) == ([invitation_id], 1)


async def test_a_resent_invitation_expires_again_after_a_new_ttl(
    world: World, auth: Authenticator, clock: ManualClock
) -> None:
    _, invitation_id = await lapsed(world, auth, clock, swept=True)
    await world.mutate(RESEND, id=invitation_id)
    clock.advance(TTL + 1)

    assert await sweep(world) == 1
    kinds = [e["kind"] for e in await history(world, invitation_id)]
    assert kinds == ["SENT", "EXPIRED", "RESENT", "EXPIRED"]


async def test_resending_an_expired_invitation_notifies_the_invitee(
    world: World, auth: Authenticator, clock: ManualClock, bus: EventBus
) -> None:
    ann, invitation_id = await lapsed(world, auth, clock)

    async with bus.broker.subscribe(f"user:{ann.user.id}") as inbox:
        await world.mutate(RESEND, id=invitation_id)
        message = await asyncio.wait_for(anext(inbox), timeout=2)

    assert (message["kind"], message["invitation_id"]) == ("RESENT", invitation_id)


@SWEPT
async def test_sending_again_to_an_expired_invitee_says_resend_that_one(
    world: World, auth: Authenticator, clock: ManualClock, swept: bool
) -> None:
    ann, _ = await lapsed(world, auth, clock, swept=swept)

    [result] = (await world.send([ann]))["results"]

    assert result["code"] == "INVITATION_EXPIRED"
    assert await models.Invitation.filter(invitee_id=ann.user.id).count() == 1


async def test_an_unswept_expired_invitation_still_holds_the_one_pending_place(
    world: World, auth: Authenticator, clock: ManualClock
) -> None:
    ann, invitation_id = await lapsed(world, auth, clock)
    invitation = await models.Invitation.get(id=invitation_id)

    # Past the service's refusal (a row written directly): the database refuses it too.
    duplicate = models.Invitation(
        domain_id=invitation.domain_id,
        invitee_id=ann.user.id,
        invitee_email=invitation.invitee_email,
        invited_by_id=invitation.invited_by_id,
        role_id=invitation.role_id,
        status="PENDING",
        expires_at=invitation.expires_at + timedelta(days=7),
    )
    with pytest.raises(IntegrityError):
        await duplicate.save()


# --- real servers: the sweep each process runs ------------------------------------------


async def test_a_server_records_and_publishes_each_expiry_by_itself(
    server_database_url: str,
) -> None:
    env = {"DATABASE_URL": server_database_url, "INVITATION_TTL_SECONDS": "1"}
    with running_server(env) as base:
        admin, bob = sign_up(base, "ada@example.com"), sign_up(base, "bob@example.com")
        domain = create_domain(base, admin.token, "Acme")
        async with Client(transport=gql_transport(base, admin.token)) as session:
            variables = {"domainId": domain["id"]}
            stream = session.subscribe(GraphQLRequest(INVITATION_EVENTS, variable_values=variables))
            sent_event = asyncio.ensure_future(anext(stream))
            await server_subscriptions(base, 1)

            invitation_id = await asyncio.to_thread(invite, base, admin.token, domain, bob.id)
            sent_at = time.monotonic()
            sent = (await asyncio.wait_for(sent_event, timeout=5))["invitationEvents"]
            expired = (await asyncio.wait_for(anext(stream), timeout=60))["invitationEvents"]
            after = time.monotonic() - sent_at
            await stream.aclose()

    assert (sent["kind"], expired["kind"]) == ("SENT", "EXPIRED")
    assert expired["invitationId"] == invitation_id and expired["actor"] is None
    assert expired["invitation"]["status"] == "EXPIRED"
    assert after < 1 + 60  # SPEC: within 60 s of expiry (a sweep runs every 5 s)


@pytest.mark.postgres
async def test_two_servers_sweeping_one_database_record_each_expiry_once(
    postgres_database: str,
) -> None:
    env = {"DATABASE_URL": postgres_database, "INVITATION_TTL_SECONDS": "1"}
    with running_server(env) as one, running_server(env) as other:
        admin = sign_up(one, "ada@example.com")
        domain = create_domain(one, admin.token, "Acme")
        invitees = [sign_up(other, f"user{n}@example.com").id for n in range(40)]
        role = next(r["id"] for r in domain["roles"] if r["name"] == "member")
        variables = {"domainId": domain["id"], "inviteeIds": invitees, "roleId": role}
        graphql_data(one, SEND, variables, admin.token)

        async def all_expired() -> bool:
            return await expired_events(postgres_database) == len(invitees)

        await eventually(all_expired, timeout=30, interval=0.5, what="40 EXPIRED events")
        # Both servers sweep again (every 5 s): still one event per expiry afterwards.
        # Waiting out a sweep is the point: an event that must not appear cannot be polled.
        await asyncio.sleep(expiry.SWEEP_SECONDS + 1)
        assert await expired_events(postgres_database) == len(invitees)


async def expired_events(database_url: str) -> int:
    connection = await asyncpg.connect(database_url)
    try:
        count: int = await connection.fetchval(
            "SELECT COUNT(*) FROM invitation_event WHERE kind = 'EXPIRED'"
        )
        return count
    finally:
        await connection.close()


# --- INVITATION_TTL_SECONDS -------------------------------------------------------------


@pytest.mark.parametrize(("value", "seconds"), [(None, 604800), ("1", 1), ("86400", 86400)])
def test_the_server_default_ttl_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str | None, seconds: int
) -> None:
    if value is not None:
        monkeypatch.setenv("INVITATION_TTL_SECONDS", value)

    assert Settings.from_env(env_file="/nonexistent").invitation_ttl_seconds == seconds


@pytest.mark.parametrize("value", ["0", "-5", "a week", "315360001", "99999999999999"])
def test_the_server_default_ttl_must_be_a_positive_integer_up_to_ten_years(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("INVITATION_TTL_SECONDS", value)

    with pytest.raises(ValueError, match="INVITATION_TTL_SECONDS"):
        Settings.from_env(env_file="/nonexistent")
