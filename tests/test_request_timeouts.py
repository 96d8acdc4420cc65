"""The server's request timeouts, against a real server over raw sockets: a client sending
its headers or its body too slowly is cut off; a WebSocket is not."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from tests.processes import running_server
from tests.test_bounded_waits import MARGIN, sign_up

TIMEOUT = 1.0  # both HTTP_HEADER_TIMEOUT_SECONDS and HTTP_BODY_TIMEOUT_SECONDS
DRIP = 0.25  # seconds between the slow client's bytes


@pytest.fixture
def base(tmp_path: Path) -> Iterator[str]:
    env = {
        "DATABASE_URL": f"sqlite://{tmp_path}/app.sqlite3",
        "HTTP_HEADER_TIMEOUT_SECONDS": str(TIMEOUT),
        "HTTP_BODY_TIMEOUT_SECONDS": str(TIMEOUT),
    }
    with running_server(env) as url:
        yield url


def until_closed(base: str, head: bytes, drip: bytes = b"") -> tuple[float, bytes]:
    """Send `head`, then one byte of `drip` every DRIP seconds (then nothing), until the
    server closes the connection or 10 s pass: how long that took, what it answered."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.settimeout(DRIP)
        started, received, rest = time.monotonic(), b"", iter(drip)
        sock.sendall(head)
        while time.monotonic() - started < 10:
            try:
                chunk = sock.recv(4096)
            except TimeoutError:
                chunk = None  # nothing yet: the server is still waiting for us
            except ConnectionResetError:
                break
            if chunk == b"":
                break
            received += chunk or b""
            byte = next(rest, None)
            if byte is not None:
                try:
                    sock.sendall(bytes([byte]))
                except OSError:
                    break
        return time.monotonic() - started, received


def test_a_client_sending_its_headers_slowly_is_cut_off(base: str) -> None:
    head = b"POST /graphql HTTP/1.1\r\nHost: test\r\n"

    elapsed, answer = until_closed(base, head, b"X-Slow: " + b"a" * 100)

    assert answer == b""
    assert elapsed < TIMEOUT + MARGIN


def test_a_connection_that_sends_nothing_is_cut_off(base: str) -> None:
    elapsed, answer = until_closed(base, b"")

    assert answer == b""
    assert elapsed < TIMEOUT + MARGIN


def test_a_client_sending_its_body_slowly_gets_408(base: str) -> None:
    body = json.dumps({"query": "{ me { id } }", "padding": "x" * 100}).encode()
    head = (
        b"POST /graphql HTTP/1.1\r\nHost: test\r\ncontent-type: application/json\r\n"
        b"content-length: %d\r\n\r\n" % len(body)
    )

    elapsed, answer = until_closed(base, head, body)

    assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert answer.endswith(b"\r\n\r\nRequest body not received in time")
    assert elapsed < TIMEOUT + MARGIN


def test_a_kept_alive_connection_serves_requests_further_apart_than_the_timeouts(
    base: str,
) -> None:
    with httpx.Client(base_url=base) as http:
        first = http.post("/graphql", json={"query": "{ me { id } }"})
        time.sleep(TIMEOUT * 2)  # idle: uvicorn's keep-alive (5 s) applies, not ours
        second = http.post("/graphql", json={"query": "{ me { id } }"})

    assert first.json() == second.json() == {"data": {"me": None}}


def test_a_websocket_outlives_the_request_timeouts(base: str) -> None:
    authorization = sign_up(base)["Authorization"]
    url = base.replace("http", "ws") + "/graphql"
    with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        init = {"type": "connection_init", "payload": {"authorization": authorization}}
        ws.send(json.dumps(init))
        acknowledged = json.loads(ws.recv(timeout=5))
        time.sleep(TIMEOUT * 2)
        ws.send(json.dumps({"type": "ping"}))
        answered = json.loads(ws.recv(timeout=5))

    assert (acknowledged["type"], answered["type"]) == ("connection_ack", "pong")
