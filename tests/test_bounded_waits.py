"""Bounded waits on the database: a PostgreSQL that stops answering (frozen with SIGSTOP, a
server of the test's own), a SQLite file another process keeps locked, and a database the
server cannot write at start-up fail requests or exit within DB_TIMEOUT_SECONDS, never hang.

The margins on elapsed times are wide (the machine is shared); what they catch is a wait
that never ends, or one that adds up request after request."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from app.__main__ import migrate
from app.db import tortoise_config
from app.settings import Settings
from tests.polling import wait_until
from tests.postgres_server import PostgresServer, postgres_server
from tests.processes import ROOT, running_server

TIMEOUT = 1.0  # DB_TIMEOUT_SECONDS of the servers under test
MARGIN = 3.0  # what a loaded machine may add to it
SIGN_UP = """mutation SignUp($email: String!) {
  signUp(email: $email, name: "Ann", password: "password1") {
    ... on AuthPayload { token } ... on UserError { code } } }"""
ME = "{ me { id } }"


def timed_post(base: str, query: str, variables: dict[str, Any], headers: dict[str, str]) -> Any:
    """(seconds taken, response) of one POST; the client gives up after 30 s."""
    started = time.monotonic()
    response = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=30,
    )
    return time.monotonic() - started, response


def at_once(base: str, query: str, count: int, headers: dict[str, str] | None = None) -> list[Any]:
    """Send `count` requests together; each one's (seconds, response)."""
    with ThreadPoolExecutor(count) as pool:
        calls = [
            pool.submit(timed_post, base, query, {"email": f"a{n}@example.com"}, headers or {})
            for n in range(count)
        ]
        return [call.result() for call in calls]


def sign_up(base: str, email: str = "ann@example.com") -> dict[str, str]:
    _, response = timed_post(base, SIGN_UP, {"email": email}, {})
    return {"Authorization": f"Bearer {response.json()['data']['signUp']['token']}"}


def readyz_until(base: str, state: str, component: str = "database") -> int:
    """Poll /readyz until it reports the component's state; its HTTP status then. Every
    answer must come within 2 s, whatever the component does."""
    answers: list[httpx.Response] = []

    def answered() -> bool:
        started = time.monotonic()
        answers.append(httpx.get(f"{base}/readyz", timeout=10))
        assert time.monotonic() - started < 2, "/readyz took longer than 2 s"
        return bool(answers[-1].json().get(component) == state)

    wait_until(answered, timeout=15, what=f"/readyz reporting {component} {state}")
    return answers[-1].status_code


def failed_internally(response: httpx.Response) -> bool:
    codes = [e["extensions"]["code"] for e in response.json().get("errors", [])]
    return codes == ["INTERNAL"]


@pytest.fixture
def postgres() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


async def create_database(server: PostgresServer, query: str = "") -> str:
    connection = await asyncpg.connect(server.url())
    try:
        await connection.execute("CREATE DATABASE app")
    finally:
        await connection.close()
    url = server.url("app") + query
    await migrate(Settings(database_url=url))
    return url


def test_requests_to_a_frozen_postgres_fail_within_the_timeout_and_readyz_says_so(
    postgres: PostgresServer,
) -> None:
    url = asyncio.run(create_database(postgres))
    env = {"DATABASE_URL": url, "DB_TIMEOUT_SECONDS": str(TIMEOUT)}
    with running_server(env) as base:
        headers = sign_up(base)
        postgres.freeze()
        # More requests than the pool has connections (5): some wait for one.
        frozen = at_once(base, ME, 8, headers)
        down = readyz_until(base, "down")
        postgres.thaw()
        up = readyz_until(base, "ok")
        _, after = timed_post(base, ME, {}, headers)

    assert [r.status_code for _, r in frozen] == [500] * 8
    assert all(failed_internally(r) for _, r in frozen)
    assert max(seconds for seconds, _ in frozen) < TIMEOUT + MARGIN
    assert (down, up) == (503, 200)
    assert after.json()["data"]["me"] is not None


async def test_a_transaction_on_a_frozen_postgres_fails_in_time_and_frees_its_connection(
    postgres: PostgresServer,
) -> None:
    url = await create_database(postgres, "?max_size=2")
    await Tortoise.init(config=tortoise_config(url, TIMEOUT))
    try:
        connection = Tortoise.get_connection("default")
        await connection.execute_query("SELECT 1")
        started = time.monotonic()
        postgres.freeze()
        # Twice the pool: the last two wait for a connection the first two hold.
        outcomes = await asyncio.gather(
            *(_in_a_transaction(connection) for _ in range(4)), return_exceptions=True
        )
        elapsed = time.monotonic() - started
        postgres.thaw()
        # Every connection came back: the pool serves as many transactions as it holds.
        again = await asyncio.gather(*(_in_a_transaction(connection) for _ in range(2)))
    finally:
        await Tortoise.close_connections()

    assert [type(o) for o in outcomes] == [TimeoutError] * 4
    assert elapsed < TIMEOUT + MARGIN
    assert again == [1, 1]


async def _in_a_transaction(connection: Any) -> int:
    async with in_transaction() as transaction:
        _, rows = await transaction.execute_query("SELECT 1 AS one")
        await asyncio.sleep(0.2)  # hold the connection while the others queue
        return int(rows[0]["one"])


def test_readyz_fails_while_postgres_refuses_writes(postgres: PostgresServer) -> None:
    url = asyncio.run(create_database(postgres))

    async def read_only(on: bool) -> None:
        admin = await asyncpg.connect(postgres.url())
        try:
            await admin.execute(f"ALTER SYSTEM SET default_transaction_read_only = {on}")
            await admin.execute("SELECT pg_reload_conf()")
        finally:
            await admin.close()

    with running_server({"DATABASE_URL": url}) as base:
        asyncio.run(read_only(True))
        refusing = readyz_until(base, "read-only")
        asyncio.run(read_only(False))
        accepting = readyz_until(base, "ok")

    assert (refusing, accepting) == (503, 200)


def test_a_sqlite_file_locked_by_another_process_fails_writes_within_the_timeout(
    tmp_path: Path,
) -> None:
    path = tmp_path / "app.sqlite3"
    env = {"DATABASE_URL": f"sqlite://{path}", "DB_TIMEOUT_SECONDS": str(TIMEOUT)}
    with running_server(env) as base:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # the write lock, kept until ROLLBACK
        try:
            # Each waits for the lock, or in line for the server's one connection.
            locked = at_once(base, SIGN_UP, 6)
            refusing = readyz_until(base, "read-only")
        finally:
            other.execute("ROLLBACK")
            other.close()
        accepting = readyz_until(base, "ok")
        _, after = timed_post(base, SIGN_UP, {"email": "late@example.com"}, {})

    assert all(failed_internally(r) for _, r in locked)
    assert max(seconds for seconds, _ in locked) < TIMEOUT + MARGIN
    assert (refusing, accepting) == (503, 200)
    assert after.json()["data"]["signUp"]["token"]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB filesystem of its own (a tmpfs), which a test can fill."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)]
    if os.geteuid() != 0 or subprocess.run(mount, check=False).returncode != 0:
        pytest.skip("mounting a small tmpfs needs root (CAP_SYS_ADMIN)")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "--lazy", str(disk)], check=True)


def fill(disk: Path) -> Path:
    """Write a file until the disk is full."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as out, contextlib.suppress(OSError):
        while True:
            out.write(b"\0" * 4096)  # until: no space left on device
    return filler


def test_readyz_fails_while_a_full_disk_refuses_writes(small_disk: Path) -> None:
    with running_server({"DATABASE_URL": f"sqlite://{small_disk}/app.sqlite3"}) as base:
        filler = fill(small_disk)
        refusing = readyz_until(base, "read-only")
        _, during = timed_post(base, SIGN_UP, {"email": "full@example.com"}, {})
        filler.unlink()
        accepting = readyz_until(base, "ok")
        _, after = timed_post(base, SIGN_UP, {"email": "later@example.com"}, {})

    assert (refusing, accepting) == (503, 200)
    assert failed_internally(during)
    assert after.json()["data"]["signUp"]["token"]


def unprivileged() -> list[str]:
    """A command prefix under which file permissions apply: root ignores them, so as root
    the command runs without the capabilities that let it (setpriv, util-linux)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root needs setpriv (util-linux) to drop CAP_DAC_OVERRIDE")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]


def run_app(command: str, database_url: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.monotonic()
    result = subprocess.run(
        [*unprivileged(), sys.executable, "-m", "app", command],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, "PORT": "1"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    return time.monotonic() - started, result


@pytest.fixture
def read_only_file(tmp_path: Path) -> str:
    """A migrated SQLite file, then made read-only with its folder."""
    path = tmp_path / "app.sqlite3"
    asyncio.run(migrate(Settings(database_url=f"sqlite://{path}")))
    for leftover in tmp_path.glob("app.sqlite3-*"):
        leftover.unlink()
    path.chmod(0o444)
    tmp_path.chmod(0o555)
    return f"sqlite://{path}"


@pytest.fixture
def read_only_folder(tmp_path: Path) -> str:
    """A SQLite file to be created in a folder nobody may write."""
    tmp_path.chmod(0o555)
    return f"sqlite://{tmp_path}/app.sqlite3"


@pytest.mark.parametrize("command", ["serve", "migrate"])
@pytest.mark.parametrize("database", ["read_only_file", "read_only_folder"])
def test_a_sqlite_database_it_cannot_write_ends_the_command_with_a_clear_message(
    request: pytest.FixtureRequest, command: str, database: str, tmp_path: Path
) -> None:
    url: str = request.getfixturevalue(database)
    try:
        elapsed, result = run_app(command, url)
    finally:
        tmp_path.chmod(0o755)

    assert result.returncode == 1, result.stderr
    assert elapsed < 10
    path = url.removeprefix("sqlite://")
    assert f"cannot use the SQLite database {path}: " in result.stderr
    assert "readonly database" in result.stderr or "unable to open" in result.stderr
    assert "Traceback" not in result.stderr
