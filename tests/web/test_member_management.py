"""Member management in the browser: an admin changes a member's role and removes a member,
a member leaves, each confirmed first, and every open Members table follows live through
memberEvents (the member whose role changed, another admin, the removed member taken back to
Domains). A plain member sees no Change role or Remove; the API's refusals read in words."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.web.browser import (
    DESKTOP,
    Screen,
    assert_no_sideways_scroll,
    axe_run,
    describe,
    screenshot,
    sign_in,
)
from tests.web.conftest import OpenApp
from tests.web.world import Domain, Person, World

LAST_ADMIN = "The domain must keep a member whose role holds every action"


def members_tab(page: Page, person: Person, domain: Domain) -> Page:
    sign_in(page, person)
    page.get_by_role("link", name=domain.name).click()
    page.get_by_role("link", name="Members").click()
    expect(page.get_by_test_id("member-row").first).to_be_visible()
    return page


def row(page: Page, person: Person) -> Locator:
    return page.locator(f'[data-testid=member-row][data-email="{person.email}"]')


def test_an_admin_changes_a_role_and_the_member_sees_it_live(
    open_app: OpenApp, world: World, screen: Screen
) -> None:
    admin, mo = world.person("Ann Admin"), world.person("Mo Member")
    acme = world.domain(admin, "Acme")
    world.join(acme, mo)

    mo_page = members_tab(open_app(screen), mo, acme)
    expect(mo_page.get_by_test_id("member-row")).to_have_count(2)
    expect(mo_page.get_by_test_id("change-role-button")).to_have_count(0)
    expect(mo_page.get_by_test_id("remove-member-button")).to_have_count(0)
    expect(mo_page.get_by_test_id("leave-domain-button")).to_be_visible()
    expect(mo_page.get_by_test_id("live-note")).to_be_hidden()
    assert_no_sideways_scroll(mo_page)

    page = members_tab(open_app(screen), admin, acme)
    expect(row(page, admin).get_by_test_id("remove-member-button")).to_have_count(0)  # Leave
    opener = row(page, mo).get_by_test_id("change-role-button")
    opener.click()
    dialog = page.get_by_test_id("role-dialog")
    expect(dialog).to_contain_text("Mo Member's role in Acme is member.")
    choice = dialog.get_by_label("New role")
    expect(choice).to_be_focused()
    expect(choice.locator("option")).to_have_text(["admin", "member"])
    expect(dialog.get_by_test_id("confirm-button")).to_be_disabled()  # nothing to change yet
    choice.select_option(label="admin")
    assert_no_sideways_scroll(page)
    screenshot(page, f"{screen.name}-change-role")
    dialog.get_by_test_id("confirm-button").click()
    expect(dialog).to_have_count(0)
    expect(row(page, mo)).to_have_attribute("data-role", "admin")
    expect(page.get_by_role("alert")).to_have_text("Mo Member is now admin.")
    expect(row(page, mo).get_by_test_id("change-role-button")).to_be_focused()

    # Mo's own page follows without a reload, and now offers what an admin may do.
    expect(row(mo_page, mo)).to_have_attribute("data-role", "admin")
    expect(mo_page.get_by_test_id("change-role-button")).to_have_count(2)
    expect(row(mo_page, admin).get_by_test_id("remove-member-button")).to_be_visible()
    assert_no_sideways_scroll(mo_page)


def test_a_removed_member_is_gone_live_and_taken_back_to_domains(
    open_app: OpenApp, world: World
) -> None:
    ann, bea, mo = world.person("Ann Admin"), world.person("Bea Admin"), world.person("Mo")
    acme = world.domain(ann, "Acme")
    world.join(acme, bea, role="admin")
    world.join(acme, mo)
    mo_page = members_tab(open_app(DESKTOP), mo, acme)
    bea_page = members_tab(open_app(DESKTOP), bea, acme)
    page = members_tab(open_app(DESKTOP), ann, acme)
    expect(page.get_by_test_id("member-row")).to_have_count(3)

    # Cancelled, nothing happens.
    row(page, mo).get_by_test_id("remove-member-button").click()
    confirm = page.get_by_test_id("confirm-dialog")
    expect(confirm).to_contain_text("Mo loses access to Acme at once")
    confirm.get_by_role("button", name="Cancel").click()
    expect(row(page, mo)).to_have_count(1)

    row(page, mo).get_by_test_id("remove-member-button").click()
    page.get_by_test_id("confirm-button").click()
    expect(row(page, mo)).to_have_count(0)
    expect(page.get_by_role("alert")).to_have_text("Mo was removed from Acme.")
    expect(page.get_by_test_id("member-row")).to_have_count(2)

    expect(row(bea_page, mo)).to_have_count(0)  # the other admin's table, live
    expect(bea_page.get_by_test_id("member-row")).to_have_count(2)

    expect(mo_page.get_by_role("heading", name="Domains", exact=True)).to_be_visible()
    expect(mo_page.get_by_role("alert")).to_have_text("You are no longer a member of Acme.")
    expect(mo_page.get_by_test_id("empty-state")).to_contain_text("not a member of any domain")


def test_a_member_leaves_and_the_domain_is_gone_from_their_list(
    open_app: OpenApp, world: World
) -> None:
    ann, mo = world.person("Ann Admin"), world.person("Mo")
    acme = world.domain(ann, "Acme")
    world.domain(mo, "Mo's own")
    world.join(acme, mo)
    admin_page = members_tab(open_app(DESKTOP), ann, acme)
    expect(admin_page.get_by_test_id("member-row")).to_have_count(2)
    page = members_tab(open_app(DESKTOP), mo, acme)

    page.get_by_test_id("leave-domain-button").click()
    expect(page.get_by_test_id("confirm-dialog")).to_contain_text("You lose access to Acme")
    page.get_by_test_id("confirm-button").click()
    expect(page.get_by_role("heading", name="Domains", exact=True)).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text("You left Acme.")
    expect(page.get_by_test_id("domain-row")).to_have_count(1)
    expect(page.get_by_test_id("domain-row")).to_contain_text("Mo's own")
    page.reload()  # the message is shown once
    expect(page.get_by_test_id("domain-row")).to_have_count(1)
    expect(page.get_by_text("You left Acme.")).to_have_count(0)

    expect(row(admin_page, mo)).to_have_count(0)  # gone live from the admin's table
    expect(admin_page.get_by_test_id("member-row")).to_have_count(1)


def test_the_last_admin_is_told_why_they_cannot_step_down_or_leave(
    open_app: OpenApp, world: World, screen: Screen, axe_script: object
) -> None:
    ann, mo = world.person("Ann Admin"), world.person("Mo")
    acme = world.domain(ann, "Acme")
    world.join(acme, mo)
    page = members_tab(open_app(screen, bypass_csp=True), ann, acme)
    found = {"members": axe_run(page)}

    row(page, ann).get_by_test_id("change-role-button").click()
    dialog = page.get_by_test_id("role-dialog")
    dialog.get_by_label("New role").select_option(label="member")
    dialog.get_by_test_id("confirm-button").click()
    expect(dialog.get_by_role("alert")).to_contain_text(LAST_ADMIN)
    expect(dialog.get_by_test_id("confirm-button")).to_be_enabled()
    assert_no_sideways_scroll(page)
    screenshot(page, f"{screen.name}-change-role-refused")
    found["role-dialog-refused"] = axe_run(page)
    dialog.get_by_role("button", name="Cancel").click()
    expect(row(page, ann)).to_have_attribute("data-role", "admin")

    page.get_by_test_id("leave-domain-button").click()
    found["leave-confirm"] = axe_run(page)
    page.get_by_test_id("confirm-button").click()
    expect(page.get_by_role("alert")).to_contain_text(LAST_ADMIN)
    expect(page.get_by_test_id("member-row")).to_have_count(2)  # still here, still live
    assert_no_sideways_scroll(page)
    found["leave-refused"] = axe_run(page)

    violations = [{"state": s, **v} for s, r in found.items() for v in r["violations"]]
    assert violations == [], describe(violations)
