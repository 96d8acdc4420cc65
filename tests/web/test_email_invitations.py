"""Invitations by e-mail in the browser, against a server that sends real e-mail to an SMTP
server the tests run: addresses in the Send dialog (several at once, each bad one named),
e-mail invitations and their delivery in the Invitations table, and the page the e-mailed
link opens (preview, sign up or sign in, the invitation in the pop-up, each refusal
explained). The link's secret goes nowhere but a GraphQL variable."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Request, expect

from tests.mailbox import Mailbox
from tests.web.browser import (
    PICKABLE,
    Screen,
    assert_no_sideways_scroll,
    paste,
    screenshot,
    sign_in,
)
from tests.web.conftest import SERVER_LOG, OpenApp, web_server
from tests.web.mail import link_sent_to
from tests.web.world import PASSWORD, Domain, Person, World

NOT_AN_ADDRESS = "is not an e-mail address like name@example.com."


@pytest.fixture(scope="module")
def server(server_directory: Path, mailbox: Mailbox) -> Iterator[str]:
    # info: the access log lines too, which must not hold a link's secret
    yield from web_server(server_directory, SMTP_URL=mailbox.url, LOG_LEVEL="info")


@pytest.fixture
def acme(world: World) -> Domain:
    return world.domain(world.person("Ann Admin"), "Acme")


def open_domain(open_app: OpenApp, screen: Screen, domain: Domain) -> Page:
    page = open_app(screen)
    sign_in(page, domain.owner)
    page.get_by_role("link", name=domain.name).click()
    expect(page.get_by_test_id("invitations-table")).to_be_visible()
    return page


def test_addresses_are_split_checked_one_by_one_and_each_result_is_shown_in_order(
    open_app: OpenApp, world: World, acme: Domain, screen: Screen
) -> None:
    bo, cy = world.person("Bo"), world.person("Cy")
    taken = world.address("taken")
    world.invite_by_email(acme, taken)
    new_one, new_two = world.address("dee"), world.address("eve")

    page = open_domain(open_app, screen, acme)
    sends: list[dict[str, Any]] = []
    page.on(
        "request",
        lambda r: (
            sends.append(json.loads(r.post_data)["variables"])
            if r.post_data and "mutation SendInvitations" in r.post_data
            else None
        ),
    )
    page.get_by_test_id("send-invitation-button").click()
    page.get_by_test_id("user-search").fill(bo.email)
    page.locator(PICKABLE).check()
    box = page.get_by_test_id("address-input")
    pasted = f'"Dee, D." <{new_one}>; oops@, {new_two}\n{new_one.upper()} nope'
    paste(page, box, pasted)  # a paste is checked at once, the box still focused
    problems = page.get_by_test_id("address-problems").get_by_role("listitem")
    expect(problems).to_have_text([f"“oops@” {NOT_AN_ADDRESS}", f"“nope” {NOT_AN_ADDRESS}"])
    expect(box).to_be_focused()
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_accessible_description(re.compile(re.escape(f"“oops@” {NOT_AN_ADDRESS}")))
    page.get_by_test_id("role-select").select_option(label="member")
    page.get_by_test_id("send-submit").click()
    expect(box).to_be_focused()  # the form does not submit while an address is bad
    assert sends == []
    assert_no_sideways_scroll(page)
    screenshot(page, f"{screen.name}-send-addresses-invalid")

    box.fill(f"{new_one} {new_two}, {taken}\n{cy.email}")
    expect(problems).to_have_count(0)  # a shown problem goes as soon as it is fixed
    page.get_by_test_id("send-submit").click()
    results = page.get_by_test_id("send-result")
    expect(results).to_have_text(
        [
            f"{bo.name}: invited",
            f"{new_one}: invited by e-mail",
            f"{new_two}: invited by e-mail",
            re.compile(f"^{re.escape(taken)}: .*pending invitation"),
            f"{cy.email}: invited (the account of {cy.name})",
        ]
    )
    assert sends == [
        {
            "domainId": acme.id,
            "inviteeIds": [bo.id],
            "emails": [new_one, new_two, taken, cy.email],
            "roleId": acme.roles["member"],
            "message": None,  # none was written
        }
    ]
    expect(page.get_by_test_id("send-dialog").get_by_role("alert")).to_have_text(
        "4 of 5 invitations sent."
    )
    expect(box).to_have_value(taken)  # only what failed stays, to correct or remove
    screenshot(page, f"{screen.name}-send-results")

    box.fill(", ".join(world.address(f"many{n}") for n in range(101)))
    page.get_by_test_id("send-submit").click()
    expect(page.get_by_test_id("send-dialog").get_by_role("alert")).to_have_text(
        "At most 100 people can be invited at once; this is 101."
    )
    assert len(sends) == 1


def test_email_invitations_show_their_address_and_how_their_email_fared(
    open_app: OpenApp, world: World, acme: Domain, mailbox: Mailbox, screen: Screen
) -> None:
    address = world.address("dee")
    world.invite_by_email(acme, address)
    link_sent_to(mailbox, address)

    page = open_domain(open_app, screen, acme)
    row = page.get_by_test_id("invitation-row").filter(has_text=address)
    expect(row.get_by_test_id("by-email-marker")).to_have_text("by e-mail")
    delivery = row.get_by_test_id("email-delivery")
    expect(delivery).to_have_text("E-mail sent")
    expect(delivery).to_have_attribute("title", re.compile(r"^E-mail sent; 1 attempt; sent "))
    row.get_by_test_id("history-button").click()
    detail = page.get_by_test_id("email-delivery-detail")
    expect(detail).to_contain_text("E-mail sent; 1 attempt; sent ")
    assert_no_sideways_scroll(page)
    screenshot(page, f"{screen.name}-email-invitation-row")


class Traffic:
    """Every request a page makes, and every console line, to look for a secret in."""

    def __init__(self, page: Page) -> None:
        self.requests: list[Request] = []
        self.console: list[str] = []
        page.on("request", lambda request: self.requests.append(request))
        page.on("console", lambda message: self.console.append(message.text))

    def assert_secret_only_in_variables(self, secret: str) -> None:
        carried = 0
        for request in self.requests:
            assert secret not in request.url, request.url
            headers = request.all_headers()
            assert "referer" not in headers, (request.url, headers)
            assert not any(secret in value for value in headers.values()), headers
            body = request.post_data or ""
            if secret in body:
                document = json.loads(body)
                assert secret not in document["query"]
                assert secret in (
                    document["variables"].get("token"),
                    document["variables"].get("invitationToken"),
                )
                carried += 1
        assert carried >= 2  # the preview, and signUp or claimInvitation
        assert not any(secret in line for line in self.console)


def test_a_link_from_a_real_email_previews_signs_up_and_lands_in_the_popup(
    open_app: OpenApp,
    world: World,
    acme: Domain,
    mailbox: Mailbox,
    server: str,
    server_directory: Path,
    screen: Screen,
) -> None:
    address = world.address("newcomer")
    admin_page = open_domain(open_app, screen, acme)
    admin_page.get_by_test_id("send-invitation-button").click()
    admin_page.get_by_test_id("address-input").fill(address)
    admin_page.get_by_test_id("role-select").select_option(label="member")
    admin_page.get_by_test_id("send-submit").click()
    expect(admin_page.get_by_test_id("send-result")).to_have_text([f"{address}: invited by e-mail"])
    admin_page.keyboard.press("Escape")

    link = link_sent_to(mailbox, address)
    assert link.startswith(f"{server}/#/invite/")
    secret = link.rpartition("/")[2]
    page = open_app(screen)
    traffic = Traffic(page)
    page.goto(link)
    summary = page.get_by_test_id("invite-summary")
    expect(summary).to_have_text(
        f"Ann Admin invited {address} to join Acme with the role of member."
    )
    expect(page.get_by_text("The link expires in 7 days.")).to_be_visible()
    expect(page.get_by_role("heading", name="Join with a new account")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value(address)
    assert page.evaluate("document.querySelector('meta[name=referrer]').content") == "no-referrer"
    assert_no_sideways_scroll(page)
    screenshot(page, f"{screen.name}-invite-page")

    page.get_by_label("Name").fill("Nina Newcomer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    popup = page.get_by_test_id("pending-popup")
    item = popup.get_by_test_id("pending-item")
    expect(item).to_contain_text("Invitation to join Acme with the role of member")
    assert secret not in page.url
    item.get_by_test_id("accept-button").click()
    expect(popup.get_by_role("alert")).to_have_text("You joined Acme.")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("domain-row").filter(has_text="Acme")).to_have_count(1)
    page.go_back()  # the used link's entry was replaced
    assert secret not in page.url

    # The admin's table followed live: the address now has its account.
    row = admin_page.get_by_test_id("invitation-row").filter(has_text=address)
    expect(row).to_have_attribute("data-status", "ACCEPTED")
    expect(row).to_contain_text("Nina Newcomer")

    page.goto(link)  # used up
    expect(page.get_by_test_id("invite-unknown")).to_have_text(
        "This invitation link is unknown, used or no longer valid."
    )
    traffic.assert_secret_only_in_variables(secret)
    assert secret not in (server_directory / SERVER_LOG).read_text()


def claim_page(open_app: OpenApp, screen: Screen, person: Person, link: str) -> Page:
    """`person` signed in, then following `link`."""
    page = open_app(screen)
    sign_in(page, person)
    page.goto(link)
    expect(page.get_by_test_id("invite-summary")).to_be_visible()
    return page


def test_signed_in_people_add_the_invitation_and_each_refusal_is_explained(
    open_app: OpenApp, world: World, acme: Domain, mailbox: Mailbox, screen: Screen
) -> None:
    member, pending, late, returning = (world.person(n) for n in ("Mo", "Pia", "Lou", "Rey"))
    [to_member] = world.invite(acme, member)
    world.answer(member, to_member, "ACCEPT")
    world.invite(acme, pending)
    addresses = [world.address(n) for n in ("one", "two", "three", "four")]
    ids = world.invite_by_email(acme, *addresses)
    links = [link_sent_to(mailbox, address) for address in addresses]

    page = claim_page(open_app, screen, member, links[0])
    expect(page.get_by_text(f"It was sent to {addresses[0]};")).to_be_visible()
    page.get_by_test_id("claim-button").click()
    expect(page.get_by_role("alert")).to_have_text(
        "You are already a member of Acme: there is nothing to accept."
    )
    screenshot(page, f"{screen.name}-invite-refused")
    page.get_by_role("button", name="use another account").click()  # signs out, stays here
    expect(page.get_by_role("heading", name="Join with a new account")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    page = claim_page(open_app, screen, pending, links[1])
    page.get_by_test_id("claim-button").click()
    expect(page.get_by_role("alert")).to_have_text(
        "You already have a pending invitation to Acme: answer that one, under My invitations."
    )

    page = claim_page(open_app, screen, late, links[2])
    world.delete(acme, ids[2])  # while the page is open
    page.get_by_test_id("claim-button").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "This invitation link is unknown, used or no longer valid. A link works once"
    )

    # Signed out with an account: sign in, and the invitation is added and shown.
    page = open_app(screen)
    page.goto(links[3])
    page.get_by_test_id("switch-account-mode").click()
    expect(page.get_by_role("heading", name="Sign in to accept")).to_be_visible()
    expect(page.get_by_label("Email")).to_be_focused()
    page.get_by_label("Email").fill(returning.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    item = page.get_by_test_id("pending-popup").get_by_test_id("pending-item")
    expect(item).to_contain_text("Invitation to join Acme with the role of member")


def test_an_unknown_link_says_so_and_offers_a_way_in(open_app: OpenApp, screen: Screen) -> None:
    page = open_app(screen)
    page.goto(page.url.split("#")[0] + "#/invite/not-a-real-secret")
    expect(page.get_by_test_id("invite-unknown")).to_be_visible()
    expect(page.get_by_role("link", name="Create an account")).to_be_visible()
    assert_no_sideways_scroll(page)
