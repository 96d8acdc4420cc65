"""Rate limits on abuse-prone actions: sign-in attempts, invitations sent, resends,
invitation links tried.

Services call `RateLimiter.consume(limit, key, cost)` before doing the work; past
the limit it raises `RateLimitedError` (RATE_LIMITED, `retryAfter` seconds) and
nothing is counted or written. Each limit is a fixed window starting at the first
hit of a key: at most `count` units per `seconds`.

Configured by one string (the `RATE_LIMITS` variable), comma-separated
`name=count/seconds` items overriding the defaults, or `off`:

    RATE_LIMITS="signin_account=10/60,signin_ip=30/60,send=500/3600,resend=3/600,\
                 invite_token=20/60"

Counters live in the process (`MemoryStore`) unless a Redis URL is given, then in
Redis (`RedisStore`) so that every server process shares them. A store that fails
or takes longer than `REDIS_TIMEOUT` lets the request through: an outage of Redis
must not lock everybody out, nor slow everybody down. An outage is logged twice, a
warning when it starts and an info line when it ends; while it lasts the store is
tried once every `RETRY_SECONDS` and other requests go through at once.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, TypeVar

from app import errors, metrics

logger = logging.getLogger("app.ratelimit")
REDIS_TIMEOUT = 2.0  # seconds a Redis command may take before the request goes on without it
RETRY_SECONDS = 1.0  # while the store fails, how often it is tried again
T = TypeVar("T")


class Limit(StrEnum):
    SIGNIN_ACCOUNT = "signin_account"  # failed sign-ins per email address
    SIGNIN_IP = "signin_ip"  # sign-in attempts per client address
    SEND = "send"  # invitees invited per inviter
    RESEND = "resend"  # resends per invitation
    INVITE_TOKEN = "invite_token"  # invitation-link look-ups per client address


_REFUSALS = {
    Limit.SIGNIN_ACCOUNT: "Too many failed sign-ins for this account",
    Limit.SIGNIN_IP: "Too many sign-in attempts from your address",
    Limit.SEND: "You have sent too many invitations",
    Limit.RESEND: "This invitation was resent too often",
    Limit.INVITE_TOKEN: "Too many invitation links tried from your address",
}


@dataclass(frozen=True)
class Rule:
    count: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds}"


DEFAULT_RULES: dict[Limit, Rule] = {
    Limit.SIGNIN_ACCOUNT: Rule(10, 60),
    Limit.SIGNIN_IP: Rule(30, 60),
    Limit.SEND: Rule(500, 3600),
    Limit.RESEND: Rule(3, 600),
    Limit.INVITE_TOKEN: Rule(20, 60),
}


@dataclass(frozen=True)
class RateLimits:
    """Which limits apply; `RateLimits.off()` has none."""

    rules: dict[Limit, Rule] = field(default_factory=lambda: dict(DEFAULT_RULES))

    @classmethod
    def off(cls) -> RateLimits:
        return cls(rules={})

    @classmethod
    def parse(cls, text: str) -> RateLimits:
        """Defaults overridden by `name=count/seconds,...`; `off` disables all of them."""
        if text.strip().lower() == "off":
            return cls.off()
        rules = dict(DEFAULT_RULES)
        for item in filter(None, (part.strip() for part in text.split(","))):
            name, _, value = item.partition("=")
            count, _, seconds = value.partition("/")
            try:
                limit, rule = Limit(name.strip()), Rule(int(count), int(seconds))
            except ValueError:
                raise ValueError(
                    f"RATE_LIMITS item {item!r} is not name=count/seconds with a name "
                    f"among {', '.join(Limit)}, or 'off'"
                ) from None
            if rule.count < 1 or rule.seconds < 1:
                raise ValueError(f"RATE_LIMITS item {item!r} needs positive numbers")
            rules[limit] = rule
        return cls(rules=rules)

    def __str__(self) -> str:
        return ",".join(f"{k}={v}" for k, v in self.rules.items()) or "off"


class Store(Protocol):
    """Counters with an expiry: the only thing a backend has to provide."""

    async def take(self, key: str, cost: int, rule: Rule) -> int:
        """Add `cost` if it fits the rule's window: 0, else seconds until it resets."""
        ...

    async def clear(self, key: str) -> None: ...

    async def close(self) -> None: ...


class MemoryStore:
    """Counters of this process; enough for a single server process."""

    def __init__(self, *, max_keys: int = 100_000) -> None:
        self._windows: dict[str, tuple[float, int]] = {}  # key -> (resets at, used)
        self._max_keys = max_keys

    async def take(self, key: str, cost: int, rule: Rule) -> int:
        now = time.monotonic()
        resets_at, used = self._windows.get(key, (0.0, 0))
        if resets_at <= now:
            resets_at, used = now + rule.seconds, 0
        if used + cost > rule.count:
            return max(1, math.ceil(resets_at - now))
        if len(self._windows) >= self._max_keys:
            self._forget_expired(now)
        self._windows[key] = (resets_at, used + cost)
        return 0

    async def clear(self, key: str) -> None:
        self._windows.pop(key, None)

    async def close(self) -> None:
        self._windows.clear()

    def _forget_expired(self, now: float) -> None:
        self._windows = {k: w for k, w in self._windows.items() if w[0] > now}


# Atomic in Redis: add the cost only if it fits, start the window on first use.
_TAKE_SCRIPT = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local cost, limit, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if used + cost > limit then
  local ttl = redis.call('TTL', KEYS[1])
  if ttl < 1 then ttl = 1 end
  return ttl
end
if redis.call('INCRBY', KEYS[1], cost) == cost then
  redis.call('EXPIRE', KEYS[1], window)
end
return 0
"""


class RedisStore:
    """Counters shared by every server process through Redis; each command is bounded by
    `timeout`, retries included."""

    def __init__(
        self, url: str, *, prefix: str = "ratelimit:", timeout: float = REDIS_TIMEOUT
    ) -> None:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        # One retry at once: the first command after a Redis restart meets a dead
        # pooled connection.
        self._redis = Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 1),
        )
        self._take = self._redis.register_script(_TAKE_SCRIPT)
        self._prefix = prefix
        self.timeout = timeout

    async def take(self, key: str, cost: int, rule: Rule) -> int:
        async with asyncio.timeout(self.timeout):
            retry = await self._take(
                keys=[self._prefix + key], args=[cost, rule.count, rule.seconds]
            )
        return int(retry)

    async def clear(self, key: str) -> None:
        async with asyncio.timeout(self.timeout):
            await self._redis.delete(self._prefix + key)

    async def close(self) -> None:
        await self._redis.aclose()


class Outage:
    """Whether the store is failing, logged once when it starts and once when it ends."""

    def __init__(self) -> None:
        self.since: float | None = None
        self._next_try = 0.0

    def should_try(self) -> bool:
        """True, except during an outage: then once every RETRY_SECONDS (that caller
        finds out whether it is over)."""
        now = time.monotonic()
        if self.since is None:
            return True
        if now < self._next_try:
            return False
        self._next_try = now + RETRY_SECONDS
        return True

    def failed(self, exc: Exception) -> None:
        now = time.monotonic()
        self._next_try = max(self._next_try, now + RETRY_SECONDS)
        if self.since is None:
            self.since = now
            logger.warning(
                "rate limit store failed (%r): requests go through unlimited until it answers",
                exc,
            )

    def ended(self) -> None:
        if self.since is not None:
            logger.info(
                "rate limit store answers again after %.1f s: limits apply again",
                time.monotonic() - self.since,
            )
            self.since = None


class RateLimiter:
    """The rules and the store behind them; what services are given."""

    def __init__(self, limits: RateLimits, store: Store) -> None:
        self.limits = limits
        self.store = store
        self.outage = Outage()

    @classmethod
    def create(cls, limits: RateLimits, redis_url: str | None) -> RateLimiter:
        """Counters in Redis when `redis_url` is set (and limits are on), else in-process."""
        store: Store = RedisStore(redis_url) if redis_url and limits.rules else MemoryStore()
        return cls(limits, store)

    @classmethod
    def disabled(cls) -> RateLimiter:
        return cls(RateLimits.off(), MemoryStore())

    async def consume(self, limit: Limit, key: str, *, cost: int = 1) -> None:
        """Count `cost` units against `limit` for `key`, or raise RATE_LIMITED."""
        rule = self.limits.rules.get(limit)
        if rule is None:
            return
        retry_after = await self._ask(lambda: self.store.take(f"{limit}:{key}", cost, rule))
        if retry_after:
            metrics.count_rate_limited(limit.value)
            raise errors.RateLimitedError(
                f"{_REFUSALS[limit]} (at most {rule.count} in {rule.seconds} s): "
                f"retry in {retry_after} s",
                retry_after=retry_after,
            )

    async def reset(self, limit: Limit, key: str) -> None:
        """Forget the count of `key` (a successful sign-in clears its failures)."""
        if limit in self.limits.rules:
            await self._ask(lambda: self.store.clear(f"{limit}:{key}"))

    async def _ask(self, request: Callable[[], Awaitable[T]]) -> T | None:
        """The store's answer; None while it fails (the request goes through)."""
        if not self.outage.should_try():
            return None
        try:
            answer = await request()
        except Exception as exc:
            self.outage.failed(exc)
            return None
        self.outage.ended()
        return answer

    async def close(self) -> None:
        await self.store.close()
