"""Opening the app in Chromium at phone and desktop sizes, and what the tests check on a page:
sideways scrolling, boxes inside boxes, axe-core, screenshots."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import FloatRect, Locator, Page, expect

from tests.processes import ROOT
from tests.web.world import PASSWORD, Person

ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TIMEOUT_MS = 15_000
# Tolerance for sub-pixel rounding of boxes.
EPSILON = 1.0


@dataclass(frozen=True)
class Screen:
    name: str
    width: int
    height: int


SMALL_PHONE = Screen("small-phone", 320, 640)
PHONE = Screen("phone", 390, 844)
DESKTOP = Screen("desktop", 1280, 800)


def sign_in(page: Page, person: Person) -> None:
    # The sign-in view, not a sign-up view it is replacing: both have an Email field.
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Domains", exact=True)).to_be_visible()


# People the Send dialog's search found who can be picked (not members, not already invited).
PICKABLE = "[data-testid=user-option]:enabled"


def resend(page: Page, row: Locator, invitee: str) -> None:
    """Resend a row's invitation, through the confirmation naming its invitee."""
    row.get_by_test_id("resend-button").click()
    expect(page.get_by_test_id("confirm-dialog")).to_contain_text(
        f"This will resend the invitation to {invitee}"
    )
    page.get_by_test_id("confirm-button").click()


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path)
    return path


def paste(page: Page, target: Locator, text: str) -> None:
    """Paste `text` into `target` through the clipboard, as a person would."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate("(text) => navigator.clipboard.writeText(text)", text)
    target.focus()
    page.keyboard.press("ControlOrMeta+V")


def page_width(page: Page) -> dict[str, int]:
    widths: dict[str, int] = page.evaluate(
        "({ scroll: document.documentElement.scrollWidth,"
        " client: document.documentElement.clientWidth })"
    )
    return widths


def assert_no_sideways_scroll(page: Page) -> None:
    widths = page_width(page)
    assert widths["scroll"] <= widths["client"], f"the page scrolls sideways: {widths}"


def box(locator: Locator) -> FloatRect:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not rendered"
    return found


def assert_inside(inner: Locator, outer: Locator) -> None:
    """`inner`'s box lies within `outer`'s (both rendered)."""
    a, b = box(inner), box(outer)
    assert a["x"] >= b["x"] - EPSILON and a["y"] >= b["y"] - EPSILON, (a, b)
    assert a["x"] + a["width"] <= b["x"] + b["width"] + EPSILON, (a, b)
    assert a["y"] + a["height"] <= b["y"] + b["height"] + EPSILON, (a, b)


def assert_on_screen(page: Page, locator: Locator) -> None:
    """Horizontally within the viewport: reachable without scrolling sideways."""
    a = box(locator)
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert a["x"] >= -EPSILON and a["x"] + a["width"] <= width + EPSILON, (a, width)


def axe_run(page: Page) -> dict[str, Any]:
    """axe-core on the page as it is now (every rule it runs by default: WCAG 2.x A and AA,
    and best practices): the violations, and how many rules passed."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        """async () => {
            const run = await axe.run(document);
            return {
                passes: run.passes.length,
                violations: run.violations.map((v) => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map((n) => n.target.join(" ")),
                })),
            };
        }"""
    )
    return result


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(violations, indent=1)
