"""GraphiQL without the internet: its page, and its assets served from this server.

The builds come from npm packages pinned in package.json, copied with their licences
into `assets/vendor` by `scripts/vendor_graphiql`; `assets/start.js` renders the
playground on /graphql. The page gets the web app's content security policy with one
addition, `font-src data:`, for the fonts GraphiQL's stylesheet embeds: every script
comes from this origin and none is inline. Development only: production serves no
GraphiQL (its page is 404 and these routes are not mounted).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

ASSETS = Path(__file__).parent / "assets"
PREFIX = "/graphiql"

PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL · Domain invitations</title>
<link rel="stylesheet" href="{PREFIX}/vendor/graphiql.min.css">
<link rel="stylesheet" href="{PREFIX}/start.css">
<script src="{PREFIX}/vendor/react.production.min.js" defer></script>
<script src="{PREFIX}/vendor/react-dom.production.min.js" defer></script>
<script src="{PREFIX}/vendor/graphiql.min.js" defer></script>
<script src="{PREFIX}/start.js" defer></script>
</head>
<body><div id="graphiql">Loading GraphiQL…</div></body>
</html>
"""

PAGE_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; font-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-cache",
}
ASSET_HEADERS = {"x-content-type-options": "nosniff", "cache-control": "no-cache"}


def page() -> Response:
    """The playground's HTML, for GET /graphql from a browser."""
    return HTMLResponse(PAGE, headers=PAGE_HEADERS)


class _Assets(StaticFiles):
    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers.update(ASSET_HEADERS)
        return response


def assets() -> ASGIApp:
    """The vendored builds and the start script, mounted at PREFIX."""
    return _Assets(directory=ASSETS)
