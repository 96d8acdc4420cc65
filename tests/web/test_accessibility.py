"""axe-core on every view of the app and each of its states (dialogs, empty, error, loading,
an invalid field), at 390 px and 1280 px, light and dark: no violations. axe-core comes from
node_modules and is injected by the test (the context bypasses the content policy for it);
the app never serves it. Each state's screenshot and axe's counts go to test-artifacts/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from tests.mailbox import Mailbox
from tests.receiver import running_receiver
from tests.web.browser import (
    ARTIFACTS,
    PICKABLE,
    Screen,
    axe_run,
    describe,
    paste,
    screenshot,
    sign_in,
)
from tests.web.conftest import OpenApp, web_server
from tests.web.mail import link_sent_to
from tests.web.world import PASSWORD, World


@pytest.fixture(scope="module")
def server(server_directory: Path, mailbox: Mailbox) -> Iterator[str]:
    """Sending real e-mail, for the page its links open."""
    yield from web_server(server_directory, SMTP_URL=mailbox.url)


class Walk:
    """Runs axe on each state visited and keeps the findings."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.results: dict[str, dict[str, Any]] = {}

    def check(self, page: Page, state: str) -> None:
        page.wait_for_timeout(250)  # let transitions settle: axe measures colours as shown
        self.results[state] = axe_run(page)
        screenshot(page, f"{self.prefix}-{state}")

    def save(self) -> list[dict[str, Any]]:
        ARTIFACTS.mkdir(exist_ok=True)
        summary = {
            state: {"violations": len(r["violations"]), "rules passed": r["passes"]}
            for state, r in self.results.items()
        }
        (ARTIFACTS / f"{self.prefix}-axe.json").write_text(json.dumps(summary, indent=1))
        return [{"state": s, **v} for s, r in self.results.items() for v in r["violations"]]


def fail_api(route: Route) -> None:
    route.abort()


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_axe_finds_no_violations_on_any_view(
    open_app: OpenApp, world: World, screen: Screen, dark: bool, axe_script: object
) -> None:
    walk = Walk(f"{screen.name}-{'dark' if dark else 'light'}")
    admin = world.person("Ann Admin")
    acme = world.domain(admin, "Acme")
    ivy, bo = world.person("Ivy"), world.person("Bo")
    world.invite(world.domain(admin, "Globex"), ivy)
    [to_bo] = world.invite(acme, bo)
    world.answer(bo, to_bo, "DECLINE")
    world.resend(acme, to_bo)

    page = open_app(screen, dark=dark, bypass_csp=True)
    walk.check(page, "sign-in")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Name").fill("N" * 120)
    walk.check(page, "sign-up-name-too-long")
    page.get_by_role("link", name="Sign in").click()

    sign_in(page, ivy)
    popup = page.get_by_test_id("pending-popup")
    expect(popup.get_by_test_id("pending-item")).to_have_count(1)
    walk.check(page, "pending-popup")
    popup.get_by_test_id("view-all").click()
    expect(page.get_by_test_id("pending-item")).to_have_count(1)
    walk.check(page, "view-all")
    page.get_by_test_id("accept-button").click()
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    walk.check(page, "view-all-empty")
    page.get_by_role("link", name="Domains", exact=True).first.click()
    page.get_by_role("button", name="Pending invitations").click()
    expect(popup.get_by_test_id("pending-summary")).to_contain_text("no pending")
    walk.check(page, "pending-popup-empty")
    page.keyboard.press("Escape")

    admin_page = open_app(screen, dark=dark, bypass_csp=True)
    sign_in(admin_page, admin)
    expect(admin_page.get_by_test_id("domain-row")).to_have_count(2)
    walk.check(admin_page, "domains")
    admin_page.get_by_role("link", name="Acme").click()
    rows = admin_page.get_by_test_id("invitation-row")
    expect(rows).to_have_count(1)
    rows.get_by_test_id("history-button").click()
    walk.check(admin_page, "invitations-with-history")
    admin_page.get_by_test_id("delete-button").click()
    walk.check(admin_page, "confirm-dialog")
    admin_page.get_by_role("button", name="Cancel").click()
    admin_page.get_by_test_id("send-invitation-button").click()
    admin_page.get_by_test_id("user-search").fill(world.tag)
    admin_page.locator(PICKABLE).first.check()
    walk.check(admin_page, "send-dialog")
    admin_page.keyboard.press("Escape")
    admin_page.get_by_role("link", name="Members").click()
    expect(admin_page.get_by_test_id("member-row")).to_have_count(1)
    walk.check(admin_page, "members")

    admin_page.route("**/graphql", fail_api)
    admin_page.get_by_role("button", name="Refresh").click()
    expect(admin_page.get_by_test_id("error-state")).to_be_visible()
    walk.check(admin_page, "error")

    violations = walk.save()
    assert violations == [], describe(violations)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_axe_finds_no_violations_in_email_invitations_and_webhooks(
    open_app: OpenApp,
    world: World,
    mailbox: Mailbox,
    screen: Screen,
    dark: bool,
    axe_script: object,
) -> None:
    walk = Walk(f"{screen.name}-{'dark' if dark else 'light'}-second")
    admin = world.person("Ann Admin")
    acme = world.domain(admin, "Acme")
    member = world.person("Mo")
    [to_member] = world.invite(acme, member)
    world.answer(member, to_member, "ACCEPT")
    world.invite(acme, world.person("Bo"))
    page = open_app(screen, dark=dark, bypass_csp=True)
    sign_in(page, admin)
    page.get_by_role("link", name="Acme").click()

    # The Send dialog: people marked, addresses checked, then each result.
    page.get_by_test_id("send-invitation-button").click()
    page.get_by_test_id("user-search").fill(world.tag)
    expect(page.get_by_test_id("people-found-status")).to_have_text("3 people found.")
    address = world.address("dee")
    paste(page, page.get_by_test_id("address-input"), f"{address}, oops@")
    expect(page.get_by_test_id("address-problems")).to_be_visible()
    walk.check(page, "send-marked-and-bad-address")
    page.get_by_test_id("address-input").fill(address)
    page.get_by_test_id("role-select").select_option(label="member")
    page.get_by_test_id("send-submit").click()
    expect(page.get_by_test_id("send-result")).to_have_count(1)
    walk.check(page, "send-results")
    page.keyboard.press("Escape")
    link = link_sent_to(mailbox, address)
    row = page.get_by_test_id("invitation-row").filter(has_text=address)
    expect(row.get_by_test_id("email-delivery")).to_have_text("E-mail sent")
    row.get_by_test_id("history-button").click()
    walk.check(page, "invitations-by-email")

    # Webhooks: none, the form, the secret, the list with a delivery's attempts.
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    walk.check(page, "webhooks-empty")
    with running_receiver() as receiver:
        page.get_by_test_id("add-webhook").click()
        dialog = page.get_by_test_id("webhook-dialog")
        dialog.get_by_label("URL").fill(receiver.url)
        dialog.get_by_test_id("event-option").first.check()
        walk.check(page, "webhook-form")
        dialog.get_by_test_id("webhook-submit").click()
        expect(dialog.get_by_test_id("webhook-secret")).to_be_visible()
        walk.check(page, "webhook-secret")
        dialog.get_by_role("button", name="Done").click()
        card = page.get_by_test_id("webhook-card")
        card.get_by_test_id("deliveries-button").click()
        world.invite(acme, world.person("Ivy"))
        delivery = card.get_by_test_id("delivery-row")
        expect(delivery).to_have_attribute("data-status", "SUCCEEDED", timeout=20_000)
    delivery.get_by_test_id("attempts-button").click()
    card.get_by_text("Payload").click()
    walk.check(page, "webhooks-deliveries")

    # The page an e-mailed link opens: signed out, then signed in and refused.
    visitor = open_app(screen, dark=dark, bypass_csp=True)
    visitor.goto(link)
    expect(visitor.get_by_test_id("invite-summary")).to_be_visible()
    walk.check(visitor, "invite-sign-up")
    visitor.get_by_test_id("switch-account-mode").click()
    walk.check(visitor, "invite-sign-in")
    visitor.get_by_label("Email").fill(member.email)
    visitor.get_by_label("Password").fill(PASSWORD)
    visitor.get_by_role("button", name="Sign in").click()
    expect(visitor.get_by_role("alert")).to_contain_text("already a member")
    walk.check(visitor, "invite-refused")
    visitor.goto(link.rpartition("/")[0] + "/unknown-secret")
    expect(visitor.get_by_test_id("invite-unknown")).to_be_visible()
    walk.check(visitor, "invite-unknown")

    violations = walk.save()
    assert violations == [], describe(violations)
