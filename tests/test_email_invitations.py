"""Invitations by e-mail through the schema: sending to addresses, the one-time link's
preview and claim, signing up with a link, voiding, delivery state, rate limits.

The e-mails are rendered by the real mailer into a transport that keeps them (the SMTP
path itself is tests/test_mail_delivery.py), so every secret used here comes from a
link as the invitee would receive it."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import pytest
from tortoise.exceptions import IntegrityError

from app import models
from app.auth import Authenticator
from app.clock import ManualClock
from app.mail.compose import Letter
from app.ratelimit import RateLimiter, RateLimits
from app.runtime import Runtime
from app.services.mailer import Mailer
from app.settings import Settings
from tests.client import GraphQLClient
from tests.documents import (
    AUDIT,
    BY_TOKEN,
    CLAIM,
    DELETE,
    EMAIL_DELIVERY,
    INVITATION,
    PENDING,
    RESEND,
    SIGN_IN,
    SIGN_UP_CLAIMING,
)
from tests.factories import PASSWORD, add_member, create_role, create_user
from tests.world import World

NEWCOMER = "newcomer@example.com"


class Letters:
    """A transport that keeps each letter instead of sending it."""

    def __init__(self) -> None:
        self.sent: list[Letter] = []

    async def send(self, letter: Letter, *, at: datetime) -> None:
        self.sent.append(letter)


@pytest.fixture
def letters() -> Letters:
    return Letters()


@pytest.fixture
def mailer(settings: Settings, clock: ManualClock, letters: Letters) -> Mailer:
    return Mailer(settings, clock, letters)


async def secret_for(mailer: Mailer, letters: Letters, address: str) -> str:
    """The secret in the latest link e-mailed to `address`, after the mailer ran."""
    await mailer.tick()
    link = next(letter.link for letter in reversed(letters.sent) if letter.to == address)
    assert "/#/invite/" in link, link
    return link.rpartition("/")[2]


async def preview(world: World, token: str) -> dict[str, Any] | None:
    """invitationByToken, asked without signing in."""
    found: dict[str, Any] | None = (await world.gql.execute(BY_TOKEN, {"token": token})).ok()[
        "invitationByToken"
    ]
    return found


def codes(payload: dict[str, Any]) -> list[str]:
    return [r.get("code", r["__typename"]) for r in payload["sendInvitations"]["results"]]


# --- send ---------------------------------------------------------------------------------


async def test_an_address_without_account_gets_an_email_invitation(world: World) -> None:
    invitation = await world.invite_address("  NewComer@Example.com ")

    assert invitation["invitee"] is None
    assert invitation["inviteeEmail"] == NEWCOMER
    assert invitation["status"] == "PENDING"
    assert [e["kind"] for e in invitation["history"]] == ["SENT"]
    assert invitation["emailDelivery"] == {
        "status": "QUEUED",
        "attempts": 0,
        "lastError": None,
        "sentAt": None,
    }


async def test_results_come_per_id_then_per_address_in_input_order(
    world: World, auth: Authenticator
) -> None:
    ann = await create_user(auth, name="Ann")
    bob = await create_user(auth, name="Bob", email="bob@example.com")

    result = await world.send_to(["x@example.com", "BOB@example.com", "not an address"], ids=[ann])

    results = result.ok()["sendInvitations"]["results"]
    assert [r.get("invitee") and r["invitee"]["name"] for r in results[:3]] == [
        "Ann",
        None,
        "Bob",
    ]
    assert [r.get("inviteeEmail") for r in results[:3]] == [
        ann.user.email,
        "x@example.com",
        "bob@example.com",
    ]
    assert (results[3]["code"], results[3]["field"]) == ("INVALID_INPUT", "emails")
    assert results[2]["invitee"]["id"] == str(bob.user.id)


async def test_an_account_address_gets_the_same_refusals_as_its_id(
    world: World, auth: Authenticator
) -> None:
    member = await create_user(auth, email="member@example.com")
    declined = await create_user(auth, email="declined@example.com")
    await add_member(world.domain, member)
    await world.respond(await world.invite(declined), "DECLINE", as_=declined)

    payload = (
        await world.send_to(["member@example.com", "declined@example.com", world.admin.user.email])
    ).ok()

    assert codes(payload) == ["ALREADY_MEMBER", "INVITATION_REJECTED", "ALREADY_MEMBER"]


async def test_one_pending_invitation_per_address(world: World) -> None:
    payload = (await world.send_to([NEWCOMER, NEWCOMER.upper()])).ok()
    again = (await world.send_to([NEWCOMER])).ok()

    assert codes(payload) == ["Invitation", "ALREADY_INVITED"]
    assert codes(again) == ["ALREADY_INVITED"]
    assert await models.Invitation.filter(invitee_email=NEWCOMER).count() == 1


async def test_the_database_refuses_a_second_pending_invitation_to_an_address(
    world: World,
) -> None:
    invitation = await world.invite_address(NEWCOMER)
    first = await models.Invitation.get(id=invitation["id"])

    with pytest.raises(IntegrityError):
        await models.Invitation.create(
            domain_id=first.domain_id,
            invitee_email=NEWCOMER,
            invited_by_id=first.invited_by_id,
            role_id=first.role_id,
            status="PENDING",
            expires_at=first.expires_at,
        )


async def test_an_expired_invitation_to_an_address_must_be_resent(
    world: World, clock: ManualClock
) -> None:
    await world.invite_address(NEWCOMER)
    clock.advance(Settings().invitation_ttl_seconds + 1)

    payload = (await world.send_to([NEWCOMER])).ok()

    assert codes(payload) == ["INVITATION_EXPIRED"]


@pytest.mark.parametrize("count", [0, 101])
async def test_ids_and_addresses_together_count_1_to_100(world: World, count: int) -> None:
    result = await world.send_to([f"p{n}@example.com" for n in range(count)])

    assert result.codes == ["BAD_USER_INPUT"]


async def test_production_without_smtp_refuses_addresses_but_not_ids(
    gql: GraphQLClient, world: World, auth: Authenticator
) -> None:
    production = Settings(app_env="production", secret_key="p" * 40)
    world.gql = GraphQLClient(dataclasses.replace(gql.runtime, settings=production))
    ann = await create_user(auth)

    refused = (await world.send_to([NEWCOMER], ids=[ann])).ok()["sendInvitations"]
    by_id = (await world.send_to([], ids=[ann])).ok()

    assert refused["code"] == "EMAIL_DISABLED"
    assert codes(by_id) == ["Invitation"]
    assert await models.EmailMessage.all().count() == 0


async def test_invitees_with_accounts_get_no_email_without_smtp(
    world: World, auth: Authenticator
) -> None:
    await world.invite(await create_user(auth))

    assert await models.EmailMessage.all().count() == 0


# --- the link: secrets at rest -------------------------------------------------------------


async def test_the_secret_is_stored_nowhere(
    world: World, mailer: Mailer, letters: Letters, runtime: Runtime
) -> None:
    invitation = await world.invite_address(NEWCOMER)
    row = await models.EmailMessage.get(invitation_id=invitation["id"])
    nonce = row.nonce

    secret = await secret_for(mailer, letters, NEWCOMER)

    stored = await models.Invitation.get(id=invitation["id"])
    assert len(secret) >= 22 and secret.replace("-", "").replace("_", "").isalnum()
    assert stored.secret_hash == runtime.links.digest(secret) != secret
    assert nonce is not None and secret not in nonce
    # Once sent, not even the nonce that derives it (with SECRET_KEY) is kept.
    assert (await models.EmailMessage.get(id=row.id)).nonce is None


# --- the link: preview -------------------------------------------------------------------


async def test_a_link_previews_its_invitation_without_sign_in(
    world: World, mailer: Mailer, letters: Letters
) -> None:
    invitation = await world.invite_address(NEWCOMER)
    secret = await secret_for(mailer, letters, NEWCOMER)

    shown = await preview(world, secret)

    assert shown == {
        "domainName": "Acme",
        "roleName": "member",
        "inviterName": "Admin",
        "inviteeEmail": NEWCOMER,
        "message": None,
        "expiresAt": shown and shown["expiresAt"],
        "status": "PENDING",
    }
    stored = await models.Invitation.get(id=invitation["id"])
    assert shown and shown["expiresAt"] == stored.expires_at.isoformat()


@pytest.mark.parametrize("token", ["", "x" * 43, "x" * 10_000])
async def test_an_unknown_secret_previews_nothing(world: World, token: str) -> None:
    assert await preview(world, token) is None


async def test_an_expired_link_previews_as_expired_and_cannot_be_claimed(
    world: World, mailer: Mailer, letters: Letters, clock: ManualClock, auth: Authenticator
) -> None:
    await world.invite_address(NEWCOMER)
    secret = await secret_for(mailer, letters, NEWCOMER)
    clock.advance(Settings().invitation_ttl_seconds)

    shown = await preview(world, secret)
    claimed = await world.mutate(CLAIM, as_=await create_user(auth), token=secret)

    assert shown and shown["status"] == "EXPIRED"
    assert (claimed["code"], claimed["status"]) == ("INVITATION_NOT_PENDING", "EXPIRED")


# --- the link: claim ---------------------------------------------------------------------


async def test_claiming_makes_the_caller_the_invitee_who_then_answers(
    world: World, mailer: Mailer, letters: Letters, auth: Authenticator
) -> None:
    invitation = await world.invite_address(NEWCOMER)
    secret = await secret_for(mailer, letters, NEWCOMER)
    carol = await create_user(auth, name="Carol", email="carol@example.com")

    claimed = await world.mutate(CLAIM, as_=carol, token=secret)
    pending = (await world.query(PENDING, as_=carol)).ok()["pendingInvitations"]
    accepted = await world.respond(invitation["id"], "ACCEPT", as_=carol)

    assert claimed["id"] == invitation["id"]
    assert claimed["invitee"] == {"id": str(carol.user.id), "name": "Carol"}
    assert claimed["inviteeEmail"] == NEWCOMER  # the address invited, not Carol's
    assert [(e["kind"], e["actor"]["id"]) for e in claimed["history"]] == [
        ("SENT", str(world.admin.user.id)),
        ("CLAIMED", str(carol.user.id)),
    ]
    assert claimed["history"][1]["invitee"] == {"id": str(carol.user.id)}
    assert [n["id"] for n in pending["nodes"]] == [invitation["id"]]
    assert accepted["status"] == "ACCEPTED"


async def test_the_claimed_event_records_who_claimed_which_address(
    world: World, mailer: Mailer, letters: Letters, auth: Authenticator
) -> None:
    await world.invite_address(NEWCOMER)
    carol = await create_user(auth, name="Carol")
    await world.mutate(CLAIM, as_=carol, token=await secret_for(mailer, letters, NEWCOMER))

    event = await models.InvitationEvent.get(kind="CLAIMED")
    audit = (await world.query(AUDIT)).ok()["auditLog"]["nodes"][0]

    assert (event.actor_id, event.invitee_id, event.invitee_email) == (
        carol.user.id,
        carol.user.id,
        NEWCOMER,
    )
    assert (audit["kind"], audit["actor"]["name"], audit["invitee"]["name"]) == (
        "CLAIMED",
        "Carol",
        "Carol",
    )


async def test_a_secret_is_used_up_by_its_claim(
    world: World, mailer: Mailer, letters: Letters, auth: Authenticator
) -> None:
    await world.invite_address(NEWCOMER)
    secret = await secret_for(mailer, letters, NEWCOMER)
    await world.mutate(CLAIM, as_=await create_user(auth), token=secret)

    again = await world.mutate(CLAIM, as_=await create_user(auth), token=secret)

    assert again["code"] == "NOT_FOUND"
    assert await preview(world, secret) is None


async def test_claim_refusals(
    world: World, mailer: Mailer, letters: Letters, auth: Authenticator
) -> None:
    await world.invite_address(NEWCOMER)
    secret = await secret_for(mailer, letters, NEWCOMER)
    invited = await create_user(auth)
    await world.invite(invited)

    unauthenticated = await world.gql.execute(CLAIM, {"token": secret})
    member = await world.mutate(CLAIM, as_=world.admin, token=secret)
    already_invited = await world.mutate(CLAIM, as_=invited, token=secret)
    unknown = await world.mutate(CLAIM, as_=invited, token="not-a-secret")

    assert unauthenticated.codes == ["UNAUTHENTICATED"]
    assert member["code"] == "ALREADY_MEMBER"
    assert already_invited["code"] == "ALREADY_INVITED"
    assert unknown["code"] == "NOT_FOUND"
    # None of them used the secret up.
    assert await preview(world, secret) is not None


# --- sign up with a link -----------------------------------------------------------------


async def test_sign_up_with_a_link_creates_the_account_and_claims(
    world: World, mailer: Mailer, letters: Letters
) -> None:
    invitation = await world.invite_address(NEWCOMER)
    secret = await secret_for(mailer, letters, NEWCOMER)

    signed_up = await world.mutate(
        SIGN_UP_CLAIMING,
        email="dana@example.com",
        name="Dana",
        password=PASSWORD,
        token=secret,
    )

    assert signed_up["__typename"] == "AuthPayload"
    assert signed_up["invitation"] == {
        "id": invitation["id"],
        "status": "PENDING",
        "inviteeEmail": NEWCOMER,
        "invitee": {"id": signed_up["user"]["id"]},
    }


async def test_sign_up_with_a_void_link_creates_nothing(world: World) -> None:
    signed_up = await world.mutate(
        SIGN_UP_CLAIMING, email="dana@example.com", name="Dana", password=PASSWORD, token="void"
    )
    sign_in = await world.mutate(SIGN_IN, email="dana@example.com", password=PASSWORD)

    assert signed_up["code"] == "NOT_FOUND"
    assert sign_in["code"] == "INVALID_CREDENTIALS"


async def test_sign_up_taken_with_a_link_leaves_the_link_unused(
    world: World, mailer: Mailer, letters: Letters
) -> None:
    await world.invite_address(NEWCOMER)
    secret = await secret_for(mailer, letters, NEWCOMER)

    taken = await world.mutate(
        SIGN_UP_CLAIMING, email=world.admin.user.email, name="X", password=PASSWORD, token=secret
    )

    assert taken["code"] == "EMAIL_TAKEN"
    assert await preview(world, secret) is not None


# --- voiding -----------------------------------------------------------------------------


async def test_deleting_voids_the_link_and_the_queued_email(
    world: World, mailer: Mailer, letters: Letters
) -> None:
    invitation = await world.invite_address(NEWCOMER)
    secret = await secret_for(mailer, letters, NEWCOMER)
    await world.invite_address("other@example.com")  # its e-mail is still queued
    other = await models.Invitation.get(invitee_email="other@example.com")

    await world.mutate(DELETE, id=invitation["id"])
    await world.mutate(DELETE, id=str(other.id))
    await mailer.tick()

    assert await preview(world, secret) is None
    cancelled = await models.EmailMessage.get(to_address="other@example.com")
    assert (cancelled.status, cancelled.last_error) == (
        "FAILED",
        "Not sent: the invitation was deleted",
    )
    assert [letter.to for letter in letters.sent] == [NEWCOMER]


async def test_resending_an_unclaimed_invitation_issues_a_new_link(
    world: World, mailer: Mailer, letters: Letters
) -> None:
    invitation = await world.invite_address(NEWCOMER)
    old = await secret_for(mailer, letters, NEWCOMER)
    # Only an expired invitation by address can be resent unclaimed (nobody can decline
    # it); the status it is resent from does not change what happens to its link.
    await models.Invitation.filter(id=invitation["id"]).update(status="REJECTED")

    resent = await world.mutate(RESEND, id=invitation["id"])
    new = await secret_for(mailer, letters, NEWCOMER)

    assert resent["status"] == "PENDING"
    assert new != old
    assert await preview(world, old) is None
    assert await preview(world, new) is not None


async def test_answering_leaves_no_secret(
    world: World, mailer: Mailer, letters: Letters, auth: Authenticator
) -> None:
    invitation = await world.invite_address(NEWCOMER)
    carol = await create_user(auth)
    await world.mutate(CLAIM, as_=carol, token=await secret_for(mailer, letters, NEWCOMER))

    await world.respond(invitation["id"], "DECLINE", as_=carol)

    assert await models.Invitation.filter(secret_hash__isnull=False).count() == 0


# --- delivery state ----------------------------------------------------------------------


async def test_email_delivery_is_for_invitation_readers_only(
    world: World, mailer: Mailer, letters: Letters, auth: Authenticator
) -> None:
    invitation = await world.invite_address(NEWCOMER)
    carol = await create_user(auth)
    await world.mutate(CLAIM, as_=carol, token=await secret_for(mailer, letters, NEWCOMER))
    reader = await create_user(auth)
    await add_member(world.domain, reader, await create_role(world.domain, "reader", set()))

    admin = (await world.query(EMAIL_DELIVERY, id=invitation["id"])).ok()["invitation"]
    invitee = (await world.query(EMAIL_DELIVERY, as_=carol, id=invitation["id"])).ok()

    assert admin["emailDelivery"]["status"] == "SENT"
    assert admin["emailDelivery"]["attempts"] == 1
    assert admin["emailDelivery"]["sentAt"] is not None
    assert invitee["invitation"]["emailDelivery"] is None


# --- rate limits -------------------------------------------------------------------------


async def test_link_lookups_are_rate_limited_per_client_address(
    world: World, gql: GraphQLClient, auth: Authenticator
) -> None:
    limits = RateLimits.parse("invite_token=3/60")
    limited = dataclasses.replace(gql.runtime, limiter=RateLimiter.create(limits, None))
    world.gql = GraphQLClient(limited)
    carol = await create_user(auth)
    signing_up = {"email": "e@example.com", "name": "E", "password": PASSWORD}

    answers = [
        (await world.gql.execute(BY_TOKEN, {"token": "guess-1"})).codes,
        (await world.gql.execute(CLAIM, {"token": "guess-2"}, as_=carol)).codes,
        (await world.gql.execute(SIGN_UP_CLAIMING, {**signing_up, "token": "guess-3"})).codes,
        (await world.gql.execute(BY_TOKEN, {"token": "guess-4"})).codes,
    ]

    assert answers == [[], [], [], ["RATE_LIMITED"]]


async def test_the_invitation_query_shows_the_address(world: World) -> None:
    invitation = await world.invite_address(NEWCOMER)

    found = (await world.query(INVITATION, id=invitation["id"])).ok()["invitation"]

    assert (found["invitee"], found["inviteeEmail"]) == (None, NEWCOMER)
