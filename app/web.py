"""The web app: static files under app/static, served with a strict content policy, gzip, and
a year of caching under URLs that carry a hash of their content.

There is no build step: at start-up `Assets.scan` hashes every file once and renders
index.html so that its links carry `?v=<hash>` and an import map sends every module import
to its versioned URL. index.html itself is revalidated on every load (`no-cache`), so a
deploy is seen at once while unchanged modules come from the browser's cache. Editing a
static file therefore needs a server restart to change its URL.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import MutableHeaders, QueryParams
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC_DIR = Path(__file__).parent / "static"
INDEX_PATHS = ("/", "/index.html")
CACHE_FOREVER = "public, max-age=31536000, immutable"
# Links in index.html to files of this origin: href="/style.css", src="/js/main.js".
_LOCAL_LINK = re.compile(r'(href|src)="(/[^"?#]*)"')

# Everything the app needs comes from this origin; the token lives in localStorage, so no
# script from anywhere else may run and no page may frame this one. The one inline script,
# the import map, is allowed by its hash.
_POLICY = (
    "default-src 'self'; script-src 'self' {script}; connect-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_HEADERS = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:16]


@dataclass(frozen=True)
class Assets:
    """Each static file's content hash, and index.html rendered to link to those versions."""

    versions: Mapping[str, str]  # "/js/main.js" -> "3f2a..."
    index: bytes
    policy: str

    @classmethod
    def scan(cls, directory: Path) -> Assets:
        versions = {
            "/" + path.relative_to(directory).as_posix(): _digest(path.read_bytes())
            for path in sorted(directory.rglob("*"))
            if path.is_file() and path.name != "index.html"
        }
        modules = {url: f"{url}?v={v}" for url, v in versions.items() if url.endswith(".js")}
        import_map = json.dumps({"imports": modules}, indent=1)
        script_hash = base64.b64encode(hashlib.sha256(import_map.encode()).digest()).decode()
        index = _LOCAL_LINK.sub(
            lambda m: f'{m[1]}="{_versioned(m[2], versions)}"',
            (directory / "index.html").read_text(),
        )
        # An import map must come before the first module script.
        tag = f'<script type="importmap">{import_map}</script>\n'
        index = index.replace("<script", f"{tag}<script", 1)
        policy = _POLICY.format(script=f"'sha256-{script_hash}'")
        return cls(versions=versions, index=index.encode(), policy=policy)

    def cache_control(self, path: str, query: QueryParams) -> str:
        """A year for a file asked for under its current version; revalidate anything else."""
        current = self.versions.get(path)
        return CACHE_FOREVER if current and query.get("v") == current else "no-cache"


def _versioned(url: str, versions: Mapping[str, str]) -> str:
    return f"{url}?v={versions[url]}" if url in versions else url


class _WebApp:
    """Serves the rendered index.html and the static files, each with its headers."""

    def __init__(self, assets: Assets, files: ASGIApp) -> None:
        self.assets = assets
        self.files = files

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # a socket to any path but /graphql: refuse the handshake
            await send({"type": "websocket.close", "code": 1008})
            return
        path: str = scope["path"]
        cache = self.assets.cache_control(path, QueryParams(scope["query_string"]))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.update(_HEADERS)
                headers["content-security-policy"] = self.assets.policy
                headers["cache-control"] = cache if message["status"] == 200 else "no-cache"
            await send(message)

        if path in INDEX_PATHS:
            page = Response(self.assets.index, media_type="text/html")
            await page(scope, receive, send_with_headers)
        else:
            await self.files(scope, receive, send_with_headers)


def web_app(directory: Path = STATIC_DIR) -> ASGIApp:
    """The single-page app: `/` serves index.html, the rest are its modules and styles.

    Only this app is compressed: /graphql answers are small and on the hot path.
    """
    files = StaticFiles(directory=directory)
    return GZipMiddleware(_WebApp(Assets.scan(directory), files), minimum_size=500)
