"""Real server processes on loopback for black-box tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_server(env: dict[str, str], *, timeout: float = 30) -> Iterator[str]:
    """Start `python -m app serve` as an operator would; yield its base URL."""
    port = free_port()
    full_env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PASSWORD_HASH_PROFILE": "cheapest",
        "RATE_LIMITS": "off",
        "LOG_LEVEL": "warning",
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve"],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                raise RuntimeError(f"server exited early:\n{output}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not become healthy in time")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


def graphql_data(base: str, query: str, variables: dict[str, Any], token: str | None = None) -> Any:
    """POST one operation to a running server; its data, asserting it had no errors."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = httpx.post(
        f"{base}/graphql", json={"query": query, "variables": variables}, headers=headers
    ).json()
    assert "errors" not in body, body
    return body["data"]
