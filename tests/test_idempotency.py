"""Idempotency-Key: a signed-in caller's mutation is done at most once per key for 24 h."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from tortoise.context import TortoiseContext

from app import models
from app.auth import Authenticator, Session
from app.clock import ManualClock
from app.graphql.idempotent import fingerprint
from app.graphql.requests import read_body
from app.main import create_app
from app.services import domains, idempotency
from tests.client import DEVELOPMENT
from tests.documents import CREATE_DOMAIN, DOMAINS
from tests.factories import create_user

KEY = "f3b1c2a4-5d6e-4f70-8a9b-0c1d2e3f4a5b"


@pytest.fixture
async def http(db: TortoiseContext, clock: ManualClock) -> AsyncIterator[httpx.AsyncClient]:
    # The test's clock, and the `auth` fixture's key, so factory tokens are valid here.
    settings = dataclasses.replace(DEVELOPMENT, secret_key="test-secret")
    transport = httpx.ASGITransport(app=create_app(settings, clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def bearer(auth: Authenticator, session: Session) -> dict[str, str]:
    return {"Authorization": f"Bearer {await auth.issue_token(session.user.id)}"}


async def post(
    http: httpx.AsyncClient,
    headers: dict[str, str],
    document: str = CREATE_DOMAIN,
    key: str | None = KEY,
    **variables: Any,
) -> httpx.Response:
    extra = {"Idempotency-Key": key} if key is not None else {}
    return await http.post(
        "/graphql",
        json={"query": document, "variables": variables or {"name": "Acme"}},
        headers={**headers, **extra},
    )


async def domain_count() -> int:
    return await models.Domain.all().count()


async def test_a_repeated_mutation_is_answered_again_and_done_once(
    http: httpx.AsyncClient, auth: Authenticator
) -> None:
    headers = await bearer(auth, await create_user(auth))

    first = await post(http, headers)
    again = await post(http, headers)

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await domain_count() == 1


async def test_the_same_key_with_another_body_is_refused_with_422(
    http: httpx.AsyncClient, auth: Authenticator
) -> None:
    headers = await bearer(auth, await create_user(auth))
    await post(http, headers, name="Acme")

    other = await post(http, headers, name="Beta")

    assert other.status_code == 422
    assert other.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await domain_count() == 1


async def test_a_repeat_while_the_first_still_runs_is_a_409_conflict(
    http: httpx.AsyncClient, auth: Authenticator, clock: ManualClock
) -> None:
    user = await create_user(auth)
    headers = await bearer(auth, user)
    body = {"query": CREATE_DOMAIN, "variables": {"name": "Acme"}}
    fingerprint = _fingerprint_of(body)
    running = await idempotency.begin(user.user.id, KEY, fingerprint, clock)
    assert isinstance(running, idempotency.Claimed)

    repeat = await post(http, headers)

    assert repeat.status_code == 409
    assert repeat.json()["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert await domain_count() == 0


async def test_a_claim_left_without_an_answer_is_taken_over_after_its_lease(
    http: httpx.AsyncClient, auth: Authenticator, clock: ManualClock
) -> None:
    user = await create_user(auth)
    headers = await bearer(auth, user)
    fingerprint = _fingerprint_of({"query": CREATE_DOMAIN, "variables": {"name": "Acme"}})
    await idempotency.begin(user.user.id, KEY, fingerprint, clock)  # its process then died
    clock.advance(idempotency.LEASE.total_seconds() + 1)

    retry = await post(http, headers)

    assert retry.status_code == 200
    assert retry.json()["data"]["createDomain"]["__typename"] == "Domain"
    assert await domain_count() == 1


async def test_keys_belong_to_their_caller(http: httpx.AsyncClient, auth: Authenticator) -> None:
    ann, bob = await create_user(auth), await create_user(auth)

    await post(http, await bearer(auth, ann))
    bobs = await post(http, await bearer(auth, bob))

    assert "idempotent-replayed" not in bobs.headers
    assert await domain_count() == 2


async def test_a_key_is_forgotten_after_24_hours(
    http: httpx.AsyncClient, auth: Authenticator, clock: ManualClock
) -> None:
    headers = await bearer(auth, await create_user(auth))
    await post(http, headers)
    clock.advance(idempotency.KEEP.total_seconds() + 1)
    # The token expired meanwhile as well: a new one, the same key.
    later = await post(http, {**headers, **await bearer(auth, await create_user(auth))})

    assert "idempotent-replayed" not in later.headers
    assert await domain_count() == 2


@pytest.mark.parametrize("key", ["", "with space", "é", "x" * 256])
async def test_a_malformed_key_is_bad_user_input(
    http: httpx.AsyncClient, auth: Authenticator, key: str
) -> None:
    headers = await bearer(auth, await create_user(auth))

    response = await http.post(
        "/graphql",
        json={"query": CREATE_DOMAIN, "variables": {"name": "Acme"}},
        headers=[
            *((k.encode(), v.encode()) for k, v in headers.items()),
            (b"idempotency-key", key.encode()),
        ],
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await domain_count() == 0


async def test_queries_and_anonymous_requests_run_as_without_the_key(
    http: httpx.AsyncClient, auth: Authenticator
) -> None:
    headers = await bearer(auth, await create_user(auth))

    queried = [await post(http, headers, DOMAINS) for _ in range(2)]
    anonymous = await post(http, {})

    assert all("idempotent-replayed" not in r.headers for r in queried)
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await models.IdempotencyKey.all().count() == 0


async def test_an_unexpected_failure_is_not_kept_and_a_retry_runs_again(
    http: httpx.AsyncClient, auth: Authenticator, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = await bearer(auth, await create_user(auth))
    real = domains.create_domain

    async def fails_once(*args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(domains, "create_domain", real)
        await real(*args, **kwargs)  # its writes happen, then it breaks
        raise RuntimeError("the disk failed")

    monkeypatch.setattr(domains, "create_domain", fails_once)
    failed = await post(http, headers)
    retried = await post(http, headers)

    assert failed.json()["errors"][0]["extensions"]["code"] == "INTERNAL"
    assert retried.json()["data"]["createDomain"]["__typename"] == "Domain"
    assert "idempotent-replayed" not in retried.headers
    assert await domain_count() == 1  # the failed run's writes were rolled back


def _fingerprint_of(body: dict[str, Any]) -> str:
    operation = read_body("application/json", orjson.dumps(body))
    assert operation.query is not None
    return fingerprint(operation.query, operation)
