"""Expiry and the inviter's message in the web app, against a server whose invitations last a
few seconds (a domain may keep them an hour): the Send dialog's message and its limit, the
invitee's pop-up with the message and when it expires, and the admin's table once it has
expired (badge, filter, history, Resend), at 390 px and 1280 px, checked by axe."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.polling import wait_until
from tests.web.browser import (
    PICKABLE,
    Screen,
    assert_no_sideways_scroll,
    axe_run,
    describe,
    resend,
    screenshot,
    sign_in,
)
from tests.web.conftest import OpenApp, web_server
from tests.web.world import Domain, Person, World

LONG_MESSAGE = "Hi Ivy, " + "we would love to have you on the team " * 12 + "— Ann"
LIFETIME = 10  # seconds: long enough to see the pop-up, short enough to wait out
# Plain text with a line break and markup that must stay text.
MESSAGE = "Welcome aboard!\n<b>Bring</b> coffee & <img src=x onerror=alert(1)>"
HOUR_TTL = """mutation($domainId: ID!) {
  updateDomain(domainId: $domainId, invitationTtlSeconds: 3600) { __typename }
}"""
SEND = """mutation($domainId: ID!, $inviteeIds: [ID!], $roleId: ID!, $message: String) {
  sendInvitations(
    domainId: $domainId, inviteeIds: $inviteeIds, roleId: $roleId, message: $message
  ) { __typename }
}"""
STATUS = """query($domainId: ID!) {
  invitations(domainId: $domainId) { nodes { status history { kind } } }
}"""


@pytest.fixture(scope="module")
def server(server_directory: Path) -> Iterator[str]:
    yield from web_server(server_directory, INVITATION_TTL_SECONDS=str(LIFETIME))


def open_invitations(page: Page, domain: Domain) -> Page:
    sign_in(page, domain.owner)
    page.get_by_role("link", name=domain.name).click()
    expect(page.get_by_test_id("status-filter")).to_be_visible()
    return page


def fill_send_dialog(page: Page, invitee: Person, message: str) -> Locator:
    """The Send dialog open on `page`, `invitee` ticked, the role and `message` chosen."""
    page.get_by_test_id("send-invitation-button").click()
    page.get_by_test_id("user-search").fill(invitee.email)
    page.locator(PICKABLE).check()
    page.get_by_test_id("role-select").select_option(label="member")
    page.get_by_label("Message (optional)").fill(message)
    return page.get_by_test_id("send-dialog")


def assert_accessible(page: Page, state: str) -> None:
    page.wait_for_timeout(250)  # let transitions settle: axe measures colours as shown
    violations = axe_run(page)["violations"]
    assert violations == [], f"{state}: {describe(violations)}"


def status_of(world: World, domain: Domain) -> tuple[str, list[str]]:
    [node] = world.call(STATUS, {"domainId": domain.id}, domain.owner)["invitations"]["nodes"]
    return node["status"], [event["kind"] for event in node["history"]]


def test_a_message_too_long_is_said_not_cut_and_nothing_is_sent(
    open_app: OpenApp, world: World, screen: Screen
) -> None:
    acme = world.domain(world.person("Ann Admin"), "Acme")
    page = open_invitations(open_app(screen), acme)
    dialog = fill_send_dialog(page, world.person("Bo"), "x" * 501)
    note = page.get_by_label("Message (optional)")
    expect(note).to_have_value("x" * 501)
    expect(dialog.get_by_test_id("length-count")).to_have_text("501 of 500 characters")
    hint = "A message can be at most 500 characters; this one has 501."
    expect(dialog.get_by_text(hint)).to_be_visible()
    expect(note).to_have_attribute("aria-invalid", "true")
    expect(note).to_have_accessible_description(re.compile(re.escape(hint)))
    page.get_by_test_id("send-submit").click()
    page.wait_for_load_state("networkidle")
    expect(dialog.get_by_test_id("send-result")).to_have_count(0)
    assert world.call(STATUS, {"domainId": acme.id}, acme.owner)["invitations"]["nodes"] == []

    note.press("Backspace")  # an emoji counts once, as the API counts it
    note.press("Backspace")
    note.press_sequentially("\U0001f600")
    expect(dialog.get_by_test_id("length-count")).to_have_text("500 of 500 characters")
    expect(dialog.get_by_text(hint)).to_be_hidden()
    page.get_by_test_id("send-submit").click()
    expect(dialog.get_by_test_id("send-result")).to_have_text(re.compile(": invited$"))
    assert_no_sideways_scroll(page)


def test_an_hour_long_invitation_reads_expires_in_1_hour(
    open_app: OpenApp, world: World, screen: Screen
) -> None:
    acme = world.domain(world.person("Ann Admin"), "Acme")
    world.call(HOUR_TTL, {"domainId": acme.id}, acme.owner)
    ivy = world.person("Ivy")
    world.invite(acme, ivy)  # without a message
    globex = world.domain(acme.owner, "Globex")
    world.call(HOUR_TTL, {"domainId": globex.id}, acme.owner)
    sending = {"domainId": globex.id, "inviteeIds": [ivy.id], "roleId": globex.roles["member"]}
    world.call(SEND, {**sending, "message": LONG_MESSAGE}, acme.owner)

    page = open_app(screen)
    sign_in(page, ivy)
    items = page.get_by_test_id("pending-popup").get_by_test_id("pending-item")
    expiry = items.get_by_test_id("expiry")
    expect(expiry).to_have_text(["expires in 1 hour"] * 2)
    expect(expiry.first.locator("time")).to_have_attribute("title", re.compile(r"\d{4}"))
    expect(items.filter(has_text="Acme").get_by_test_id("invitation-message")).to_have_count(0)
    message = items.filter(has_text="Globex").get_by_test_id("invitation-message")
    expect(message).to_have_text(LONG_MESSAGE)
    page.get_by_test_id("view-all").click()
    rows = page.get_by_test_id("pending-item")
    expect(rows.get_by_test_id("expiry")).to_have_text(["expires in 1 hour"] * 2)
    expect(rows.get_by_test_id("invitation-message")).to_have_text(LONG_MESSAGE)
    assert_no_sideways_scroll(page)
    screenshot(page, f"{screen.name}-view-all-message-expiry")

    admin = open_invitations(open_app(screen), acme)
    row = admin.get_by_test_id("invitation-row")
    expect(row.get_by_test_id("expiry")).to_have_text("expires in 1 hour")


def test_sent_with_a_message_it_shows_then_expires_and_is_resent(
    open_app: OpenApp, world: World, screen: Screen, axe_script: object
) -> None:
    acme = world.domain(world.person("Ann Admin"), "Acme")
    ivy = world.person("Ivy")
    invitee_page = open_app(screen, bypass_csp=True)
    sign_in(invitee_page, ivy)
    admin_page = open_invitations(open_app(screen, bypass_csp=True), acme)

    fill_send_dialog(admin_page, ivy, MESSAGE)
    assert_accessible(admin_page, "send dialog with a message")
    admin_page.get_by_test_id("send-submit").click()
    expect(admin_page.get_by_test_id("send-result")).to_contain_text("invited")
    admin_page.get_by_role("button", name="Close", exact=True).last.click()

    # The invitee's pop-up opens by itself, with the message as text and when it expires.
    popup = invitee_page.get_by_test_id("pending-popup")
    item = popup.get_by_test_id("pending-item")
    message = item.get_by_test_id("invitation-message")
    expect(message).to_have_text(MESSAGE)
    expect(message.locator("b, img")).to_have_count(0)
    expect(item.get_by_test_id("expiry")).to_have_text(re.compile(r"^expires \S"))
    assert_no_sideways_scroll(invitee_page)
    assert_accessible(invitee_page, "pop-up with a message")
    screenshot(invitee_page, f"{screen.name}-popup-message-expiry")

    wait_until(
        lambda: status_of(world, acme) == ("EXPIRED", ["SENT", "EXPIRED"]),
        timeout=LIFETIME * 3,
        interval=0.5,
        what="the invitation to expire and its EXPIRED event",
    )
    # The admin's table follows live: Expired, with the message and the expiry in History.
    row = admin_page.get_by_test_id("invitation-row")
    expect(row).to_have_attribute("data-status", "EXPIRED")
    expect(row.locator(".badge-expired")).to_have_text("Expired")
    expect(row.get_by_test_id("expiry")).to_have_text(re.compile(r"^expired "))
    expect(row.get_by_test_id("delete-button")).to_have_count(0)
    row.get_by_test_id("history-button").click()
    details = admin_page.get_by_test_id("history")
    expect(admin_page.get_by_test_id("invitation-message")).to_have_text(MESSAGE)
    events = details.get_by_test_id("history-event")
    expect(events).to_have_count(2)
    expect(events.nth(1)).to_have_attribute("data-kind", "EXPIRED")
    expect(events.nth(1)).to_have_text(re.compile(r"^Expired · "))
    assert_no_sideways_scroll(admin_page)
    assert_accessible(admin_page, "expired row with its history")
    screenshot(admin_page, f"{screen.name}-expired-row")

    admin_page.get_by_test_id("status-filter").select_option(label="Expired")
    expect(row).to_have_count(1)
    resend(admin_page, row, ivy.name)
    expect(row).to_have_count(0)  # the filter still shows Expired only
    admin_page.get_by_test_id("status-filter").select_option("")
    expect(row).to_have_attribute("data-status", "PENDING")
    expect(row.get_by_test_id("expiry")).to_have_text(re.compile(r"^expires "))
    expect(row.get_by_test_id("resent-marker")).to_have_text("Resent")
