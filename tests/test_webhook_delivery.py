"""Deliveries to a real receiver on loopback: signed, retried on the schedule with the same
webhook-id, recorded attempt by attempt, given up, and refused where the rules say so.
The dispatcher runs in the test's loop; the clock moves instead of the test sleeping."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from prometheus_client import REGISTRY

from app import models
from app.auth import Authenticator
from app.clock import ManualClock
from app.runtime import Runtime
from app.services.webhooks.dispatcher import DISABLE_AFTER, Dispatcher
from tests.client import PRODUCTION
from tests.documents import WEBHOOK_DELIVERIES
from tests.factories import create_user
from tests.receiver import Answer, Receiver, running_receiver
from tests.world import World


@pytest.fixture
async def dispatcher(runtime: Runtime, clock: ManualClock) -> AsyncIterator[Dispatcher]:
    """The dispatcher of the test's process, with a 1 s timeout (and the default retries)."""
    settings = dataclasses.replace(runtime.settings, webhook_timeout_seconds=1.0)
    dispatcher = Dispatcher(settings, clock)
    yield dispatcher
    await dispatcher.stop()


@pytest.fixture
def retrying_after_a_second(dispatcher: Dispatcher) -> Dispatcher:
    """The dispatcher with one retry, a second after the first attempt."""
    dispatcher.settings = dataclasses.replace(dispatcher.settings, webhook_retry_seconds=(1,))
    return dispatcher


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as receiver:
        yield receiver


async def subscribe(world: World, receiver: Receiver, *events: str) -> dict[str, Any]:
    webhook = await world.create_webhook(receiver.url, events or ["INVITATION_SENT"])
    receiver.secret = webhook["secret"]
    return webhook


async def delivery_log(world: World) -> dict[str, Any]:
    """The first webhook's newest delivery, as the web app reads it."""
    [webhook] = (await world.query(WEBHOOK_DELIVERIES)).ok()["webhooks"]
    node: dict[str, Any] = webhook["deliveries"]["nodes"][0]
    return node


def samples(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_receiver_failing_twice_gets_the_same_message_until_it_succeeds(
    world: World,
    auth: Authenticator,
    clock: ManualClock,
    dispatcher: Dispatcher,
    receiver: Receiver,
) -> None:
    await subscribe(world, receiver)
    receiver.script += [Answer(500, b"database is down"), Answer(503), Answer(204)]
    errors_before = samples("invitations_webhook_attempts_total", result="http_error")
    invitation = await world.invite(await create_user(auth, name="Bob"))

    assert await dispatcher.round() == 1
    assert await dispatcher.round() == 0  # the retry is 5 s away
    clock.advance(5)
    assert await dispatcher.round() == 1
    clock.advance(29)
    assert await dispatcher.round() == 0
    clock.advance(1)
    assert await dispatcher.round() == 1

    [event_id] = {r.webhook_id for r in receiver.received}
    assert [r.answered for r in receiver.received] == [500, 503, 204]
    assert all(r.verified for r in receiver.received)
    assert receiver.received[0].payload["data"]["invitation"]["id"] == invitation
    log = await delivery_log(world)
    assert (log["eventId"], log["status"], log["attempts"]) == (event_id, "SUCCEEDED", 3)
    assert (log["lastStatusCode"], log["nextAttemptAt"]) == (204, None)
    attempts = log["attemptLog"]
    assert [(a["statusCode"], a["error"]) for a in attempts] == [
        (500, "HTTP 500"),
        (503, "HTTP 503"),
        (204, None),
    ]
    assert attempts[0]["responseBody"] == "database is down"
    after = samples("invitations_webhook_attempts_total", result="http_error")
    assert after - errors_before == 2


async def test_a_receiver_that_does_not_answer_in_time_is_tried_again(
    world: World,
    auth: Authenticator,
    clock: ManualClock,
    dispatcher: Dispatcher,
    receiver: Receiver,
) -> None:
    await subscribe(world, receiver)
    receiver.script += [Answer(204, delay=3)]  # longer than the 1 s timeout
    await world.invite(await create_user(auth))

    await dispatcher.round()
    first = await delivery_log(world)
    clock.advance(5)
    await dispatcher.round()

    [timed_out] = first["attemptLog"]
    assert timed_out["statusCode"] is None and timed_out["error"] == "No answer within 1 s"
    assert 1000 <= timed_out["durationMs"] < 2000
    assert (first["status"], first["attempts"]) == ("PENDING", 1)
    log = await delivery_log(world)
    assert (log["status"], log["attempts"]) == ("SUCCEEDED", 2)
    assert len(set(receiver.per_id())) == 1 and sum(receiver.per_id().values()) == 2


async def test_an_event_type_the_webhook_did_not_subscribe_to_is_not_sent(
    world: World, auth: Authenticator, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    await subscribe(world, receiver, "INVITATION_ACCEPTED")
    ann, bob = await create_user(auth), await create_user(auth)
    await world.respond(await world.invite(ann), "DECLINE", as_=ann)
    await world.respond(await world.invite(bob), "ACCEPT", as_=bob)

    assert await dispatcher.round() == 1

    assert [r.payload["type"] for r in receiver.received] == ["invitation.accepted"]
    assert receiver.received[0].payload["data"]["invitee"]["id"] == str(bob.user.id)


async def test_a_delivery_failing_every_attempt_fails_and_a_long_run_disables_the_webhook(
    world: World,
    auth: Authenticator,
    clock: ManualClock,
    retrying_after_a_second: Dispatcher,
    receiver: Receiver,
) -> None:
    webhook = await subscribe(world, receiver)
    receiver.script += [Answer(500)] * (2 * DISABLE_AFTER)
    await world.send([await create_user(auth) for _ in range(DISABLE_AFTER)])

    assert await retrying_after_a_second.round() == DISABLE_AFTER
    clock.advance(1)
    assert await retrying_after_a_second.round() == DISABLE_AFTER

    statuses = await models.WebhookDelivery.filter(webhook_id=webhook["id"]).values_list(
        "status", "attempts", "next_attempt_at"
    )
    assert set(statuses) == {("FAILED", 2, None)}
    [listed] = (await world.query(WEBHOOK_DELIVERIES)).ok()["webhooks"]
    assert listed["enabled"] is False
    assert listed["disabledReason"].startswith(f"Disabled after {DISABLE_AFTER} deliveries")
    # Disabled: a new event writes no delivery.
    await world.invite(await create_user(auth))
    assert await models.WebhookDelivery.filter(webhook_id=webhook["id"]).count() == DISABLE_AFTER


async def test_a_success_ends_a_run_of_failed_deliveries(
    world: World,
    auth: Authenticator,
    clock: ManualClock,
    retrying_after_a_second: Dispatcher,
    receiver: Receiver,
) -> None:
    webhook = await subscribe(world, receiver)
    receiver.script += [Answer(500), Answer(500)]
    await world.invite(await create_user(auth))
    await retrying_after_a_second.round()
    clock.advance(1)
    await retrying_after_a_second.round()
    assert (await models.Webhook.get(id=webhook["id"])).consecutive_failures == 1

    await world.invite(await create_user(auth))
    await retrying_after_a_second.round()

    assert (await models.Webhook.get(id=webhook["id"])).consecutive_failures == 0


async def test_production_refuses_a_loopback_receiver_when_delivering(
    world: World, auth: Authenticator, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    """The address is checked again at each attempt: here the URL was accepted in
    development, as one whose name later resolves to a private address would be."""
    await subscribe(world, receiver)
    dispatcher.settings = dataclasses.replace(
        PRODUCTION, secret_key=dispatcher.settings.secret_key, webhook_timeout_seconds=1.0
    )
    await world.invite(await create_user(auth))

    await dispatcher.round()

    assert receiver.received == []
    log = await delivery_log(world)
    assert (log["status"], log["attempts"], log["lastStatusCode"]) == ("PENDING", 1, None)
    assert log["attemptLog"][0]["error"] == "Refused: url must use https"


async def test_only_the_first_kibibyte_of_an_answer_is_kept(
    world: World, auth: Authenticator, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    await subscribe(world, receiver)
    receiver.script += [Answer(200, b"x" * 5000)]
    await world.invite(await create_user(auth))

    await dispatcher.round()

    [attempt] = (await delivery_log(world))["attemptLog"]
    assert attempt["responseBody"] == "x" * 1024
