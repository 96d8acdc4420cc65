"""Problem 9 of the web-app walk: static files were sent uncompressed, and all ten modules
loaded up front. Now they are gzip-compressed, cached for a year under content-hashed URLs,
and each view's module loads when first shown; the content policy stays strict."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
from playwright.sync_api import Page, expect

from tests.web.browser import Screen, sign_in
from tests.web.conftest import OpenApp
from tests.web.world import World

GZIP = {"accept-encoding": "gzip"}
IMPORT_MAP = re.compile(r'<script type="importmap">(.*?)</script>', re.S)
VERSIONED = re.compile(r'src="(/js/main\.js\?v=[0-9a-f]{16})"')
YEAR = "public, max-age=31536000, immutable"


def test_index_is_revalidated_and_allows_only_its_own_import_map(server: str) -> None:
    index = httpx.get(f"{server}/")
    assert index.status_code == 200
    assert index.headers["cache-control"] == "no-cache"
    policy = index.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    import_map = IMPORT_MAP.search(index.text)
    assert import_map is not None
    digest = base64.b64encode(hashlib.sha256(import_map[1].encode()).digest()).decode()
    assert f"script-src 'self' 'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy
    assert httpx.get(f"{server}/healthz").json()["status"] == "ok"


def test_versioned_files_are_compressed_and_cached_for_a_year(server: str) -> None:
    main = VERSIONED.search(httpx.get(f"{server}/").text)
    assert main is not None
    versioned = httpx.get(f"{server}{main[1]}", headers=GZIP)
    assert versioned.headers["content-type"].startswith("text/javascript")
    assert versioned.headers["content-encoding"] == "gzip"
    assert versioned.headers["cache-control"] == YEAR
    assert int(versioned.headers["content-length"]) < len(versioned.content) / 2
    assert "content-security-policy" in versioned.headers

    # The same file under no version, or a version that is not its content's, is revalidated.
    for url in ("/js/main.js", "/js/main.js?v=0000000000000000"):
        assert httpx.get(f"{server}{url}").headers["cache-control"] == "no-cache"
    assert "graphql-transport-ws" in httpx.get(f"{server}/js/graphql.js").text
    assert httpx.get(f"{server}/js/missing.js").status_code == 404


def test_graphql_answers_are_not_compressed(server: str, world: World) -> None:
    person = world.person("Gus")
    answer = httpx.post(
        f"{server}/graphql",
        json={"query": "{ domains { id name createdAt myRole { id name actions } } }"},
        headers={**GZIP, "authorization": f"Bearer {person.token}"},
    )
    assert answer.status_code == 200
    assert "content-encoding" not in answer.headers


def loaded_modules(page: Page) -> set[str]:
    names: list[str] = page.evaluate(
        "performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)"
        ".filter((path) => path.startsWith('/js/'))"
    )
    return set(names)


def test_each_view_loads_its_module_when_first_shown(
    open_app: OpenApp, world: World, screen: Screen
) -> None:
    admin = world.person("Ann Admin")
    domain = world.domain(admin, "Acme")
    page = open_app(screen)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shell = {"/js/main.js", "/js/dom.js", "/js/graphql.js", "/js/operations.js", "/js/states.js"}
    assert loaded_modules(page) >= shell | {"/js/views/auth.js"}
    assert not loaded_modules(page) & {"/js/views/domains.js", "/js/views/domain.js"}
    page.goto(f"{page.url.split('#')[0]}#/invite/unknown")
    expect(page.get_by_test_id("invite-unknown")).to_be_visible()
    assert "/js/views/invite.js" in loaded_modules(page)
    page.get_by_role("link", name="Sign in").click()

    sign_in(page, admin)
    assert "/js/views/domains.js" in loaded_modules(page)
    assert not loaded_modules(page) & {"/js/views/domain.js", "/js/views/invitations.js"}
    page.get_by_role("link", name=domain.name).click()
    expect(page.get_by_test_id("invitations-table")).to_be_visible()
    assert "/js/views/domain.js" in loaded_modules(page)
    assert "/js/views/send.js" not in loaded_modules(page)
    page.get_by_test_id("send-invitation-button").click()
    expect(page.get_by_test_id("send-dialog")).to_be_visible()
    assert "/js/views/send.js" in loaded_modules(page)
    page.keyboard.press("Escape")
    webhooks = {"/js/views/webhooks.js", "/js/views/webhook-form.js", "/js/views/deliveries.js"}
    assert not loaded_modules(page) & webhooks
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_test_id("add-webhook")).to_be_visible()
    assert loaded_modules(page) >= webhooks
