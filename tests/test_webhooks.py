"""Managing webhooks, and the deliveries each change writes in its own transaction."""

from __future__ import annotations

import base64
import dataclasses
from typing import Any
from unittest.mock import ANY

import orjson
import pytest
from standardwebhooks import Webhook

from app import models
from app.auth import Authenticator
from app.clock import ManualClock
from app.models import WebhookEventType
from app.runtime import Runtime
from app.services.invitations import expiry
from app.services.webhooks import destinations, secrets
from app.settings import Settings
from tests.client import PRODUCTION, GraphQLClient
from tests.documents import (
    CHANGE_MEMBER_ROLE,
    CREATE_WEBHOOK,
    DELETE_WEBHOOK,
    LEAVE_DOMAIN,
    REMOVE_MEMBER,
    ROTATE_WEBHOOK_SECRET,
    UPDATE_WEBHOOK,
    WEBHOOKS,
)
from tests.factories import add_member, create_user
from tests.world import World

RECEIVER = "http://127.0.0.1:9/hooks"  # never reached here: nothing is dispatched
EVERY_TYPE = [kind.value for kind in WebhookEventType]


async def delivered_types(webhook_id: str) -> list[str]:
    found = models.WebhookDelivery.filter(webhook_id=webhook_id).order_by("created_at", "id")
    return [d.event_type for d in await found]


# --- managing ------------------------------------------------------------------------


async def test_create_webhook_shows_a_standard_webhooks_secret_only_once(world: World) -> None:
    created = await world.create_webhook(RECEIVER, ["INVITATION_SENT", "MEMBER_JOINED"])

    secret = created["secret"]
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    Webhook(secret)  # the library accepts it as is
    assert created["events"] == ["INVITATION_SENT", "MEMBER_JOINED"]
    assert created["enabled"] is True and created["disabledReason"] is None
    # Neither the list nor the database row holds it: the row keeps a seed.
    [listed] = (await world.query(WEBHOOKS)).ok()["webhooks"]
    assert "secret" not in listed and listed["id"] == created["id"]
    row = await models.Webhook.get(id=created["id"])
    assert secret[6:] not in row.secret
    assert secrets.signing_secret(world.gql.runtime.settings.secret_key, row.secret) == secret


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"url": "ftp://127.0.0.1/hooks"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "http://127.0.0.1/hooks#fragment"}, "url"),
        ({"url": "http://127.0.0.1/" + "a" * 2048}, "url"),
        ({"url": "http://10.1.2.3/hooks"}, "url"),  # private
        ({"url": "http://169.254.169.254/latest/meta-data"}, "url"),  # link-local metadata
        ({"url": "http://[fe80::1]/hooks"}, "url"),
        ({"url": "http://[::ffff:10.0.0.1]/hooks"}, "url"),  # IPv4-mapped private
        ({"events": []}, "events"),
        ({"description": "x" * 501}, "description"),
    ],
)
async def test_create_webhook_refuses_invalid_input(
    world: World, variables: dict[str, Any], field: str
) -> None:
    arguments = {"url": RECEIVER, "events": ["INVITATION_SENT"], **variables}

    payload = await world.mutate(CREATE_WEBHOOK, domainId=str(world.domain.id), **arguments)

    assert (payload["__typename"], payload["field"]) == ("InvalidInput", field)
    assert await models.Webhook.all().count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.216.34/hooks",  # public, but not https
        "https://127.0.0.1/hooks",
        "https://localhost/hooks",  # a name that resolves to loopback
        "https://[::1]/hooks",
    ],
)
async def test_production_refuses_plain_http_and_loopback(
    world: World, runtime: Runtime, url: str
) -> None:
    production = GraphQLClient(dataclasses.replace(runtime, settings=PRODUCTION))
    variables = {"domainId": str(world.domain.id), "url": url, "events": ["INVITATION_SENT"]}

    result = await production.execute(CREATE_WEBHOOK, variables, as_=world.admin)

    assert result.ok()["createWebhook"]["__typename"] == "InvalidInput"


async def test_production_accepts_https_to_a_public_address(world: World, runtime: Runtime) -> None:
    production = GraphQLClient(dataclasses.replace(runtime, settings=PRODUCTION))
    variables = {
        "domainId": str(world.domain.id),
        "url": "https://93.184.216.34/hooks",
        "events": ["INVITATION_SENT"],
    }

    result = await production.execute(CREATE_WEBHOOK, variables, as_=world.admin)

    assert result.ok()["createWebhook"]["__typename"] == "WebhookCreated"


def test_address_rules() -> None:
    def allowed(text: str, production: bool) -> bool:
        import ipaddress

        return destinations.allowed(ipaddress.ip_address(text), production=production)

    assert allowed("127.0.0.1", production=False) and allowed("::1", production=False)
    assert not allowed("127.0.0.1", production=True) and not allowed("::1", production=True)
    for refused in (
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "fd00::1",
        "fe80::1",
        "::ffff:192.168.0.1",
    ):
        assert not allowed(refused, production=False), refused
        assert not allowed(refused, production=True), refused
    assert allowed("93.184.216.34", production=True)
    assert allowed("2606:2800:220:1:248:1893:25c8:1946", production=True)


async def test_webhooks_need_webhook_manage(world: World, auth: Authenticator) -> None:
    member, outsider = await create_user(auth), await create_user(auth)
    await add_member(world.domain, member)
    created = await world.create_webhook(RECEIVER)

    assert (await world.query(WEBHOOKS, as_=member)).codes == ["FORBIDDEN"]
    assert (await world.query(WEBHOOKS, as_=outsider)).codes == ["NOT_FOUND"]
    creating = {"url": RECEIVER, "events": ["INVITATION_SENT"]}
    assert (await world.query(CREATE_WEBHOOK, as_=member, **creating)).codes == ["FORBIDDEN"]
    forbidden = await world.query(DELETE_WEBHOOK, as_=member, webhookId=created["id"])
    assert forbidden.codes == ["FORBIDDEN"]
    hidden = await world.query(ROTATE_WEBHOOK_SECRET, as_=outsider, webhookId=created["id"])
    assert hidden.ok()["rotateWebhookSecret"]["code"] == "NOT_FOUND"
    anonymous = await world.gql.execute(WEBHOOKS, {"domainId": str(world.domain.id)})
    assert anonymous.codes == ["UNAUTHENTICATED"]


async def test_update_webhook_changes_what_is_given_and_keeps_the_rest(world: World) -> None:
    created = await world.create_webhook(RECEIVER, description="CRM sync")

    updated = await world.mutate(
        UPDATE_WEBHOOK, webhookId=created["id"], events=["INVITATION_ACCEPTED", "MEMBER_LEFT"]
    )

    assert updated["events"] == ["INVITATION_ACCEPTED", "MEMBER_LEFT"]
    assert (updated["url"], updated["description"]) == (RECEIVER, "CRM sync")
    cleared = await world.mutate(UPDATE_WEBHOOK, webhookId=created["id"], description="")
    assert cleared["description"] is None
    refused = await world.mutate(UPDATE_WEBHOOK, webhookId=created["id"], url="http://10.0.0.1/")
    assert (refused["__typename"], refused["field"]) == ("InvalidInput", "url")


async def test_enabling_again_clears_an_automatic_disabling(world: World) -> None:
    created = await world.create_webhook(RECEIVER)
    await models.Webhook.filter(id=created["id"]).update(
        enabled=False, disabled_reason="Disabled after 10 deliveries…", consecutive_failures=10
    )

    enabled = await world.mutate(UPDATE_WEBHOOK, webhookId=created["id"], enabled=True)

    assert (enabled["enabled"], enabled["disabledReason"]) == (True, None)
    assert (await models.Webhook.get(id=created["id"])).consecutive_failures == 0


async def test_rotating_the_secret_replaces_it(world: World) -> None:
    created = await world.create_webhook(RECEIVER)

    rotated = await world.mutate(ROTATE_WEBHOOK_SECRET, webhookId=created["id"])

    assert rotated["__typename"] == "WebhookSecretRotated"
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    row = await models.Webhook.get(id=created["id"])
    key = world.gql.runtime.settings.secret_key
    assert secrets.signing_secret(key, row.secret) == rotated["secret"]


async def test_deleting_a_webhook_deletes_its_deliveries(world: World, auth: Authenticator) -> None:
    created = await world.create_webhook(RECEIVER)
    await world.invite(await create_user(auth))

    deleted = await world.mutate(DELETE_WEBHOOK, webhookId=created["id"])

    assert deleted == {"__typename": "DeletedWebhook", "id": created["id"]}
    assert (await world.query(WEBHOOKS)).ok()["webhooks"] == []
    assert await models.WebhookDelivery.all().count() == 0
    again = await world.mutate(DELETE_WEBHOOK, webhookId=created["id"])
    assert again["code"] == "NOT_FOUND"


async def test_a_domain_has_at_most_twenty_webhooks(world: World) -> None:
    for _ in range(20):
        await world.create_webhook(RECEIVER)

    payload = await world.mutate(
        CREATE_WEBHOOK, domainId=str(world.domain.id), url=RECEIVER, events=["INVITATION_SENT"]
    )

    assert (payload["__typename"], payload["field"]) == ("InvalidInput", "domainId")


# --- deliveries written with each change ----------------------------------------------


async def test_sending_writes_one_delivery_per_invitation_for_each_subscribed_webhook(
    world: World, auth: Authenticator
) -> None:
    sent = await world.create_webhook(RECEIVER, ["INVITATION_SENT"])
    accepted = await world.create_webhook(RECEIVER, ["INVITATION_ACCEPTED"])
    disabled = await world.create_webhook(RECEIVER, ["INVITATION_SENT"])
    await world.mutate(UPDATE_WEBHOOK, webhookId=disabled["id"], enabled=False)
    other = await (await world.elsewhere("Beta")).create_webhook(RECEIVER, EVERY_TYPE)

    people = [await create_user(auth) for _ in range(3)]
    await world.send(people)

    assert await delivered_types(sent["id"]) == ["INVITATION_SENT"] * 3
    assert await delivered_types(accepted["id"]) == []
    assert await delivered_types(disabled["id"]) == []
    assert await delivered_types(other["id"]) == []
    row = await models.WebhookDelivery.filter(webhook_id=sent["id"]).first()
    assert row is not None and (row.status, row.attempts) == ("PENDING", 0)
    assert row.next_attempt_at == row.created_at


async def test_a_change_that_rolls_back_writes_no_delivery(
    world: World, auth: Authenticator
) -> None:
    webhook = await world.create_webhook(RECEIVER, ["INVITATION_ACCEPTED"])
    bob = await create_user(auth)
    invitation = await world.invite(bob)
    await add_member(world.domain, bob)  # a member by another way meanwhile

    answer = await world.respond(invitation, "ACCEPT", as_=bob)

    assert answer["code"] == "ALREADY_MEMBER"
    assert await delivered_types(webhook["id"]) == []


async def test_every_invitation_transition_is_delivered_with_its_payload(
    world: World, auth: Authenticator
) -> None:
    webhook = await world.create_webhook(RECEIVER, EVERY_TYPE)
    ann, bob = await create_user(auth, name="Ann"), await create_user(auth, name="Bob")

    first, second = await world.every_event(accepting=ann, deleted=bob)

    rows = await models.WebhookDelivery.filter(webhook_id=webhook["id"]).order_by("created_at")
    bodies = [orjson.loads(row.payload) for row in rows]
    # The acceptance's two events happen at the same moment, in either order.
    assert [b["type"] for b in bodies[:3] + bodies[5:]] == [
        "invitation.sent",
        "invitation.rejected",
        "invitation.resent",
        "invitation.sent",
        "invitation.deleted",
    ]
    joined, accepted_body = sorted(bodies[3:5], key=lambda b: b["type"] != "member.joined")
    assert (joined["type"], accepted_body["type"]) == ("member.joined", "invitation.accepted")
    assert joined["data"]["member"]["name"] == "Ann"
    accepted = accepted_body["data"]
    assert accepted["invitation"] == {
        "id": first,
        "status": "ACCEPTED",
        "inviteeEmail": ann.user.email,
    }
    assert accepted["invitee"] == {"id": str(ann.user.id), "name": "Ann", "email": ann.user.email}
    assert accepted["actor"]["name"] == "Ann"
    assert accepted["domain"] == {"id": str(world.domain.id), "name": "Acme"}
    assert accepted["role"]["name"] == "member"
    deleted = bodies[6]["data"]
    assert (deleted["invitation"]["id"], deleted["invitation"]["status"]) == (second, None)
    assert deleted["actor"]["name"] == "Admin"
    # The webhook-id of every attempt is the event's id, which GraphQL shows too.
    assert [str(row.event_id) for row in rows] == [b["data"]["eventId"] for b in bodies]


async def test_member_changes_and_expiries_are_delivered_with_their_payloads(
    world: World, auth: Authenticator, clock: ManualClock
) -> None:
    member_types = ["MEMBER_JOINED", "MEMBER_ROLE_CHANGED", "MEMBER_REMOVED", "MEMBER_LEFT"]
    webhook = await world.create_webhook(RECEIVER, [*member_types, "INVITATION_EXPIRED"])
    bob, cid = await create_user(auth, name="Bob"), await create_user(auth, name="Cid")
    for person in (bob, cid):
        await world.respond(await world.invite(person), "ACCEPT", as_=person)
    admin_role = await models.Role.get(domain_id=world.domain.id, name="admin")
    domain, bob_id = str(world.domain.id), str(bob.user.id)
    await world.mutate(
        CHANGE_MEMBER_ROLE, domainId=domain, userId=bob_id, roleId=str(admin_role.id)
    )
    await world.mutate(REMOVE_MEMBER, domainId=domain, userId=bob_id)
    await world.mutate(LEAVE_DOMAIN, as_=cid, domainId=domain)
    lapsing = await world.invite(await create_user(auth, name="Dan"))
    clock.advance(Settings().invitation_ttl_seconds + 1)
    assert await expiry.sweep(world.gql.runtime) == 1

    rows = await models.WebhookDelivery.filter(webhook_id=webhook["id"]).order_by("created_at")
    bodies = [orjson.loads(row.payload) for row in rows]
    assert [b["type"] for b in bodies] == [
        "member.joined",
        "member.joined",
        "member.role_changed",
        "member.removed",
        "member.left",
        "invitation.expired",
    ]
    changed = bodies[2]["data"]
    assert changed["member"]["name"] == "Bob"
    assert (changed["role"]["name"], changed["previousRole"]["name"]) == ("admin", "member")
    assert changed["actor"]["name"] == "Admin"
    assert bodies[4]["data"]["member"]["name"] == "Cid"
    expired = bodies[5]["data"]
    assert expired["invitation"] == {"id": lapsing, "status": "EXPIRED", "inviteeEmail": ANY}
    assert expired["actor"] is None
