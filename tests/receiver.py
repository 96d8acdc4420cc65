"""A real webhook receiver for the tests: a Starlette app under uvicorn in a thread, on a
loopback port. It verifies every request's signature with the `standardwebhooks`
library, keeps what it received, and answers what the test scripted (then 204)."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
import uvicorn
from standardwebhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.polling import wait_until
from tests.processes import free_port


@dataclass(frozen=True)
class Answer:
    status: int = 204
    body: bytes = b""
    delay: float = 0.0  # seconds before answering


@dataclass(frozen=True)
class Received:
    webhook_id: str
    timestamp: str
    verified: bool  # the signature matched the secret the receiver was given
    payload: dict[str, Any]
    answered: int


@dataclass
class Receiver:
    port: int = field(default_factory=free_port)
    secret: str | None = None  # set by the test once the webhook is created
    script: list[Answer] = field(default_factory=list)  # answers in order, then 204
    first: Answer | None = None  # the answer to each webhook-id's first request, if given
    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def count(self, webhook_id: str) -> int:
        return sum(r.webhook_id == webhook_id for r in self.received)

    def per_id(self) -> Counter[str]:
        return Counter(r.webhook_id for r in self.received)

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        webhook_id = request.headers.get("webhook-id", "")
        verified = self._verified(body, dict(request.headers))
        with self._lock:
            if self.first is not None and not self.count(webhook_id):
                answer = self.first
            else:
                answer = self.script.pop(0) if self.script else Answer()
            timestamp = request.headers.get("webhook-timestamp", "")
            payload = orjson.loads(body)
            self.received.append(Received(webhook_id, timestamp, verified, payload, answer.status))
        await asyncio.sleep(answer.delay)
        return Response(answer.body, status_code=answer.status)

    def _verified(self, body: bytes, headers: dict[str, str]) -> bool:
        if self.secret is None:
            return False
        try:
            Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError:
            return False
        return True


@contextmanager
def running_receiver(*script: Answer) -> Iterator[Receiver]:
    """A receiver listening until the block ends."""
    receiver = Receiver(script=list(script))
    app = Starlette(routes=[Route("/hooks", receiver.handle, methods=["POST"])])
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=receiver.port,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started, timeout=10, what="the webhook receiver to listen")
    try:
        yield receiver
    finally:
        server.should_exit = True
        thread.join(timeout=10)
