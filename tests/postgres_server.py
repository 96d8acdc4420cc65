"""A PostgreSQL server of the test's own: `initdb` and `postgres` on a free loopback port in
a temporary directory, which a test may freeze (SIGSTOP), thaw and stop, by its process id."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests import external
from tests.processes import free_port

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
# PostgreSQL refuses to run as root: as root, the server runs as this account.
SERVER_ACCOUNT = "postgres"


class PostgresServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="test-postgres-"))
        self.process: subprocess.Popen[bytes] | None = None
        self._as: dict[str, Any] = {}
        if os.geteuid() == 0:
            account = pwd.getpwnam(SERVER_ACCOUNT)
            os.chown(self.directory, account.pw_uid, account.pw_gid)
            self._as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self, timeout: float = 30) -> None:
        data = self.directory / "data"
        subprocess.run(
            [PG_BIN / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-sync"],
            check=True,
            capture_output=True,
            **self._as,
        )
        self.process = subprocess.Popen(
            [
                *(PG_BIN / "postgres", "-D", data, "-p", str(self.port)),
                *("-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="),
                *("-c", "fsync=off", "-c", "full_page_writes=off"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            **self._as,
        )
        deadline = time.monotonic() + timeout
        ready: list[str | Path] = [
            PG_BIN / "pg_isready",
            "-q",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
        ]
        while subprocess.run(ready, check=False).returncode != 0:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"postgres did not start on port {self.port}")
            time.sleep(0.1)

    def _processes(self) -> list[int]:
        """The postmaster, then its children (each backend runs in a session of its own)."""
        if self.process is None or self.process.poll() is not None:
            return []
        postmaster = self.process.pid
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                # "pid (command) state ppid ...": the command may hold spaces.
                fields = stat.read_text().rpartition(")")[2].split()
            except OSError:
                continue  # ended meanwhile
            if int(fields[1]) == postmaster:
                children.append(int(stat.parent.name))
        return [postmaster, *children]

    def _signal(self, signum: int) -> None:
        for pid in self._processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    def freeze(self) -> None:
        """Stop the postmaster first (no new backends), then every backend: connections
        stay open and nothing answers."""
        self._signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self._signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None:
            self.thaw()
            self.process.send_signal(signal.SIGQUIT)  # immediate shutdown: nothing to keep
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.process.wait()
            self.process = None
        shutil.rmtree(self.directory, ignore_errors=True)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """A started server of the test's own (skipped, or failed under CI, without the binaries)."""
    if not (PG_BIN / "initdb").exists():
        reason = f"{PG_BIN}/initdb is not installed (Debian package postgresql-15, or set PG_BIN)"
        if external.REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1: {reason}")
        pytest.skip(reason)
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()
