"""Fixtures of the browser tests: Debian's Chromium, a real server (one per module, shared by
its tests, which make their own people), and pages at phone and desktop sizes that fail the
test on any script error or content-policy violation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests import external
from tests.mailbox import Mailbox, smtp_server
from tests.processes import server_process
from tests.web.browser import AXE, DESKTOP, PHONE, TIMEOUT_MS, Screen
from tests.web.world import World

OpenApp = Callable[..., Page]


SERVER_LOG = "server.log"


def web_server(directory: Path, **env: str) -> Iterator[str]:
    """A server on its own SQLite database in `directory` (its output in server.log there),
    with `env` on top; yields its base URL."""
    database = {"DATABASE_URL": f"sqlite://{directory / 'app.sqlite3'}"}
    with server_process({**database, **env}, output=directory / SERVER_LOG) as process:
        yield process.base


@pytest.fixture(scope="module")
def server_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web")


@pytest.fixture(scope="module")
def server(server_directory: Path) -> Iterator[str]:
    yield from web_server(server_directory)


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server for the modules whose server sends e-mail (SMTP_URL=mailbox.url)."""
    with smtp_server() as box:
        yield box


@pytest.fixture
def world(server: str) -> World:
    return World(server)


@pytest.fixture(params=[PHONE, DESKTOP], ids=lambda screen: screen.name)
def screen(request: pytest.FixtureRequest) -> Screen:
    """Each test that takes it runs at 390 px and at 1280 px."""
    chosen: Screen = request.param
    return chosen


@pytest.fixture
def axe_script() -> Path:
    if not AXE.exists():
        external.unavailable(f"the accessibility tests need axe-core at {AXE} (npm ci)")
    return AXE


@pytest.fixture
def open_app(browser: Browser, server: str) -> Iterator[OpenApp]:
    """open_app(screen, base=server, dark=False, bypass_csp=False): the app in a fresh
    context. Uncaught script errors and content-policy violations fail the test."""
    errors: list[str] = []
    contexts: list[BrowserContext] = []

    def open_page(
        screen: Screen, *, base: str = server, dark: bool = False, bypass_csp: bool = False
    ) -> Page:
        context = browser.new_context(
            viewport={"width": screen.width, "height": screen.height},
            color_scheme="dark" if dark else "light",
            bypass_csp=bypass_csp,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "console",
            lambda message: (
                errors.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        page.goto(f"{base}/")
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert errors == []
