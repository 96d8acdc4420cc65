"""A message with the invitation (SPEC rule 10): optional plain text, trimmed, at most 500
characters, kept by resend."""

from __future__ import annotations

import pytest

from app import models
from app.auth import Authenticator
from app.clock import ManualClock
from app.settings import Settings
from tests.documents import INVITATION, RESEND
from tests.factories import create_user
from tests.world import World


async def test_each_invitation_of_a_call_carries_the_trimmed_message(
    world: World, auth: Authenticator
) -> None:
    ann, bob = await create_user(auth), await create_user(auth)

    payload = await world.send([ann, bob], message="  Welcome to Acme!\n\tSee you soon.  ")

    messages = [r["invitationMessage"] for r in payload["results"]]
    assert messages == ["Welcome to Acme!\n\tSee you soon."] * 2
    invitation = (await world.query(INVITATION, as_=ann, id=payload["results"][0]["id"])).ok()
    assert invitation["invitation"]["invitationMessage"] == "Welcome to Acme!\n\tSee you soon."


@pytest.mark.parametrize("message", [None, "", "   \n  "])
async def test_no_message_or_a_blank_one_is_null(
    world: World, auth: Authenticator, message: str | None
) -> None:
    [result] = (await world.send([await create_user(auth)], message=message))["results"]

    assert result["invitationMessage"] is None


async def test_windows_line_breaks_are_stored_as_line_feeds(
    world: World, auth: Authenticator
) -> None:
    [result] = (await world.send([await create_user(auth)], message="Hello\r\nthere\rfriend"))[
        "results"
    ]

    assert result["invitationMessage"] == "Hello\nthere\nfriend"


@pytest.mark.parametrize("message", ["x" * 500, "é" * 500, "🎉" * 500, " " * 20 + "y" * 500])
async def test_a_message_of_500_characters_is_accepted(
    world: World, auth: Authenticator, message: str
) -> None:
    [result] = (await world.send([await create_user(auth)], message=message))["results"]

    assert result["invitationMessage"] == message.strip()


@pytest.mark.parametrize(
    "message",
    [
        "x" * 501,
        "🎉" * 501,
        "nul \x00 byte",
        "escape \x1b[31m red",
        "bell \x07",
        "c1 \x85 next line",
    ],
    ids=["501", "501 emoji", "nul", "escape", "bell", "c1"],
)
async def test_a_long_or_non_plain_message_refuses_the_whole_call(
    world: World, auth: Authenticator, message: str
) -> None:
    ann, bob = await create_user(auth), await create_user(auth)

    result = await world.send([ann, bob], message=message)

    assert (result["code"], result["field"]) == ("INVALID_INPUT", "message")
    assert await models.Invitation.all().count() == 0


async def test_resending_keeps_the_message(
    world: World, auth: Authenticator, clock: ManualClock
) -> None:
    ann, bob = await create_user(auth), await create_user(auth)
    payload = await world.send([ann, bob], message="Join us")
    declined, expiring = (r["id"] for r in payload["results"])
    await world.respond(declined, "DECLINE", as_=ann)
    clock.advance(Settings().invitation_ttl_seconds + 1)

    resent = [await world.mutate(RESEND, id=i) for i in (declined, expiring)]

    assert [r["invitationMessage"] for r in resent] == ["Join us", "Join us"]
