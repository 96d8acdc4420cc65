"""The Webhooks tab in the browser, against a real receiver on loopback that verifies every
signature: add a webhook and see its secret once, follow a delivery into the log, edit,
disable and enable, rotate the secret, delete, a failing receiver's attempts and the
automatic disabling, and the tab shown only to those who manage webhooks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.polling import wait_until
from tests.receiver import Answer, Receiver, running_receiver
from tests.web.browser import DESKTOP, Screen, assert_no_sideways_scroll, screenshot, sign_in
from tests.web.conftest import OpenApp, web_server
from tests.web.world import Domain, Person, World

ENUM = '{ __type(name: "WebhookEventType") { enumValues { name } } }'
DELIVERED_IN = 20  # seconds: the dispatcher's round, on a busy machine
RETRY_SECONDS = "1"  # one retry, a second after the first failure


@pytest.fixture(scope="module")
def server(server_directory: Path) -> Iterator[str]:
    yield from web_server(server_directory, WEBHOOK_RETRY_SECONDS=RETRY_SECONDS)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as receiver:
        yield receiver


@pytest.fixture
def acme(world: World) -> Domain:
    return world.domain(world.person("Ann Admin"), "Acme")


def webhooks_tab(open_app: OpenApp, screen: Screen, person: Person, domain: Domain) -> Page:
    page = open_app(screen)
    sign_in(page, person)
    page.get_by_role("link", name=domain.name).click()
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_test_id("add-webhook")).to_be_visible()
    return page


def event_box(scope: Locator, name: str) -> Locator:
    return scope.get_by_role("checkbox", name=re.compile(f"^{re.escape(name)}"))


def received(receiver: Receiver, count: int) -> None:
    wait_until(
        lambda: len(receiver.received) >= count,
        timeout=DELIVERED_IN,
        what=f"{count} deliveries at the receiver",
    )


def test_a_webhook_is_added_its_secret_shown_once_and_its_delivery_followed(
    open_app: OpenApp, world: World, acme: Domain, receiver: Receiver, screen: Screen
) -> None:
    page = webhooks_tab(open_app, screen, acme.owner, acme)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    expect(page.get_by_test_id("empty-state")).to_contain_text("No webhooks yet")
    page.get_by_test_id("add-webhook").click()
    dialog = page.get_by_test_id("webhook-dialog")
    offered = dialog.get_by_test_id("event-option").evaluate_all("(all) => all.map((b) => b.value)")
    enum = world.call(ENUM, {})["__type"]["enumValues"]
    assert offered == [value["name"] for value in enum]  # every event type, in the API's order

    dialog.get_by_label("URL").fill(receiver.url)
    event_box(dialog, "invitation.sent").check()
    event_box(dialog, "member.joined").check()
    dialog.get_by_label("Description (optional)").fill("Keeps the CRM in step")
    dialog.get_by_test_id("webhook-submit").click()

    expect(dialog.get_by_role("heading", name="Webhook added")).to_be_visible()
    expect(dialog.get_by_test_id("secret-warning")).to_contain_text(
        "Copy this secret now: you won't see it again."
    )
    secret = dialog.get_by_test_id("webhook-secret").input_value()
    assert secret.startswith("whsec_")
    copy = dialog.get_by_test_id("copy-secret")
    expect(copy).to_be_focused()
    copy.click()
    expect(dialog.get_by_test_id("copy-status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    assert_no_sideways_scroll(page)
    screenshot(page, f"{screen.name}-webhook-secret")
    dialog.get_by_role("button", name="Done").click()
    expect(page.get_by_test_id("add-webhook")).to_be_focused()

    card = page.get_by_test_id("webhook-card")
    expect(card.get_by_role("heading")).to_have_text(receiver.url)
    expect(card.get_by_test_id("webhook-state")).to_have_text("Enabled")
    expect(card.get_by_role("list", name="Events").get_by_role("listitem")).to_have_text(
        ["invitation.sent", "member.joined"]
    )
    expect(card.get_by_test_id("webhook-description")).to_have_text("Keeps the CRM in step")
    assert secret not in page.content()  # shown once: the page kept no copy
    page.reload()
    expect(card).to_be_visible()
    assert secret not in page.content()

    # The log is open when the event happens: the delivery appears and succeeds by itself.
    card.get_by_test_id("deliveries-button").click()
    expect(card.get_by_test_id("deliveries-empty")).to_be_visible()
    receiver.secret = secret  # the copied secret verifies the signature
    world.invite(acme, world.person("Ivy"))
    row = card.get_by_test_id("delivery-row")
    expect(row).to_have_attribute("data-status", "SUCCEEDED", timeout=DELIVERED_IN * 1000)
    [delivery] = receiver.received
    assert delivery.verified and delivery.payload["type"] == "invitation.sent"
    expect(row).to_contain_text("invitation.sent")
    expect(row).to_contain_text("Succeeded")
    expect(row).to_contain_text("HTTP 204")
    row.get_by_test_id("attempts-button").click()
    attempts = card.get_by_test_id("attempt")
    expect(attempts).to_have_count(1)
    expect(attempts).to_contain_text("HTTP 204")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, f"{screen.name}-webhooks")
    card.get_by_text("Payload").click()
    expect(card.locator("details.payload pre")).to_contain_text('"type": "invitation.sent"')
    assert_no_sideways_scroll(page)


def test_a_webhook_is_edited_disabled_enabled_rotated_and_deleted(
    open_app: OpenApp, world: World, acme: Domain, receiver: Receiver, screen: Screen
) -> None:
    first_secret = receiver.secret = world.webhook(acme, receiver.url, "INVITATION_SENT")
    page = webhooks_tab(open_app, screen, acme.owner, acme)
    card = page.get_by_test_id("webhook-card")

    long_url = f"{receiver.url}?{'q' * 1500}"
    card.get_by_test_id("edit-webhook").click()
    dialog = page.get_by_test_id("webhook-dialog")
    expect(dialog.get_by_label("URL")).to_have_value(receiver.url)
    expect(event_box(dialog, "invitation.sent")).to_be_checked()
    dialog.get_by_label("URL").fill(long_url)
    event_box(dialog, "invitation.deleted").check()
    dialog.get_by_label("Description (optional)").fill("D" * 500)
    dialog.get_by_test_id("webhook-submit").click()
    expect(dialog).to_have_count(0)
    expect(card.get_by_test_id("edit-webhook")).to_be_focused()
    expect(card.get_by_role("heading").get_by_title(long_url)).to_be_visible()
    expect(card.get_by_role("list", name="Events").get_by_role("listitem")).to_have_text(
        ["invitation.sent", "invitation.deleted"]
    )
    expect(card.get_by_test_id("webhook-description")).to_have_text("D" * 500)
    assert_no_sideways_scroll(page)

    # Disabled, it is sent nothing of what happens meanwhile; enabled again, it is.
    toggle = card.get_by_test_id("toggle-webhook")
    toggle.click()
    expect(card.get_by_test_id("webhook-state")).to_have_text("Disabled")
    expect(card.get_by_test_id("disabled-note")).to_be_visible()
    expect(toggle).to_have_text("Enable")
    expect(toggle).to_be_focused()
    world.invite(acme, world.person("Ivy"))  # its deliveries would be written by now
    toggle.click()
    expect(card.get_by_test_id("webhook-state")).to_have_text("Enabled")
    card.get_by_test_id("deliveries-button").click()
    expect(card.get_by_test_id("deliveries-empty")).to_be_visible()
    world.invite(acme, world.person("Jo"))
    row = card.get_by_test_id("delivery-row")
    expect(row).to_have_attribute("data-status", "SUCCEEDED", timeout=DELIVERED_IN * 1000)
    expect(row).to_have_count(1)
    [delivery] = receiver.received
    assert delivery.verified and "Jo" in str(delivery.payload)

    # A new secret, confirmed first and shown once; the next delivery is signed with it.
    card.get_by_test_id("rotate-secret").click()
    expect(page.get_by_test_id("confirm-dialog")).to_contain_text("stops signing at once")
    page.get_by_test_id("confirm-button").click()
    shown = page.get_by_test_id("secret-dialog")
    new_secret = shown.get_by_test_id("webhook-secret").input_value()
    assert new_secret.startswith("whsec_") and new_secret != first_secret
    shown.get_by_role("button", name="Done").click()
    expect(card.get_by_test_id("rotate-secret")).to_be_focused()
    receiver.secret = new_secret
    world.invite(acme, world.person("Kai"))
    received(receiver, 2)
    assert receiver.received[1].verified

    # Deleted after a confirmation; focus goes to Add webhook.
    card.get_by_test_id("delete-webhook").click()
    page.get_by_test_id("confirm-button").click()
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    expect(page.get_by_test_id("add-webhook")).to_be_focused()


def test_a_failing_receiver_shows_each_attempt_and_the_webhook_is_disabled_by_itself(
    open_app: OpenApp, world: World, acme: Domain
) -> None:
    with running_receiver(*[Answer(500, b"database is down")] * 40) as failing:
        world.webhook(acme, failing.url, "INVITATION_SENT")
        # Ten deliveries, each failing both of its attempts: a long enough run to disable it.
        world.invite(acme, *(world.person(f"Guest {n}") for n in range(10)))
        page = webhooks_tab(open_app, DESKTOP, acme.owner, acme)
        card = page.get_by_test_id("webhook-card")
        state = card.get_by_test_id("webhook-state")
        for _ in range(DELIVERED_IN):
            if state.text_content() == "Disabled automatically":
                break
            page.wait_for_timeout(1000)
            page.get_by_role("button", name="Refresh", exact=True).click()
        expect(state).to_have_text("Disabled automatically")
    expect(card.get_by_test_id("disabled-reason")).to_contain_text("Enable it again")
    card.get_by_test_id("deliveries-button").click()
    rows = card.get_by_test_id("delivery-row")
    expect(rows).to_have_count(10)
    first = rows.first
    expect(first).to_have_attribute("data-status", "FAILED")
    expect(first).to_contain_text("HTTP 500")
    first.get_by_test_id("attempts-button").click()
    attempts = card.locator("tr.details-row:visible").get_by_test_id("attempt")
    expect(attempts).to_have_count(2)
    expect(attempts.first).to_contain_text("database is down")
    screenshot(page, "desktop-webhook-failing")

    card.get_by_test_id("toggle-webhook").click()
    expect(state).to_have_text("Enabled")
    expect(card.get_by_test_id("disabled-reason")).to_have_count(0)


def test_only_those_who_manage_webhooks_see_the_tab(
    open_app: OpenApp, world: World, acme: Domain
) -> None:
    member = world.person("Mo")
    [invitation] = world.invite(acme, member)
    world.answer(member, invitation, "ACCEPT")
    page = open_app(DESKTOP)
    sign_in(page, member)
    page.get_by_role("link", name="Acme").click()
    tabs = page.get_by_role("navigation", name="Domain sections").get_by_role("link")
    expect(tabs).to_have_text(["Invitations", "Members"])
    page.goto(page.url.replace("/invitations", "/webhooks"))
    expect(
        page.get_by_text("Your role does not let you manage this domain's webhooks.")
    ).to_be_visible()
