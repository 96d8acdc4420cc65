"""The mailer against a real SMTP server (aiosmtpd on loopback): what arrives, the whole
path from the e-mail to a member, retries on the injected clock, and several mailers
sharing one outbox."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from app import models
from app.auth import Authenticator
from app.clock import ManualClock
from app.main import transport_for
from app.services.mailer import Mailer
from app.settings import Settings
from tests.documents import CLAIM, EMAIL_DELIVERY, MEMBERS
from tests.factories import create_user
from tests.mailbox import Mailbox, invitation_link, parts, secret_of, smtp_server
from tests.world import World

ADDRESS = "newcomer@example.com"
RETRIES = (30, 120)


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as mailbox:
        yield mailbox


@pytest.fixture
def settings(mailbox: Mailbox) -> Settings:
    return Settings(
        smtp_url=mailbox.url,
        mail_from="Acme Invitations <invitations@acme.test>",
        public_url="https://app.acme.test/",
        email_retry_seconds=RETRIES,
    )


async def delivery(world: World, invitation_id: str) -> dict[str, object]:
    found = (await world.query(EMAIL_DELIVERY, id=invitation_id)).ok()["invitation"]
    state: dict[str, object] = found["emailDelivery"]
    return state


async def test_an_invitation_email_has_its_headers_both_parts_and_the_link(
    world: World, mailer: Mailer, mailbox: Mailbox
) -> None:
    lab = await world.elsewhere('R&D "<Lab>"')
    invitation = await lab.invite_address(ADDRESS, role="admin")
    await models.Invitation.filter(id=invitation["id"]).update(
        message="Welcome <b>aboard</b> & see you\nsoon"
    )

    assert await mailer.tick() == 1

    [message] = mailbox.received
    text, html = parts(message)
    link = invitation_link(message)
    assert mailbox.envelopes == [("invitations@acme.test", [ADDRESS])]
    assert message["From"] == "Acme Invitations <invitations@acme.test>"
    assert message["To"] == ADDRESS
    assert message["Subject"] == 'Admin invited you to join R&D "<Lab>"'
    assert message["Message-ID"].endswith("@acme.test>") and message["Date"]
    assert message.get_content_type() == "multipart/alternative"
    assert link.startswith("https://app.acme.test/#/invite/")
    assert f'Admin invited {ADDRESS} to join R&D "<Lab>" with the role of admin.' in text
    assert "    Welcome <b>aboard</b> & see you\n    soon" in text
    assert f'href="{link}"' in html
    assert "R&amp;D &#34;&lt;Lab&gt;&#34;" in html
    assert "Welcome &lt;b&gt;aboard&lt;/b&gt; &amp; see you\nsoon" in html
    assert "<b>aboard" not in html and "<Lab>" not in html
    state = await delivery(lab, invitation["id"])
    assert (state["status"], state["attempts"], state["lastError"]) == ("SENT", 1, None)


async def test_the_link_from_the_received_email_leads_to_membership(
    world: World, mailer: Mailer, mailbox: Mailbox, auth: Authenticator
) -> None:
    invitation = await world.invite_address(ADDRESS)
    await mailer.tick()
    carol = await create_user(auth, name="Carol", email=ADDRESS)

    claimed = await world.mutate(CLAIM, as_=carol, token=secret_of(mailbox.received[0]))
    accepted = await world.respond(invitation["id"], "ACCEPT", as_=carol)
    members = (await world.query(MEMBERS)).ok()["members"]["nodes"]

    assert claimed["__typename"] == "Invitation"
    assert accepted["status"] == "ACCEPTED"
    assert [(m["user"]["name"], m["role"]["name"]) for m in members] == [
        ("Carol", "member"),
        ("Admin", "admin"),
    ]


async def test_a_refused_email_is_retried_when_due_then_sent(
    world: World, mailer: Mailer, mailbox: Mailbox, clock: ManualClock
) -> None:
    invitation = await world.invite_address(ADDRESS)
    mailbox.refuse("451 4.3.0 Try again later")

    await mailer.tick()
    refused = await delivery(world, invitation["id"])
    clock.advance(RETRIES[0] - 1)
    early = await mailer.tick()
    clock.advance(1)
    due = await mailer.tick()

    assert (refused["status"], refused["attempts"]) == ("QUEUED", 1)
    assert refused["lastError"] == "451 4.3.0 Try again later"
    assert (early, due) == (0, 1)
    assert len(mailbox.received) == 1
    state = await delivery(world, invitation["id"])
    assert (state["status"], state["attempts"], state["lastError"]) == ("SENT", 2, None)


async def test_an_email_refused_at_every_attempt_fails_after_the_schedule(
    world: World, mailer: Mailer, mailbox: Mailbox, clock: ManualClock
) -> None:
    invitation = await world.invite_address(ADDRESS)
    mailbox.refuse(*["550 5.1.1 No such mailbox"] * (len(RETRIES) + 1))

    await mailer.tick()
    for delay in RETRIES:
        clock.advance(delay)
        await mailer.tick()
    clock.advance(max(RETRIES) * 10)

    assert await mailer.tick() == 0
    state = await delivery(world, invitation["id"])
    assert (state["status"], state["attempts"]) == ("FAILED", len(RETRIES) + 1)
    assert state["lastError"] == "550 5.1.1 No such mailbox"
    assert await models.EmailMessage.filter(nonce__isnull=False).count() == 0


async def test_an_invitee_with_an_account_is_emailed_a_link_to_the_web_app(
    world: World, mailer: Mailer, mailbox: Mailbox, auth: Authenticator
) -> None:
    bob = await create_user(auth, name="Bob", email="bob@example.com")
    await world.invite(bob)

    await mailer.tick()

    [message] = mailbox.received
    text, _ = parts(message)
    assert message["To"] == "bob@example.com"
    assert text.startswith("Hello Bob,")
    assert "https://app.acme.test/#/invitations" in text and "/#/invite/" not in text


async def test_an_email_whose_invitation_was_answered_is_not_sent(
    world: World, mailer: Mailer, mailbox: Mailbox, auth: Authenticator
) -> None:
    bob = await create_user(auth)
    await world.respond(await world.invite(bob), "DECLINE", as_=bob)

    await mailer.tick()

    assert mailbox.received == []
    row = await models.EmailMessage.get()
    assert (row.status, row.attempts, row.last_error) == (
        "FAILED",
        0,
        "Not sent: the invitation is REJECTED",
    )


async def test_mailers_sharing_the_outbox_send_each_email_once(
    world: World, settings: Settings, clock: ManualClock, mailbox: Mailbox
) -> None:
    addresses = [f"person{n}@example.com" for n in range(12)]
    await world.send_to(addresses)
    mailers = [Mailer(settings, clock, transport_for(settings)) for _ in range(3)]

    claimed = await asyncio.gather(*(m.tick() for m in mailers))

    assert sum(claimed) == len(addresses)
    assert sorted(to for _, [to] in mailbox.envelopes) == sorted(addresses)
