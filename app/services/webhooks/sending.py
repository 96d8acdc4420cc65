"""One attempt of a delivery: check the destination, sign, POST, keep at most 1 KiB of
the answer. Never raises for what the receiver or the network does: the outcome says."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import NamedTuple

import httpx
from standardwebhooks import Webhook

from app.services.webhooks import destinations

USER_AGENT = "invitations-server-webhooks/1"
BODY_LIMIT = 1024  # bytes of a receiver's answer that are kept
ERROR_LIMIT = 500  # characters of an error that are kept (the column's size)


class Message(NamedTuple):
    """What is sent: the same id and payload on every attempt; signed per attempt."""

    id: str
    payload: str
    secret: str  # whsec_…


class Outcome(NamedTuple):
    result: str  # succeeded | http_error | timeout | unreachable | refused
    status_code: int | None
    error: str | None
    duration_ms: int
    response_body: str | None

    @property
    def succeeded(self) -> bool:
        return self.result == "succeeded"


def client(timeout: float) -> httpx.AsyncClient:
    """The HTTP client of a dispatcher. No proxies from the environment (they would
    bypass the address checks), no redirects (a 3xx is a failure, not a new
    destination), and no connection reuse: each attempt connects to the address it
    checked, and a TLS connection made for one host is never reused for another."""
    return httpx.AsyncClient(
        timeout=timeout,
        trust_env=False,
        follow_redirects=False,
        limits=httpx.Limits(max_keepalive_connections=0),
    )


def signed_headers(message: Message, at: datetime) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt made at `at`."""
    return {
        "content-type": "application/json",
        "webhook-id": message.id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(message.secret).sign(message.id, at, message.payload),
    }


async def attempt(
    http: httpx.AsyncClient,
    url: str,
    message: Message,
    *,
    at: datetime,
    timeout: float,
    production: bool,
) -> Outcome:
    """POST the message to `url` once, within `timeout` seconds in all."""
    started = time.perf_counter()

    def outcome(
        result: str, error: str | None, status: int | None = None, body: str | None = None
    ) -> Outcome:
        elapsed = round((time.perf_counter() - started) * 1000)
        return Outcome(result, status, error and error[:ERROR_LIMIT], elapsed, body)

    try:
        async with asyncio.timeout(timeout):
            destination = await destinations.resolve(url, production=production)
            status, body = await _post(http, destination, message, at)
    except destinations.RefusedError as exc:
        return outcome("refused", f"Refused: {exc}")
    except (TimeoutError, httpx.TimeoutException):
        return outcome("timeout", f"No answer within {timeout:g} s")
    except httpx.HTTPError as exc:
        return outcome("unreachable", f"{type(exc).__name__}: {exc}")
    if 200 <= status < 300:
        return outcome("succeeded", None, status, body)
    return outcome("http_error", f"HTTP {status}", status, body)


async def _post(
    http: httpx.AsyncClient, destination: destinations.Destination, message: Message, at: datetime
) -> tuple[int, str]:
    headers = {
        **signed_headers(message, at),
        "host": destination.host_header,
        "user-agent": USER_AGENT,
        "accept-encoding": "identity",  # the bytes kept are the body: never a zip bomb
    }
    async with http.stream(
        "POST",
        destination.url,
        content=message.payload.encode(),
        headers=headers,
        extensions={"sni_hostname": destination.host},
    ) as response:
        return response.status_code, await _beginning(response)


async def _beginning(response: httpx.Response) -> str:
    """The first BODY_LIMIT bytes of the body; the rest is never read."""
    kept = b""
    async for chunk in response.aiter_raw():
        kept += chunk
        if len(kept) >= BODY_LIMIT:
            break
    return kept[:BODY_LIMIT].decode(errors="replace")
