"""LOG_FORMAT=json: one JSON object per line, each line of a request with its id."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from tortoise.context import TortoiseContext

from app.logs import JsonFormatter, RequestIdFilter
from tests.client import DEVELOPMENT, asgi_client
from tests.documents import CREATE_DOMAIN, CREATE_WEBHOOK, SIGN_UP
from tests.processes import server_process


class Lines(logging.Handler):
    """The JSON lines the application logs, parsed back."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter())
        self.addFilter(RequestIdFilter())
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(orjson.loads(self.format(record)))


@pytest.fixture
def lines() -> Iterator[Lines]:
    logger, handler = logging.getLogger("app"), Lines()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


async def test_lines_logged_while_serving_a_request_carry_its_id(
    db: TortoiseContext, lines: Lines
) -> None:
    async with asgi_client(DEVELOPMENT) as client:

        async def post(query: str, token: str | None = None, **variables: Any) -> Any:
            headers = {"x-request-id": "req-42"}
            if token:
                headers["authorization"] = f"Bearer {token}"
            body = {"query": query, "variables": variables}
            return (await client.post("/graphql", json=body, headers=headers)).json()["data"]

        signed_up = await post(SIGN_UP, email="ann@example.com", name="Ann", password="password1")
        token = signed_up["signUp"]["token"]
        domain = (await post(CREATE_DOMAIN, token, name="Acme"))["createDomain"]["id"]
        events = ["INVITATION_SENT"]
        await post(CREATE_WEBHOOK, token, domainId=domain, url="http://127.0.0.1:9/", events=events)
    logging.getLogger("app.test").info("after the request")

    [created, after] = lines.lines
    assert created["message"].startswith("webhook ") and created["logger"] == "app.webhooks"
    assert (created["level"], created["request_id"]) == ("INFO", "req-42")
    assert "request_id" not in after
    assert created["time"].endswith("+00:00")


def test_a_json_server_writes_only_json_lines_uvicorns_included(
    server_database_url: str, tmp_path: Path
) -> None:
    output = tmp_path / "server.log"
    env = {"DATABASE_URL": server_database_url, "LOG_FORMAT": "json", "LOG_LEVEL": "info"}
    with server_process(env, output=output) as server:
        response = httpx.post(
            f"{server.base}/graphql",
            json={"query": "{ me { id } }"},
            headers={"x-request-id": "abc-123"},
        )
        assert response.headers["x-request-id"] == "abc-123"

    entries = [orjson.loads(line) for line in output.read_text().splitlines() if line.strip()]
    assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    [access] = [e for e in entries if e.get("request_id") == "abc-123"]
    assert access["logger"] == "uvicorn.access"
    assert (access["method"], access["path"], access["status"]) == ("POST", "/graphql", 200)
    loggers = {e["logger"] for e in entries}
    assert {"uvicorn.error", "uvicorn.access", "app"} <= loggers
