"""Problems 1 and 2 of the web-app walk, at 390 px and 1280 px.

1. On phones every page scrolled sideways (437-441 px wide), "Sign out" was off-screen,
   dialogs were wider than the screen, and Status and Actions hid behind the table's scroll.
2. A 100-character domain name without spaces pushed the pop-up's Accept/Decline outside the
   dialog, the domain heading off-screen, and the Send dialog's close button out of view.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser import (
    DESKTOP,
    PHONE,
    SMALL_PHONE,
    Screen,
    assert_inside,
    assert_no_sideways_scroll,
    assert_on_screen,
    screenshot,
    sign_in,
)
from tests.web.conftest import OpenApp
from tests.web.world import Domain, Person, World

LONG_DOMAIN = "Interplanetary" + "X" * 86  # 100 characters, no space
LONG_NAME = "Maximiliana-" + "Q" * 88


def a_domain_with_every_status(world: World, admin: Person, name: str) -> tuple[Domain, Person]:
    """A domain with a pending, an accepted and a rejected invitation (one to a long name)."""
    domain = world.domain(admin, name)
    pending, accepted, rejected = (world.person(n) for n in (LONG_NAME, "Ada", "Bo"))
    ids = world.invite(domain, pending, accepted, rejected)
    world.answer(accepted, ids[1], "ACCEPT")
    world.answer(rejected, ids[2], "DECLINE")
    return domain, pending


def expect_dialog_fits(page: Page, testid: str) -> None:
    dialog = page.get_by_test_id(testid)
    expect(dialog).to_be_visible()
    assert_on_screen(page, dialog)
    assert_inside(dialog.get_by_role("button", name="Close").first, dialog)
    assert_no_sideways_scroll(page)


@pytest.mark.parametrize("screen", [SMALL_PHONE, PHONE, DESKTOP], ids=lambda s: s.name)
def test_no_page_scrolls_sideways_and_every_control_is_on_screen(
    open_app: OpenApp, world: World, screen: Screen
) -> None:
    admin = world.person("Ann Admin")
    domain, _ = a_domain_with_every_status(world, admin, "Acme")
    page = open_app(screen)
    assert_no_sideways_scroll(page)
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    assert_no_sideways_scroll(page)
    page.get_by_role("link", name="Sign in").click()

    sign_in(page, admin)
    expect(page.get_by_test_id("domain-row")).to_have_count(1)
    assert_no_sideways_scroll(page)
    for control in ("Sign out", "Pending invitations", "Create domain"):
        assert_on_screen(page, page.get_by_role("button", name=control))

    page.get_by_role("link", name=domain.name).click()
    rows = page.get_by_test_id("invitation-row")
    expect(rows).to_have_count(3)
    assert_no_sideways_scroll(page)
    for n in range(3):
        row = rows.nth(n)
        assert_on_screen(page, row.locator(".badge").first)
        for button in row.get_by_role("button").all():
            assert_on_screen(page, button)
    screenshot(page, f"{screen.name}-invitations")

    page.get_by_test_id("send-invitation-button").click()
    expect_dialog_fits(page, "send-dialog")
    page.keyboard.press("Escape")
    rows.filter(has=page.get_by_test_id("resend-button")).get_by_test_id("resend-button").click()
    expect_dialog_fits(page, "confirm-dialog")
    page.get_by_role("button", name="Cancel").click()

    page.get_by_role("link", name="Members").click()
    expect(page.get_by_test_id("member-row")).to_have_count(2)
    assert_no_sideways_scroll(page)
    screenshot(page, f"{screen.name}-members")


def test_long_names_stay_inside_their_boxes_with_the_whole_name_in_title(
    open_app: OpenApp, world: World, screen: Screen
) -> None:
    admin = world.person("Ann Admin")
    _, invitee = a_domain_with_every_status(world, admin, LONG_DOMAIN)

    page = open_app(screen)
    sign_in(page, invitee)
    popup = page.get_by_test_id("pending-popup")
    expect_dialog_fits(page, "pending-popup")
    item = popup.get_by_test_id("pending-item")
    for name in ("Accept", "Decline"):
        assert_inside(item.get_by_role("button", name=name), popup)
    expect(item.get_by_title(LONG_DOMAIN)).to_have_text(LONG_DOMAIN)
    screenshot(page, f"{screen.name}-long-name-popup")
    page.get_by_role("button", name="Later").click()

    admin_page = open_app(screen)
    sign_in(admin_page, admin)
    expect(admin_page.get_by_title(LONG_DOMAIN)).to_be_visible()
    assert_no_sideways_scroll(admin_page)
    admin_page.get_by_title(LONG_DOMAIN).click()
    heading = admin_page.get_by_role("heading", name=LONG_DOMAIN)
    expect(heading).to_be_visible()
    assert_on_screen(admin_page, heading)
    row = admin_page.get_by_test_id("invitation-row").filter(has_text=LONG_NAME[:20])
    expect(row.get_by_title(LONG_NAME)).to_be_visible()
    assert_no_sideways_scroll(admin_page)
    admin_page.get_by_test_id("send-invitation-button").click()
    expect_dialog_fits(admin_page, "send-dialog")
    screenshot(admin_page, f"{screen.name}-long-name-send")
