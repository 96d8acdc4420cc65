"""Property-based fuzzing: schema-valid documents never crash the server or leak internals.

hypothesis-graphql generates queries and mutations from the schema; each is sent
to the production ASGI app with a valid token. Bounded so the module takes seconds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.strategies import SearchStrategy
from hypothesis_graphql import mutations, queries
from tortoise.context import TortoiseContext

from app.graphql.schema import schema
from tests.client import PRODUCTION, asgi_client, production_auth
from tests.factories import create_domain, create_user, runtime_for

SDL = schema.as_str()
FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FuzzTest = Callable[[httpx.AsyncClient, str], Coroutine[Any, Any, None]]
# Codes a client can act on; INTERNAL (or no code) would mean a bug or a leak.
CLIENT_CODES = {
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "NOT_FOUND",
    "BAD_USER_INPUT",
    "RATE_LIMITED",
    "GRAPHQL_VALIDATION_FAILED",
    "GRAPHQL_PARSE_FAILED",
}


@pytest.fixture
async def signed_in(db: TortoiseContext) -> dict[str, str]:
    """A bearer token of an admin of one domain, valid for the PRODUCTION app."""
    auth = production_auth()
    admin = await create_user(auth)
    await create_domain(admin, runtime_for(auth))
    return {"Authorization": f"Bearer {await auth.issue_token(admin.user.id)}"}


@pytest.fixture
async def fuzzed(signed_in: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(PRODUCTION) as client:
        client.headers.update(signed_in)
        yield client


def assert_handled(response: httpx.Response, document: str) -> None:
    assert response.status_code < 500, (document, response.text)
    for error in response.json().get("errors", []):
        code = (error.get("extensions") or {}).get("code")
        assert code in CLIENT_CODES, (document, error)


def fuzzing(documents: SearchStrategy[str]) -> Callable[[FuzzTest], Callable[..., None]]:
    """Run the test on FUZZ's budget, once per generated document."""
    return lambda test: FUZZ(given(document=documents)(test))


async def fuzz_one(client: httpx.AsyncClient, document: str) -> None:
    response = await client.post("/graphql", json={"query": document})
    assert_handled(response, document)


@fuzzing(queries(SDL))
async def test_generated_queries_are_answered_or_refused_cleanly(
    fuzzed: httpx.AsyncClient, document: str
) -> None:
    await fuzz_one(fuzzed, document)


@fuzzing(mutations(SDL))
async def test_generated_mutations_are_answered_or_refused_cleanly(
    fuzzed: httpx.AsyncClient, document: str
) -> None:
    await fuzz_one(fuzzed, document)
