"""GraphiQL without the internet: served from this server's vendored builds under a strict
content policy, driven in Debian's Chromium with every non-local request blocked."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Route, expect

from scripts import vendor_graphiql
from tests import node
from tests.processes import running_server

TIMEOUT_MS = 15_000
LOCAL = {"127.0.0.1", "localhost"}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with running_server({"DATABASE_URL": f"sqlite://{tmp_path}/app.sqlite3"}) as base:
        yield base


def test_the_page_loads_only_this_servers_scripts_under_a_strict_policy(server: str) -> None:
    page = httpx.get(f"{server}/graphql", headers={"accept": "text/html"})

    assert page.status_code == 200
    assert re.findall(r"(?:src|href)=\"(https?:)?//", page.text) == []
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "unsafe" not in policy
    for asset in re.findall(r"(?:src|href)=\"(/graphiql/[^\"]+)\"", page.text):
        response = httpx.get(f"{server}{asset}")
        assert (response.status_code, response.headers["x-content-type-options"]) == (
            200,
            "nosniff",
        ), asset


def test_the_vendored_builds_are_the_pinned_packages_with_their_licences() -> None:
    node.require_node()
    vendored = {path.name: path.read_bytes() for path in vendor_graphiql.VENDOR.iterdir()}

    assert vendored == vendor_graphiql.vendored(), "run scripts/vendor_graphiql and commit"


def test_graphiql_reads_the_docs_and_runs_a_query_offline(browser: Browser, server: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    outside: list[str] = []
    refusals: list[str] = []

    def local_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    def watch(message: ConsoleMessage) -> None:
        if message.type == "error":
            refusals.append(message.text)

    context.route("**/*", local_only)
    page: Page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("console", watch)
    page.on("pageerror", lambda error: refusals.append(str(error)))
    page.goto(f"{server}/graphql")

    page.get_by_role("button", name="Show Documentation Explorer").click()
    docs = page.locator(".graphiql-doc-explorer")
    docs.get_by_text("Query", exact=True).first.click()
    expect(docs).to_contain_text("pendingInvitations(")
    expect(docs).to_contain_text("The caller's PENDING invitations, newest first")

    page.evaluate(
        "document.querySelector('.graphiql-query-editor .CodeMirror')"
        ".CodeMirror.setValue('{ __typename me { id } }')"
    )
    page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    expect(page.locator(".result-window")).to_contain_text('"__typename": "Query"')
    context.close()

    assert outside == []  # nothing was even asked of another host
    assert refusals == []  # no script error, no content-policy violation
