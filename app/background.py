"""What runs beside the requests in every process: workers that do rounds of work (the
mailer, the webhook dispatcher, the expiry sweep) and the one log line per outage they
and the relay write when a round fails."""

from __future__ import annotations

import asyncio
import contextlib
import logging


class Outage:
    """A run of failed rounds, logged once when it starts and once when it ends, not a
    traceback per round (the database or a broker being away is one event)."""

    def __init__(self, logger: logging.Logger, what: str) -> None:
        self.logger, self.what = logger, what
        self.failing: BaseException | None = None

    def failed(self, exc: BaseException) -> None:
        if self.failing is None:
            self.logger.warning("%s are waiting: %r; retrying", self.what, exc)
        self.failing = exc

    def worked(self) -> None:
        if self.failing is not None:
            self.logger.info("%s resumed after %r", self.what, self.failing)
        self.failing = None


class Worker:
    """Does `work()` when kicked, and at least every `every` seconds, from start() to
    stop(). A round that fails is tried again next time; its outage is logged once."""

    def __init__(self, name: str, every: float, outage: Outage) -> None:
        self.name, self.every, self.outage = name, every, outage
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def work(self) -> None:
        raise NotImplementedError

    def kick(self) -> None:
        """Do a round soon (something was just committed); never waits. Before start(),
        nothing runs: tests drive the rounds themselves."""
        self._wake.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.work()
            except Exception as exc:  # the database, or what the work talks to
                self.outage.failed(exc)
            else:
                self.outage.worked()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.every):
                    await self._wake.wait()
