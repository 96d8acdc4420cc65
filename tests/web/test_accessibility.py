"""axe-core on every view of the app and each of its states (dialogs, empty, error, loading,
an invalid field), at 390 px and 1280 px, light and dark: no violations. axe-core comes from
node_modules and is injected by the test (the context bypasses the content policy for it);
the app never serves it. Each state's screenshot and axe's counts go to test-artifacts/."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from tests.web.browser import (
    ARTIFACTS,
    PICKABLE,
    Screen,
    axe_run,
    describe,
    screenshot,
    sign_in,
)
from tests.web.conftest import OpenApp
from tests.web.world import World


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
