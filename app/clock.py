"""The injected clock: services ask it for the time, so tests move it instead of sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """Real time shifted by what tests add with `advance`: rows written in a row keep
    their order, and an expiry days away arrives at once."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta | float) -> None:
        """Move forward by `delta` (seconds, or a timedelta)."""
        self.offset += delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
