"""What services need besides the caller and their arguments, built once by create_app."""

from __future__ import annotations

from dataclasses import dataclass

from app.auth import Authenticator
from app.clock import Clock
from app.events import EventBus
from app.ratelimit import RateLimiter
from app.relay import Relay
from app.settings import Settings


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    clock: Clock
    auth: Authenticator
    bus: EventBus
    relay: Relay
    limiter: RateLimiter
