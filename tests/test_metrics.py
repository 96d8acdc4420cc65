"""GET /metrics: the series operators scrape, who may read them, and their totals with
several worker processes."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest
from gql import Client, gql
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from tortoise.context import TortoiseContext

from app import metrics
from app.brokers.memory import InMemoryBroker
from app.events import EventBus
from app.ratelimit import Limit, MemoryStore, RateLimiter, RateLimits, Rule
from tests.client import DEVELOPMENT, PRODUCTION, asgi_client
from tests.documents import INVITATION_RECEIVED
from tests.polling import eventually
from tests.processes import gql_transport, running_server, sign_up

REQUESTS = "invitations_graphql_requests_total"


@pytest.fixture
async def client(db: TortoiseContext) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(DEVELOPMENT) as client:
        yield client


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scraped(text: str, name: str, **labels: str) -> float:
    """A sample's value in the text of a scrape (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


async def test_requests_are_counted_by_operation_name_and_outcome(
    client: httpx.AsyncClient,
) -> None:
    def counts() -> tuple[float, ...]:
        return (
            value(REQUESTS, operation="WhoAmI", outcome="ok"),
            value(REQUESTS, operation="anonymous", outcome="ok"),
            value(REQUESTS, operation="Hooks", outcome="unauthenticated"),
            value(REQUESTS, operation="invalid", outcome="graphql_parse_failed"),
            value(REQUESTS, operation="Nope", outcome="graphql_validation_failed"),
            value(REQUESTS, operation="invalid", outcome="bad_user_input"),
            value("invitations_graphql_request_duration_seconds_count", operation="WhoAmI"),
        )

    before = counts()
    for query in (
        "query WhoAmI { me { id } }",
        "query WhoAmI { me { id } }",
        "{ me { id } }",
        'query Hooks { webhooks(domainId: "0190a0a0-0000-7000-8000-000000000000") { id } }',
        "query Broken {",
        "query Nope { nothing }",
    ):
        await client.post("/graphql", json={"query": query})
    await client.post("/graphql", content=b"not json", headers={"content-type": "application/json"})

    after = counts()
    assert [a - b for a, b in zip(after, before, strict=True)] == [2, 1, 1, 1, 1, 1, 2]


async def test_metrics_are_served_in_the_prometheus_text_format(
    client: httpx.AsyncClient,
) -> None:
    await client.post("/graphql", json={"query": "query Probe { me { id } }"})

    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    text = response.text
    assert scraped(text, REQUESTS, operation="Probe", outcome="ok") >= 1
    for name in (
        "invitations_graphql_request_duration_seconds",
        "invitations_subscriptions_open",
        "invitations_events_published_total",
        "invitations_events_dropped_total",
        "invitations_webhook_attempts_total",
        "invitations_rate_limited_total",
    ):
        assert f"# TYPE {name} " in text, name


def test_operation_names_are_bounded() -> None:
    operations = metrics._Operations()

    labels = {operations.label(f"Operation{n}") for n in range(metrics.MAX_OPERATION_NAMES + 50)}

    assert len(labels) == metrics.MAX_OPERATION_NAMES + 1 and "other" in labels
    assert operations.label("Operation1") == "Operation1"  # the first ones keep their name
    assert operations.label(None) == "anonymous"


async def test_production_hides_metrics_without_a_token(db: TortoiseContext) -> None:
    async with asgi_client(PRODUCTION) as client:
        assert (await client.get("/metrics")).status_code == 404


async def test_production_metrics_need_the_bearer_token(db: TortoiseContext) -> None:
    settings = dataclasses.replace(PRODUCTION, metrics_token="scrape-token-of-some-length")
    async with asgi_client(settings) as client:
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"authorization": "Bearer nope"})
        right = await client.get(
            "/metrics", headers={"authorization": "Bearer scrape-token-of-some-length"}
        )

    assert (missing.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
    assert missing.headers["www-authenticate"] == "Bearer"


async def test_rate_limit_refusals_are_counted() -> None:
    limiter = RateLimiter(RateLimits(rules={Limit.RESEND: Rule(1, 60)}), MemoryStore())
    before = value("invitations_rate_limited_total", limit="resend")

    await limiter.consume(Limit.RESEND, "one invitation")
    with pytest.raises(Exception, match="resent too often"):
        await limiter.consume(Limit.RESEND, "one invitation")

    assert value("invitations_rate_limited_total", limit="resend") - before == 1


async def test_open_subscriptions_are_a_gauge() -> None:
    bus = EventBus(InMemoryBroker())
    before = value("invitations_subscriptions_open")

    async def nothing(after: int) -> list[object]:
        return []

    async def position() -> int:
        return 0

    async with bus.follow("domain:x", after=None, now=position, replay=nothing):  # type: ignore[arg-type]
        during = value("invitations_subscriptions_open")

    assert (during - before, value("invitations_subscriptions_open") - before) == (1, 0)


@pytest.mark.postgres
@pytest.mark.redis
async def test_every_worker_answers_with_the_totals_of_all_workers(
    postgres_database: str, redis_url: str
) -> None:
    env = {"DATABASE_URL": postgres_database, "REDIS_URL": redis_url}
    with running_server(env, args=["--workers", "2"]) as base:

        async def scrape() -> str:
            # A new connection each time: the kernel spreads them over the workers.
            async with httpx.AsyncClient(base_url=base) as client:
                return (await client.get("/metrics")).text

        ann = sign_up(base, "ann@example.com")
        async with Client(transport=gql_transport(base, ann.token)) as session:
            stream = session.subscribe(gql(INVITATION_RECEIVED))
            waiting = asyncio.ensure_future(anext(stream))

            async def subscribed() -> bool:
                return scraped(await scrape(), "invitations_subscriptions_open") == 1

            await eventually(subscribed, what="the subscription in every worker's scrape")
            for _ in range(20):
                async with httpx.AsyncClient(base_url=base) as client:
                    await client.post("/graphql", json={"query": "query Probe { me { id } }"})
            scrapes = [await scrape() for _ in range(8)]
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiting
            await stream.aclose()

    assert {scraped(s, REQUESTS, operation="Probe", outcome="ok") for s in scrapes} == {20}
    assert {scraped(s, "invitations_subscriptions_open") for s in scrapes} == {1}
