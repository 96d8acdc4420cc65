"""Processes the tests start on loopback (`python -m app serve` as an operator would run
it, and a throwaway `redis-server` a test may kill and restart), and clients of them."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport

from tests import external
from tests.documents import CREATE_DOMAIN, INVITATION_RECEIVED, SEND, SIGN_UP
from tests.factories import PASSWORD
from tests.polling import eventually, wait_until

ROOT = Path(__file__).parent.parent
REDIS_SERVER = "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def is_ready(base: str) -> bool:
    """Whether the server at `base` answers /readyz with 200."""
    try:
        return httpx.get(f"{base}/readyz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


@dataclass
class ServerProcess:
    base: str
    process: subprocess.Popen[bytes]

    def kill(self) -> None:
        """SIGKILL, as a crash would: nothing of the shutdown runs."""
        self.process.kill()
        self.process.wait()


@contextmanager
def running_server(
    env: dict[str, str],
    *,
    args: Sequence[str] = (),
    timeout: float = 30,
) -> Iterator[str]:
    """Start `python -m app serve` as an operator would; yield its base URL once ready."""
    with server_process(env, args=args, timeout=timeout) as server:
        yield server.base


@contextmanager
def server_process(
    env: dict[str, str],
    *,
    args: Sequence[str] = (),
    timeout: float = 30,
    output: Path | None = None,
) -> Iterator[ServerProcess]:
    """`running_server`, yielding the process too (to kill it); its output goes to the
    file `output` when given (a pipe nobody reads would stall a talkative server)."""
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
    sink = output.open("ab") if output else None
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", *args],
        cwd=ROOT,
        env=full_env,
        stdout=sink or subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        if process.poll() is not None:
            said = output.read_text() if output else process.stdout.read().decode()  # type: ignore[union-attr]
            raise RuntimeError(f"server exited early:\n{said}")
        return is_ready(base)

    try:
        wait_until(ready, timeout=timeout, interval=0.1, what=f"the server at {base} to be ready")
        yield ServerProcess(base, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()
        if sink:
            sink.close()


def graphql_data(
    base: str, query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> dict[str, Any]:
    """POST one operation to a running server; its data, asserting it had no errors."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = httpx.post(
        f"{base}/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    ).json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


@dataclass(frozen=True)
class Account:
    email: str
    name: str
    token: str
    id: str


def sign_up(base: str, email: str, name: str = "Someone") -> Account:
    """Sign up through the server at `base`: the new account, with its token."""
    variables = {"email": email, "name": name, "password": PASSWORD}
    payload = graphql_data(base, SIGN_UP, variables)["signUp"]
    return Account(email, name, payload["token"], payload["user"]["id"])


def create_domain(base: str, token: str, name: str) -> dict[str, Any]:
    """Create a domain through the server at `base`; its id and roles."""
    domain: dict[str, Any] = graphql_data(base, CREATE_DOMAIN, {"name": name}, token)[
        "createDomain"
    ]
    return domain


def invite(base: str, token: str, domain: dict[str, Any], invitee_id: str) -> str:
    """Invite one user as a member of `domain` through the server at `base`; the id."""
    role = next(r["id"] for r in domain["roles"] if r["name"] == "member")
    variables = {"domainId": domain["id"], "inviteeIds": [invitee_id], "roleId": role}
    [result] = graphql_data(base, SEND, variables, token)["sendInvitations"]["results"]
    invitation_id: str = result["id"]
    return invitation_id


def gql_transport(base: str, token: str) -> WebsocketsTransport:
    """A third-party (gql) graphql-transport-ws client of the server at `base`."""
    return WebsocketsTransport(
        url=base.replace("http://", "ws://") + "/graphql",
        init_payload={"authorization": f"Bearer {token}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )


async def server_subscriptions(base: str, count: int) -> None:
    """Wait until the server at `base` reports `count` open subscriptions (the protocol
    has no acknowledgement of a subscribe)."""
    async with httpx.AsyncClient(base_url=base) as client:

        async def reached() -> bool:
            subscriptions: int = (await client.get("/healthz")).json()["subscriptions"]
            return subscriptions == count

        await eventually(reached, what=f"{count} subscriptions on {base}")


@asynccontextmanager
async def invitations_received(
    base: str, token: str, count: int = 1
) -> AsyncIterator[asyncio.Future[list[dict[str, Any]]]]:
    """Subscribe to invitationReceived on `base`; yield the future of the first `count`."""
    async with Client(transport=gql_transport(base, token)) as session:
        stream = session.subscribe(gql(INVITATION_RECEIVED))

        async def take() -> list[dict[str, Any]]:
            return [await anext(stream) for _ in range(count)]

        received = asyncio.ensure_future(take())
        await server_subscriptions(base, 1)
        try:
            yield received
        finally:
            received.cancel()
            await stream.aclose()


class RedisServer:
    """A throwaway `redis-server` on a loopback port, which a test may kill and restart."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> None:
        """Start on the same port as before and wait until it accepts connections."""
        process = self.process = subprocess.Popen(
            [
                *(REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def accepting() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"redis-server exited on port {self.port}")
            return external.answers(self.url, timeout=0.5)

        wait_until(accepting, timeout=timeout, what=f"redis-server on port {self.port}")

    def freeze(self) -> None:
        """SIGSTOP: connections stay open and nothing answers (a hung server)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL, as a crash would: no goodbye to the clients."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None


@contextmanager
def redis_server(directory: Path) -> Iterator[RedisServer]:
    if not Path(REDIS_SERVER).exists():
        external.unavailable(f"{REDIS_SERVER} is not installed (Debian package redis-server)")
    server = RedisServer(directory)
    server.start()
    try:
        yield server
    finally:
        server.kill()
