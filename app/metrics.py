"""Prometheus series of the server, and the functions the rest of the code counts with.

Every name starts with `invitations_`. Label values come from closed sets (outcomes,
results, limits, event sources) except `operation`, the client's operation name, which
is bounded: an unnamed operation is `anonymous`, a document that did not parse is
`invalid`, and past MAX_OPERATION_NAMES distinct names a process counts the rest as
`other`.

Several worker processes (`python -m app serve --workers N`) share one directory,
PROMETHEUS_MULTIPROC_DIR, set before this module is first imported: each process
writes its values there and a scrape of any of them adds all of them up (gauges:
the live processes only). One process without the variable keeps its values in memory.
"""

from __future__ import annotations

import hmac
import os
import re
from pathlib import Path

import prometheus_client
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
MAX_OPERATION_NAMES = 100
NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
# Top-level error codes, as `outcome` values; typed errors in a result are answers: ok.
CODES = frozenset(
    {
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "NOT_FOUND",
        "BAD_USER_INPUT",
        "RATE_LIMITED",
        "CONFLICT",
        "INTERNAL",
        "GRAPHQL_PARSE_FAILED",
        "GRAPHQL_VALIDATION_FAILED",
    }
)

# `_created` samples: noise for counters here.
prometheus_client.disable_created_metrics()  # type: ignore[no-untyped-call]

REQUESTS = Counter(
    "invitations_graphql_requests",
    "GraphQL queries and mutations by operation name and outcome (ok or the error code).",
    ["operation", "outcome"],
)
LATENCY = Histogram(
    "invitations_graphql_request_duration_seconds",
    "Time to parse, validate and execute a GraphQL query or mutation.",
    ["operation"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
SUBSCRIPTIONS = Gauge(
    "invitations_subscriptions_open",
    "GraphQL subscriptions open now.",
    multiprocess_mode="livesum",
)
EVENTS_PUBLISHED = Counter(
    "invitations_events_published",
    "Committed events published to subscribers, by source (invitation, member).",
    ["source"],
)
EVENTS_DROPPED = Counter(
    "invitations_events_dropped",
    "Messages dropped from a slow subscriber's full queue (it replays them from the database).",
)
EMAILS = Counter(
    "invitations_emails",
    "E-mails by result: sent, retry (a failed send to try again), failed (given up).",
    ["result"],
)
WEBHOOK_ATTEMPTS = Counter(
    "invitations_webhook_attempts",
    "Webhook attempts by result: succeeded, http_error, timeout, unreachable, refused.",
    ["result"],
)
WEBHOOK_DELIVERIES = Counter(
    "invitations_webhook_deliveries",
    "Webhook deliveries finished, by status: succeeded, failed (every retry spent).",
    ["status"],
)
RATE_LIMITED = Counter(
    "invitations_rate_limited",
    "Requests refused with RATE_LIMITED, by limit.",
    ["limit"],
)


class _Operations:
    """The series of each (operation label, outcome), made once: `labels()` is the
    expensive part of counting a request."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.series: dict[tuple[str, str], tuple[Counter, Histogram]] = {}

    def label(self, name: str | None) -> str:
        if name is None:
            return "anonymous"
        if name not in self.names:
            if len(self.names) >= MAX_OPERATION_NAMES or not NAME.fullmatch(name):
                return "other"
            self.names.add(name)
        return name

    def observe(self, name: str | None, outcome: str, seconds: float) -> None:
        label = self.label(name)
        series = self.series.get((label, outcome))
        if series is None:
            series = self.series[(label, outcome)] = (
                REQUESTS.labels(label, outcome),
                LATENCY.labels(label),
            )
        series[0].inc()
        series[1].observe(seconds)


_operations = _Operations()


def observe_operation(name: str | None, error_code: str | None, seconds: float) -> None:
    """Count one query or mutation: its operation name (None: anonymous), the code of
    its first error (None: ok), and how long it took."""
    _operations.observe(name, _outcome(error_code), seconds)


def _outcome(error_code: str | None) -> str:
    if error_code is None:
        return "ok"
    return error_code.lower() if error_code in CODES else "error"


def count_unparsed_request() -> None:
    """A POST refused before any GraphQL ran (not JSON, no query: BAD_USER_INPUT)."""
    _operations.observe("invalid", "bad_user_input", 0.0)


def count_email(result: str) -> None:
    """One e-mail `sent`, to `retry` after a failed send, or `failed` for good."""
    EMAILS.labels(result).inc()


def count_webhook_attempt(result: str) -> None:
    WEBHOOK_ATTEMPTS.labels(result).inc()


def count_webhook_delivery(status: str) -> None:
    WEBHOOK_DELIVERIES.labels(status).inc()


def count_rate_limited(limit: str) -> None:
    RATE_LIMITED.labels(limit).inc()


def count_published(source: str, count: int) -> None:
    EVENTS_PUBLISHED.labels(source).inc(count)


def count_dropped(count: int) -> None:
    EVENTS_DROPPED.inc(count)


# ---------------------------------------------------------------------- exposition


def multiprocess_directory() -> Path | None:
    directory = os.environ.get(MULTIPROCESS_VARIABLE)
    return Path(directory) if directory else None


def exposition() -> tuple[bytes, str]:
    """The text of a scrape, with its content type: every process's values added up."""
    if multiprocess_directory() is None:
        return generate_latest(), CONTENT_TYPE_LATEST
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return generate_latest(registry), CONTENT_TYPE_LATEST


def scrape_allowed(
    token: str | None, authorization: str | None, *, production: bool
) -> bool | None:
    """Whether a scrape with this Authorization header may read /metrics: None when
    /metrics does not exist (production without METRICS_TOKEN)."""
    if token is None:
        return None if production else True
    scheme, _, presented = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        presented.strip().encode(), token.encode()
    )


def prepare_directory(directory: Path) -> None:
    """Empty the directory of an earlier run's values (before any worker starts)."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def forget_process() -> None:
    """A worker stopping: its gauges no longer count (counters keep their totals)."""
    if multiprocess_directory() is not None:
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
