"""The web app and trusted documents in the browser: once a response announces them
(GraphQL-Trusted-Documents), the app sends each document by its id alone, and signing in,
listing domains and sending an invitation work so in production with the web app's
manifest; a document the server's manifest lacks is sent again as text, which development
runs and production refuses in words."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Request, expect

from app import documents
from tests.web.browser import DESKTOP, PICKABLE, sign_in
from tests.web.conftest import OpenApp, web_server
from tests.web.world import CREATE_DOMAIN, SIGN_UP, World

PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "s" * 48,
    "PASSWORD_HASH_PROFILE": "default",  # production refuses the tests' cheap hashing
}
NOT_IN_LIST = "The server does not accept this request from this version of the app."


def name(document: str) -> str:
    """An operation's name ("" for an anonymous one)."""
    found = re.match(r"\s*(?:query|mutation|subscription)\s+(\w+)", document)
    return found.group(1) if found else ""


# The web app's manifest as committed, and the documents World sends itself (merged, as
# the README says to serve other clients too).
TRUSTED = {
    **json.loads(documents.WEB_APP_MANIFEST.read_text(encoding="utf-8")),
    **json.loads(documents.manifest_text([SIGN_UP, CREATE_DOMAIN])),
}


def manifest(path: Path, *, without: str | None = None) -> str:
    """TRUSTED written to `path`, less the operation named `without`; the path."""
    path.write_text(json.dumps({k: text for k, text in TRUSTED.items() if name(text) != without}))
    return str(path)


def operation(body: dict[str, Any]) -> str:
    """The name of the operation a request body asks for, by id or by text."""
    return name(TRUSTED.get(body.get("documentId", ""), body.get("query", "")))


class Posts:
    """The app's GraphQL POST bodies in the order sent, each with whether a GraphQL
    response had already arrived when it was sent."""

    def __init__(self, page: Page) -> None:
        self.sent: list[tuple[bool, dict[str, Any]]] = []
        self.answered = False
        page.on("request", self._request)
        page.on("response", lambda r: self._answered(r.request))

    def _request(self, request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/graphql"):
            self.sent.append((self.answered, request.post_data_json or {}))

    def _answered(self, request: Request) -> None:
        self.answered = self.answered or request.url.endswith("/graphql")

    def of(self, wanted: str) -> list[str]:
        """How each request for the operation `wanted` gave its document: "documentId" or
        "query"."""
        return [
            "documentId" if "documentId" in body else "query"
            for _, body in self.sent
            if operation(body) == wanted
        ]


@pytest.fixture(scope="module")
def server(server_directory: Path) -> Iterator[str]:
    path = manifest(server_directory / "manifest.json")
    yield from web_server(server_directory, TRUSTED_DOCUMENTS=path, **PRODUCTION)


def signed_in(open_app: OpenApp, base: str) -> tuple[Page, Posts]:
    """A page of the app at `base` whose POSTs are recorded, signed in as a new person."""
    world = World(base)
    person = world.person("Ann Admin")
    page = open_app(DESKTOP, base=base)
    posts = Posts(page)
    sign_in(page, person)
    return page, posts


def test_after_the_first_response_the_app_sends_documents_by_id_in_production(
    open_app: OpenApp, world: World
) -> None:
    admin, ivy = world.person("Ann Admin"), world.person("Ivy Invitee")
    world.domain(admin, "Acme")
    page = open_app(DESKTOP)
    posts = Posts(page)

    sign_in(page, admin)
    expect(page.get_by_test_id("domain-row")).to_contain_text("Acme")
    page.get_by_role("link", name="Acme").click()
    page.get_by_test_id("send-invitation-button").click()
    page.get_by_test_id("user-search").fill(ivy.email)
    expect(page.locator(PICKABLE)).to_have_count(1)
    page.locator(PICKABLE).check()
    page.get_by_test_id("role-select").select_option(label="member")
    page.get_by_test_id("send-submit").click()
    expect(page.get_by_test_id("send-result")).to_contain_text("invited")
    page.get_by_role("button", name="Close", exact=True).last.click()
    expect(page.get_by_test_id("invitation-row").filter(has_text=ivy.email)).to_have_count(1)

    (answered, first), *later = posts.sent
    # The first request cannot know; every later one goes by id alone.
    assert (answered, operation(first), "query" in first) == (False, "SignIn", True)
    assert all(answered for answered, _ in later)
    assert [body for _, body in later if "query" in body or "documentId" not in body] == []
    sent = {operation(body) for _, body in later}
    assert {"Domains", "Domain", "InviteCandidates", "SendInvitations"} <= sent


@pytest.fixture
def without_create_domain(tmp_path: Path) -> str:
    return manifest(tmp_path / "reduced.json", without="CreateDomain")


@pytest.fixture
def development_lacking(tmp_path: Path, without_create_domain: str) -> Iterator[str]:
    yield from web_server(tmp_path, TRUSTED_DOCUMENTS=without_create_domain)


@pytest.fixture
def production_lacking(tmp_path: Path, without_create_domain: str) -> Iterator[str]:
    yield from web_server(tmp_path, TRUSTED_DOCUMENTS=without_create_domain, **PRODUCTION)


def test_a_document_the_manifest_lacks_is_sent_again_as_text_and_runs_in_development(
    open_app: OpenApp, development_lacking: str
) -> None:
    page, posts = signed_in(open_app, development_lacking)
    rows = page.get_by_test_id("domain-row")
    for count, domain in enumerate(("Acme", "Beta"), start=1):
        page.get_by_label("Domain name").fill(domain)
        page.get_by_role("button", name="Create domain").click()
        expect(rows.filter(has_text=domain)).to_have_count(1)
        expect(rows).to_have_count(count)

    # By id, not found, again as text; from then on as text at once. The rest by id.
    assert posts.of("CreateDomain") == ["documentId", "query", "query"]
    assert posts.of("Domains")[-1] == "documentId"


def test_a_document_the_manifest_lacks_is_refused_in_words_in_production(
    open_app: OpenApp, production_lacking: str
) -> None:
    page, posts = signed_in(open_app, production_lacking)
    page.get_by_label("Domain name").fill("Acme")
    page.get_by_role("button", name="Create domain").click()

    expect(page.get_by_role("alert").filter(has_text=NOT_IN_LIST)).to_be_visible()
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    assert posts.of("CreateDomain") == ["documentId", "query"]
