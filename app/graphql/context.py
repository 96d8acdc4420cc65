"""The per-request context and the loaders that batch nested lookups."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any
from uuid import UUID

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader

from app import models
from app.auth import Authenticator, Session
from app.events import EventBus
from app.ratelimit import RateLimiter
from app.services import domains, invitations


class Loaders:
    """Batches per request; a WebSocket operation gets fresh ones per event."""

    def __init__(self, user: models.User | None) -> None:
        self.my_role = DataLoader[UUID, models.Role | None](lambda ids: domains.my_roles(user, ids))
        self.roles = DataLoader[UUID, list[models.Role]](
            lambda ids: domains.visible_roles(user, ids)
        )
        self.history = DataLoader[UUID, list[models.InvitationEvent]](invitations.histories)
        self.invitation = DataLoader[UUID, models.Invitation | None](invitations.current)


@dataclass
class Context:
    request: Request | WebSocket | None
    response: Response | None
    auth: Authenticator
    bus: EventBus
    limiter: RateLimiter
    request_id: str
    session: Session | None = None
    connection_params: dict[str, Any] | None = None

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.user)

    def forget_loaders(self) -> None:
        """Drop cached rows: a socket's context outlives many subscription events."""
        self.__dict__.pop("loaders", None)

    async def recheck_socket_session(self) -> None:
        """A socket's session was checked at connection_init; before each operation on
        it, drop the session if its token has since been revoked or has expired."""
        if not isinstance(self.request, WebSocket) or self.session is None:
            return
        if not await self.auth.current_tokens([self.session.token.id]):
            self.session = None
        self.forget_loaders()

    @property
    def user(self) -> models.User | None:
        return self.session.user if self.session else None

    @property
    def client_address(self) -> str | None:
        """The peer address (the proxy's, behind one: proxy headers are not trusted)."""
        client = self.request.client if self.request is not None else None
        return client.host if client else None


Info = strawberry.Info[Context, None]
