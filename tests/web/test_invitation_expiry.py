"""An e-mailed invitation link that expires while its page is open, against a server whose
invitations last a few seconds: signing up with it is refused in words (and makes no
account), and the page then says the invitation expired and to ask for a new one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.mailbox import Mailbox
from tests.polling import wait_until
from tests.web.browser import Screen, assert_no_sideways_scroll, screenshot
from tests.web.conftest import OpenApp, web_server
from tests.web.mail import link_sent_to
from tests.web.world import PASSWORD, World

LIFETIME = 8  # seconds: long enough to open the page, short enough to wait out
PREVIEW = "query($token: String!) { invitationByToken(token: $token) { status } }"
SIGN_IN = """mutation($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { __typename }
}"""


@pytest.fixture(scope="module")
def server(server_directory: Path, mailbox: Mailbox) -> Iterator[str]:
    yield from web_server(
        server_directory, SMTP_URL=mailbox.url, INVITATION_TTL_SECONDS=str(LIFETIME)
    )


def test_a_link_that_expires_while_open_is_refused_and_then_says_to_ask_again(
    open_app: OpenApp, world: World, mailbox: Mailbox, screen: Screen
) -> None:
    acme = world.domain(world.person("Ann Admin"), "Acme")
    address = world.address("late")
    world.invite_by_email(acme, address)
    link = link_sent_to(mailbox, address)
    page = open_app(screen)
    page.goto(link)
    expect(page.get_by_role("heading", name="Join with a new account")).to_be_visible()

    token = {"token": link.rpartition("/")[2]}
    wait_until(
        lambda: world.call(PREVIEW, token)["invitationByToken"]["status"] == "EXPIRED",
        timeout=LIFETIME * 3,
        interval=0.5,
        what="the invitation to expire",
    )
    page.get_by_label("Name").fill("Lee Late")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_have_text(
        "This invitation can no longer be accepted (it expired or was answered): "
        "ask Ann Admin for a new one."
    )
    signing_in = {"email": address, "password": PASSWORD}
    assert world.call(SIGN_IN, signing_in)["signIn"]["__typename"] == "InvalidCredentials"

    page.reload()
    expired = page.get_by_test_id("invite-expired")
    expect(expired).to_contain_text("This invitation to Acme expired ")
    expect(expired).to_contain_text(": ask Ann Admin for a new one.")
    expect(page.get_by_role("button", name="Create account")).to_have_count(0)
    assert_no_sideways_scroll(page)
    screenshot(page, f"{screen.name}-invite-expired")
