"""Waiting for something another process or task will do: one poller, bounded in time."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Iterator


def _attempts(timeout: float, what: str) -> Iterator[None]:
    """Yield until `timeout` seconds have passed, then fail naming what never happened."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        yield
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def wait_until(
    condition: Callable[[], bool],
    *,
    timeout: float = 5,
    interval: float = 0.01,
    what: str = "the condition",
) -> None:
    """Block until `condition()` is true (for threads, processes and synchronous tests)."""
    for _ in _attempts(timeout, what):
        if condition():
            return
        time.sleep(interval)


async def eventually(
    condition: Callable[[], bool | Awaitable[bool]],
    *,
    timeout: float = 5,
    interval: float = 0.01,
    what: str = "the condition",
) -> None:
    """Wait until `condition()` (sync or async) is true, yielding to the loop between tries."""
    for _ in _attempts(timeout, what):
        result = condition()
        if await result if inspect.isawaitable(result) else result:
            return
        await asyncio.sleep(interval)
