"""What services need besides the caller and their arguments, built once by create_app."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from app.auth import Authenticator
from app.clock import Clock
from app.events import EventBus
from app.links import LinkKeys
from app.ratelimit import RateLimiter
from app.relay import Relay
from app.settings import Settings

if TYPE_CHECKING:  # the mailer is a service, and services import this module
    from app.services.mailer import Mailer


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    clock: Clock
    auth: Authenticator
    bus: EventBus
    relay: Relay
    limiter: RateLimiter
    mailer: Mailer

    @cached_property
    def links(self) -> LinkKeys:
        """Issues and checks invitation-link secrets with SECRET_KEY."""
        return LinkKeys(self.settings.secret_key)
