"""One server process on a free loopback port: ours, the floor or the peer.

Optionally pinned to a CPU (the bench gives the server CPU 0 and wrk CPU 1); ready
once its health endpoint answers 200; its stderr goes to a log file, since wrk drops
connections mid-request when a run ends and uvicorn logs those.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

from scripts.benchmark import FOLDER, ROOT

OURS = (sys.executable, "-m", "app", "serve")
FLOOR = (sys.executable, "-m", "scripts.benchmark.baselines.floor")
PEER = (sys.executable, "-m", "scripts.benchmark.baselines.peer")
LOG = FOLDER / "servers.log"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """A started, ready server process; `stop()` (or leaving the `with`) ends it."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        env: Mapping[str, str],
        *,
        cpu: int | None = None,
        ready: str = "/healthz",
        timeout: float = 120,
        log: Path = LOG,
    ) -> None:
        self.name, self.port, self.log = name, free_port(), log
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/graphql"
        full_env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "RATE_LIMITS": "off",
            "LOG_LEVEL": "warning",
            **env,
        }
        pin = ("taskset", "-c", str(cpu)) if cpu is not None else ()
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as stderr:
            self.process = subprocess.Popen(
                [*pin, *argv], cwd=ROOT, env=full_env, stdout=subprocess.DEVNULL, stderr=stderr
            )
        self._wait(ready, timeout)

    def _wait(self, path: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self._answers(path):
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}: {self.log}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not answer {path} within {timeout} s")
            time.sleep(0.1)

    def _answers(self, path: str) -> bool:
        try:
            with urllib.request.urlopen(self.base + path, timeout=2) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def post(self, line: str) -> bytes:
        """Send one request line (see documents.line) and return the body."""
        auth, _, body = line.partition("\t")
        request = urllib.request.Request(self.url, data=body.encode(), method="POST")
        request.add_header("content-type", "application/json")
        if auth:
            request.add_header("authorization", auth)
        with urllib.request.urlopen(request, timeout=10) as response:
            return bytes(response.read())

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.base + path, timeout=10) as response:
            return bytes(response.read())

    def rss_mib(self) -> tuple[float, float]:
        """Resident and peak resident memory of the server process, in MiB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M))
        return int(values["VmRSS"]) / 1024, int(values["VmHWM"]) / 1024

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Server:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
