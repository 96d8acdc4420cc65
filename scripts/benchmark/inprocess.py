"""The in-process cost of one POST /graphql: the ASGI app called directly, no socket,
no server, on a small SQLite file. What the HTTP layer and GraphQL cost around a query:
the pending list as its invitee, the Invitations and Members tables as their admin.

    .venv/bin/python -m scripts.benchmark.inprocess [--requests 2000] [--rounds 5]

Prints, per document, the best round's mean microseconds per request (other work on the
machine only ever adds time, so the best round is the least disturbed one).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import orjson
from starlette.applications import Starlette
from starlette.types import Message

from app.__main__ import migrate
from app.main import create_app
from app.ratelimit import RateLimits
from app.settings import Settings
from scripts.benchmark import documents

SIGN_UP = (
    'mutation($email: String!) { signUp(email: $email, name: "Bench", password: '
    '"bench-password") { ... on AuthPayload { token user { id } } } }'
)
CREATE_DOMAIN = 'mutation { createDomain(name: "Bench") { ... on Domain { id roles { id } } } }'
# Sends one invitation; the seed reads back the id of what it sent.
SEND = (
    "mutation($d: ID!, $i: [ID!]!, $r: ID!) { sendInvitations(domainId: $d, inviteeIds: $i, "
    "roleId: $r) { ... on SendInvitationsPayload { results { ... on Invitation { id } } } } }"
)
ACCEPT = (
    "mutation($i: ID!) { respondToInvitation(invitationId: $i, response: ACCEPT) { __typename } }"
)


class Caller:
    """POSTs straight into the ASGI app, as a server would hand it a request."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    def request(self, body: bytes, token: str | None) -> Callable[[], Any]:
        headers = [(b"content-type", b"application/json"), (b"accept", b"application/json")]
        if token:
            headers.append((b"authorization", f"Bearer {token}".encode()))
        scope: dict[str, Any] = {
            "type": "http",
            "method": "POST",
            "path": "/graphql",
            "raw_path": b"/graphql",
            "query_string": b"",
            "headers": headers,
            "client": ("127.0.0.1", 5000),
            "server": ("127.0.0.1", 8000),
            "scheme": "http",
            "root_path": "",
            "http_version": "1.1",
            "asgi": {"version": "3.0"},
        }
        message: Message = {"type": "http.request", "body": body, "more_body": False}

        async def once() -> bytes:
            chunks: list[bytes] = []

            async def receive() -> Message:
                return message

            async def send(sent: Message) -> None:
                if sent["type"] == "http.response.body":
                    chunks.append(sent.get("body", b""))

            await self.app(dict(scope), receive, send)
            return b"".join(chunks)

        return once

    async def data(self, query: str, token: str | None = None, **variables: Any) -> Any:
        body = orjson.dumps({"query": query, "variables": variables})
        answer = orjson.loads(await self.request(body, token)())
        assert "errors" not in answer, answer
        return answer["data"]


class Seeded(NamedTuple):
    invitee: str  # the token of an invitee holding eight pending invitations
    admin: str  # the token of their admin
    domain_id: str  # a domain with twelve invitations and the members who accepted four


async def seed(caller: Caller) -> Seeded:
    admin = (await caller.data(SIGN_UP, email="admin@example.com"))["signUp"]
    invitee = (await caller.data(SIGN_UP, email="invitee@example.com"))["signUp"]
    for _ in range(8):
        domain = (await caller.data(CREATE_DOMAIN, admin["token"]))["createDomain"]
        role = domain["roles"][-1]["id"]
        await caller.data(SEND, admin["token"], d=domain["id"], i=[invitee["user"]["id"]], r=role)
    for n in range(11):
        person = (await caller.data(SIGN_UP, email=f"person{n}@example.com"))["signUp"]
        sent = await caller.data(
            SEND, admin["token"], d=domain["id"], i=[person["user"]["id"]], r=role
        )
        if n < 4:
            invitation = sent["sendInvitations"]["results"][0]["id"]
            await caller.data(ACCEPT, person["token"], i=invitation)
    return Seeded(invitee["token"], admin["token"], domain["id"])


def asked(seeded: Seeded) -> dict[str, tuple[str, dict[str, Any], str]]:
    """Each measured document, with its variables and the token it is sent with."""
    domain = seeded.domain_id
    return {
        "typename": ("{ __typename }", {}, seeded.invitee),
        "me": ("{ me { id name } }", {}, seeded.invitee),
        "pending": (documents.PENDING, {}, seeded.invitee),
        "invitations": (
            documents.INVITATIONS,
            documents.invitations_variables(domain),
            seeded.admin,
        ),
        "members": (documents.MEMBERS, documents.members_variables(domain), seeded.admin),
    }


async def measure(requests: int, rounds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            database_url=f"sqlite://{Path(folder) / 'bench.sqlite3'}",
            password_hash_profile="cheapest",
            rate_limits=RateLimits.off(),
            log_level="warning",
        )
        await migrate(settings)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            caller = Caller(app)
            seeded = await seed(caller)
            best: dict[str, float] = {}
            for name, (document, variables, token) in asked(seeded).items():
                body = {"query": document, "variables": variables}
                once = caller.request(orjson.dumps(body), token)
                for _ in range(200):  # warm the caches
                    await once()
                for _ in range(rounds):
                    start = time.perf_counter()
                    for _ in range(requests):
                        await once()
                    micros = (time.perf_counter() - start) / requests * 1e6
                    best[name] = min(best.get(name, micros), micros)
            return best


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.benchmark.inprocess")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    for name, micros in asyncio.run(measure(args.requests, args.rounds)).items():
        print(f"{name:10} {micros:8.1f} µs per request")


if __name__ == "__main__":
    main()
