"""Problem 7 of the web-app walk, at 390 px and 1280 px: the people picker showed 10 results
with no hint that more matched, and did not mark existing members or people already invited
(you learnt it only after sending). Now one inviteCandidates query per search says how many
match and which people cannot be picked, and why."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, Request, expect

from tests.web.browser import PICKABLE, Screen, assert_no_sideways_scroll, screenshot, sign_in
from tests.web.conftest import OpenApp
from tests.web.world import World


def operations_sent(page: Page) -> list[str]:
    """The name of each GraphQL operation the page sends from now on."""
    sent: list[str] = []

    def record(request: Request) -> None:
        if request.url.endswith("/graphql") and request.post_data:
            sent.append(
                re.findall(r"(?:query|mutation) (\w+)", json.loads(request.post_data)["query"])[0]
            )

    page.on("request", record)
    return sent


def test_the_picker_says_how_many_match_and_marks_members_and_invitees(
    open_app: OpenApp, world: World, screen: Screen
) -> None:
    admin = world.person("Ann Admin")
    acme = world.domain(admin, "Acme")
    people = [world.person(f"Pat {n:02}") for n in range(1, 13)]
    member, invited, chosen = people[0], people[1], people[2]
    [to_member] = world.invite(acme, member)
    world.answer(member, to_member, "ACCEPT")
    world.invite(acme, invited)

    page = open_app(screen)
    sign_in(page, admin)
    page.get_by_role("link", name="Acme").click()
    page.get_by_test_id("send-invitation-button").click()
    sent = operations_sent(page)
    page.get_by_test_id("user-search").fill(world.tag)  # the admin and the twelve

    status = page.get_by_test_id("people-found-status")
    expect(status).to_have_text("Showing 10 of 13 — refine your search.")
    candidates = page.get_by_test_id("candidate")
    expect(candidates).to_have_count(10)
    assert sent == ["InviteCandidates"]  # the count and the marks come from one query

    as_member = page.get_by_role("checkbox", name=re.compile(f"^{member.name}.*already a member$"))
    expect(as_member).to_be_disabled()
    as_admin = page.get_by_role("checkbox", name=re.compile("^Ann Admin.*already a member$"))
    expect(as_admin).to_be_disabled()
    as_invited = page.get_by_role("checkbox", name=re.compile(f"^{invited.name}.*invited$"))
    expect(as_invited).to_be_disabled()
    expect(candidates.filter(has=page.locator("[data-testid=taken]"))).to_have_count(3)
    expect(page.locator(PICKABLE)).to_have_count(7)
    assert_no_sideways_scroll(page)
    screenshot(page, f"{screen.name}-people-picker")

    # Picked and sent: searched again, they now read "invited" too.
    page.get_by_role("checkbox", name=re.compile(f"^{chosen.name}")).check()
    page.get_by_test_id("role-select").select_option(label="member")
    page.get_by_test_id("send-submit").click()
    expect(page.get_by_test_id("send-result")).to_have_text([f"{chosen.name}: invited"])
    as_chosen = page.get_by_role("checkbox", name=re.compile(f"^{chosen.name}.*invited$"))
    expect(as_chosen).to_be_disabled()
    expect(page.locator(PICKABLE)).to_have_count(6)

    # Refined to one address: everyone who matches is shown.
    page.get_by_test_id("user-search").fill(people[11].email)
    expect(status).to_have_text("1 person found.")
    expect(candidates).to_have_count(1)
    page.get_by_test_id("user-search").fill(f"nobody-{world.tag}")
    expect(status).to_have_text("Nobody matches.")
    expect(candidates).to_have_count(0)
