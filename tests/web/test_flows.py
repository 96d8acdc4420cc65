"""The whole invitation flow in the browser: sign up, create, invite seven, answer in the
pop-up and on View All, resend, delete, and the admin's table following live."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.browser import DESKTOP, PICKABLE, resend, screenshot, sign_in
from tests.web.conftest import OpenApp
from tests.web.world import PASSWORD, World


def expect_live_updates(page: Page) -> None:
    """The page is subscribed to invitationEvents: no fallback note, no Refresh needed."""
    expect(page.get_by_test_id("live-note")).to_be_hidden()


def test_sign_up_and_create_a_domain_in_the_browser(open_app: OpenApp, world: World) -> None:
    page = open_app(DESKTOP)
    screenshot(page, "01-sign-in")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Name").fill("Ann Admin")
    page.get_by_label("Email").fill(f"ann.{world.tag}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("You are not a member of any domain yet.")).to_be_visible()

    page.get_by_label("Domain name").fill("Acme")
    page.get_by_label("Domain name").press("Enter")
    row = page.get_by_test_id("domain-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Acme")
    expect(row).to_contain_text("admin")
    screenshot(page, "02-domains")

    # The token survives a reload.
    page.reload()
    expect(page.get_by_test_id("domain-row")).to_have_count(1)


def test_sign_up_with_a_taken_email_shows_the_api_message(
    server: str, open_app: OpenApp, world: World
) -> None:
    ann = world.person("Ann")
    page = open_app(DESKTOP)
    page.goto(f"{server}/#/signup")
    page.get_by_label("Name").fill("Another Ann")
    page.get_by_label("Email").fill(ann.email.upper())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_contain_text("already")
    expect(page.get_by_role("button", name="Create account")).to_be_enabled()


def test_invite_seven_answer_in_the_popup_resend_delete_and_see_the_member(
    open_app: OpenApp, world: World
) -> None:
    admin = world.person("Ann Admin")
    invitees = [world.person(f"Invitee {n}") for n in range(1, 8)]
    alice, bob, last = invitees[0], invitees[1], invitees[-1]
    # Alice is also invited to six other domains, so Acme's invitation makes seven.
    for n in range(2, 8):
        world.invite(world.domain(admin, f"Project {n}"), alice)

    # The admin creates Acme and invites all seven at once through the dialog.
    admin_page = open_app(DESKTOP)
    sign_in(admin_page, admin)
    admin_page.get_by_label("Domain name").fill("Acme")
    admin_page.get_by_role("button", name="Create domain").click()
    admin_page.get_by_role("link", name="Acme").click()
    admin_page.get_by_test_id("send-invitation-button").click()
    admin_page.get_by_test_id("user-search").fill(f"{world.tag}@")
    options = admin_page.locator(PICKABLE)
    expect(options).to_have_count(7)  # and the admin, already a member
    for n in range(7):
        options.nth(n).check()
    admin_page.get_by_test_id("role-select").select_option(label="member")
    admin_page.get_by_test_id("send-submit").click()
    results = admin_page.get_by_test_id("send-result")
    expect(results).to_have_count(7)
    for n in range(7):
        expect(results.nth(n)).to_contain_text("invited")
    screenshot(admin_page, "03-send-invitation")
    admin_page.get_by_role("button", name="Close", exact=True).last.click()
    rows = admin_page.get_by_test_id("invitation-row")
    expect(rows).to_have_count(7)
    expect(admin_page.get_by_test_id("delete-button")).to_have_count(7)
    expect(admin_page.get_by_test_id("resend-button")).to_have_count(0)

    # Alice signs in: seven pending, five shown, Acme's (the newest) first.
    alice_page = open_app(DESKTOP)
    sign_in(alice_page, alice)
    popup = alice_page.get_by_test_id("pending-popup")
    items = popup.get_by_test_id("pending-item")
    expect(popup.get_by_test_id("pending-count")).to_have_text("7")
    expect(popup).to_contain_text("You have 7 pending invitations")
    expect(items).to_have_count(5)
    expect(items.first).to_contain_text("Invitation to join Acme with the role of member")
    expect(items.first).to_contain_text("Invited by Ann Admin")
    screenshot(alice_page, "04-pending-popup")

    items.first.get_by_test_id("accept-button").click()
    expect(popup.get_by_test_id("pending-count")).to_have_text("6")
    expect(items).to_have_count(5)
    expect(items.filter(has_text="Acme")).to_have_count(0)
    expect(popup).to_contain_text("Project 3")  # the sixth moved up into the five

    # Declined from the keyboard.
    items.filter(has_text="Project 6").get_by_test_id("decline-button").focus()
    alice_page.keyboard.press("Enter")
    expect(popup.get_by_test_id("pending-count")).to_have_text("5")
    expect(items).to_have_count(5)
    expect(items.filter(has_text="Project 6")).to_have_count(0)
    expect(popup).to_contain_text("Project 2")
    expect(alice_page.get_by_test_id("domain-row").filter(has_text="Acme")).to_have_count(1)

    # Bob declines Acme's invitation from the full list.
    bob_page = open_app(DESKTOP)
    sign_in(bob_page, bob)
    expect(bob_page.get_by_test_id("pending-count")).to_have_text("1")
    bob_page.get_by_test_id("view-all").click()
    expect(bob_page.get_by_role("heading", name="My pending invitations")).to_be_visible()
    screenshot(bob_page, "05-view-all")
    bob_page.get_by_test_id("pending-item").get_by_test_id("decline-button").click()
    expect(bob_page.get_by_text("You have no pending invitations.")).to_be_visible()

    # The admin's table shows both answers live, without a reload or a Refresh click.
    expect_live_updates(admin_page)
    alice_row = rows.filter(has_text=alice.email)
    bob_row = rows.filter(has_text=bob.email)
    expect(alice_row).to_have_attribute("data-status", "ACCEPTED")
    expect(bob_row).to_have_attribute("data-status", "REJECTED")
    expect(alice_row).to_contain_text("Accepted")
    expect(bob_row).to_contain_text("Rejected")
    expect(admin_page.get_by_test_id("resend-button")).to_have_count(1)
    expect(admin_page.get_by_test_id("delete-button")).to_have_count(5)
    screenshot(admin_page, "06-invitations")

    admin_page.get_by_test_id("status-filter").select_option("REJECTED")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(bob.name)

    resend(admin_page, bob_row, bob.name)
    expect(rows).to_have_count(0)  # the filter still shows Rejected only
    admin_page.get_by_test_id("status-filter").select_option("")
    expect(bob_row).to_have_attribute("data-status", "PENDING")

    last_row = rows.filter(has_text=last.email)
    last_row.get_by_test_id("delete-button").click()
    admin_page.get_by_test_id("confirm-button").click()
    expect(last_row).to_have_count(0)
    expect(rows).to_have_count(6)

    # Bob hears about the resend live, on the "View All" page he still has open.
    expect(bob_page.get_by_test_id("pending-item")).to_have_count(1)
    expect(bob_page.get_by_test_id("pending-item")).to_contain_text("Acme")
    expect(bob_page.get_by_test_id("header-pending-count")).to_have_text("1")

    admin_page.get_by_role("link", name="Members").click()
    members = admin_page.get_by_test_id("member-row")
    expect(members).to_have_count(2)
    new_member = members.filter(has_text=alice.email)
    expect(new_member).to_contain_text("member")
    expect(new_member).to_contain_text("Ann Admin")
    screenshot(admin_page, "07-members")
