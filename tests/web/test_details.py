"""Problem 8 of the web-app walk, at 390 px and 1280 px: no relative times; no dark mode;
blank tables while loading; no marker on a resent row although the API has resentAt,
resendCount and history; a 300-character paste silently cut to 100; the first Escape in the
people search only cleared it."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, Route, expect

from tests.web.browser import Screen, screenshot, sign_in
from tests.web.conftest import OpenApp
from tests.web.world import Domain, World

PASTE = "x" * 300


@pytest.fixture
def domain(world: World) -> Domain:
    """Acme, whose invitation to Bo was declined and resent."""
    acme = world.domain(world.person("Ann Admin"), "Acme")
    bo = world.person("Bo")
    [invitation] = world.invite(acme, bo)
    world.answer(bo, invitation, "DECLINE")
    world.resend(acme, invitation)
    return acme


def open_domain(page: Page, domain: Domain) -> Page:
    """The owner signed in on `page`, looking at the domain's Invitations table."""
    sign_in(page, domain.owner)
    page.get_by_role("link", name=domain.name).click()
    expect(page.get_by_test_id("invitation-row")).to_have_count(1)
    return page


def test_times_read_relative_with_the_exact_time_on_hover(
    open_app: OpenApp, world: World, domain: Domain, screen: Screen
) -> None:
    page = open_app(screen)
    page.clock.install()
    page.reload()
    open_domain(page, domain)
    created = page.get_by_test_id("invitation-row").locator("td[data-label=Created] time")
    expect(created).to_have_text("now")
    expect(created).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))
    expect(created).to_have_attribute("title", re.compile(r"\d{4}"))
    page.clock.fast_forward("02:10")
    expect(created).to_have_text("2 minutes ago")


def test_dark_mode_follows_the_system_preference(
    open_app: OpenApp, world: World, domain: Domain, screen: Screen
) -> None:
    background = "getComputedStyle(document.documentElement).backgroundColor"
    light = open_app(screen)
    assert light.evaluate(background) == "rgb(246, 248, 250)"
    dark = open_app(screen, dark=True)
    assert dark.evaluate(background) == "rgb(13, 17, 23)"
    open_domain(dark, domain)
    screenshot(dark, f"{screen.name}-dark-invitations")


class Gate:
    """Holds the page's API requests until released, to see what it shows meanwhile."""

    def __init__(self, page: Page) -> None:
        self.held: list[Route] = []
        self.released = False
        page.route("**/graphql", self.handle)

    def handle(self, route: Route) -> None:
        if self.released:
            route.continue_()
        else:
            self.held.append(route)

    def release(self) -> None:
        self.released = True
        for route in self.held:
            route.continue_()


def test_tables_show_a_skeleton_while_loading(
    open_app: OpenApp, world: World, domain: Domain, screen: Screen
) -> None:
    page = open_app(screen)
    sign_in(page, domain.owner)
    gate = Gate(page)
    page.get_by_role("link", name=domain.name).click()
    expect(page.get_by_test_id("skeleton")).to_be_visible()
    expect(page.get_by_test_id("skeleton")).to_contain_text("Loading…")
    gate.release()
    expect(page.get_by_test_id("invitation-row")).to_have_count(1)
    expect(page.get_by_test_id("skeleton")).to_have_count(0)


def test_a_resent_row_is_marked_and_its_history_opens_in_a_details_panel(
    open_app: OpenApp, world: World, domain: Domain, screen: Screen
) -> None:
    page = open_domain(open_app(screen), domain)
    row = page.get_by_test_id("invitation-row")
    marker = row.get_by_test_id("resent-marker")
    expect(marker).to_have_text("Resent")
    expect(marker).to_have_attribute("title", re.compile(r"^Resent 1 time, last "))

    toggle = row.get_by_test_id("history-button")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    history = page.get_by_test_id("history")
    expect(history).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    events = history.get_by_test_id("history-event")
    expect(events).to_have_count(3)
    expect(events.nth(0)).to_contain_text("Sent by Ann Admin")
    expect(events.nth(1)).to_contain_text("Declined by Bo")
    expect(events.nth(2)).to_contain_text("Resent by Ann Admin")
    screenshot(page, f"{screen.name}-history")

    page.get_by_role("button", name="Refresh").click()  # the panel stays open across reloads
    expect(events).to_have_count(3)
    toggle.click()
    expect(history).to_be_hidden()


def searches_sent(page: Page) -> list[str]:
    sent: list[str] = []

    def record(request: object) -> None:
        body = getattr(request, "post_data", None)
        if body and "query InviteCandidates" in body:
            sent.append(json.loads(body)["variables"]["search"])

    page.on("request", record)
    return sent


def test_a_long_paste_stays_whole_and_the_limit_is_said(
    open_app: OpenApp, world: World, domain: Domain, screen: Screen
) -> None:
    page = open_domain(open_app(screen), domain)
    searches = searches_sent(page)
    page.get_by_test_id("send-invitation-button").click()
    search = page.get_by_test_id("user-search")
    search.focus()
    page.keyboard.insert_text(PASTE)
    expect(search).to_have_value(PASTE)
    expect(search).to_have_attribute("aria-invalid", "true")
    hint = "A search can be at most 100 characters; this one has 300."
    expect(page.get_by_text(hint)).to_be_visible()
    expect(search).to_have_accessible_description(re.compile(re.escape(hint)))
    page.wait_for_timeout(600)  # past the search delay: nothing was sent
    assert searches == []
    search.fill(world.tag)  # the admin and Bo
    expect(page.get_by_text(hint)).to_be_hidden()
    expect(page.get_by_test_id("candidate")).to_have_count(2)
    assert searches == [world.tag]
    page.keyboard.press("Escape")

    page.get_by_role("link", name="Domains", exact=True).first.click()
    name = page.get_by_label("Domain name")
    name.focus()
    page.keyboard.insert_text(PASTE)
    expect(name).to_have_value(PASTE)
    page.get_by_role("button", name="Create domain").click()
    expect(page.get_by_text("A domain name can be at most 100 characters")).to_be_visible()
    expect(page.get_by_test_id("domain-row")).to_have_count(1)  # nothing was created


def test_the_first_escape_in_the_search_box_closes_the_dialog(
    open_app: OpenApp, world: World, domain: Domain, screen: Screen
) -> None:
    page = open_domain(open_app(screen), domain)
    opener = page.get_by_test_id("send-invitation-button")
    opener.click()
    page.get_by_test_id("user-search").fill(world.tag)
    expect(page.get_by_test_id("candidate")).to_have_count(2)
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("send-dialog")).to_have_count(0)
    expect(opener).to_be_focused()
