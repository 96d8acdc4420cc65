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
Redis (`RedisStore`) so that every server process shares them. A store failure
is logged and lets the request through: an outage of Redis must not lock
everybody out.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from app import errors, metrics

logger = logging.getLogger("app.ratelimit")


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
    """Counters shared by every server process through Redis."""

    def __init__(self, url: str, *, prefix: str = "ratelimit:") -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._take = self._redis.register_script(_TAKE_SCRIPT)
        self._prefix = prefix

    async def take(self, key: str, cost: int, rule: Rule) -> int:
        retry = await self._take(keys=[self._prefix + key], args=[cost, rule.count, rule.seconds])
        return int(retry)

    async def clear(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def close(self) -> None:
        await self._redis.aclose()


class RateLimiter:
    """The rules and the store behind them; what services are given."""

    def __init__(self, limits: RateLimits, store: Store) -> None:
        self.limits = limits
        self.store = store

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
        try:
            retry_after = await self.store.take(f"{limit}:{key}", cost, rule)
        except Exception:
            logger.exception("rate limit store failed; letting %s through", limit)
            return
        if retry_after:
            metrics.count_rate_limited(limit.value)
            raise errors.RateLimitedError(
                f"{_REFUSALS[limit]} (at most {rule.count} in {rule.seconds} s): "
                f"retry in {retry_after} s",
                retry_after=retry_after,
            )

    async def reset(self, limit: Limit, key: str) -> None:
        """Forget the count of `key` (a successful sign-in clears its failures)."""
        if limit not in self.limits.rules:
            return
        try:
            await self.store.clear(f"{limit}:{key}")
        except Exception:
            logger.exception("rate limit store failed to reset %s", limit)

    async def close(self) -> None:
        await self.store.close()
