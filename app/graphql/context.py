"""The per-request context: the caller, the runtime services need, and the loaders."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types.execution import ExecutionContext

from app.auth import Session
from app.graphql.loaders import Loaders
from app.runtime import Runtime


@dataclass
class Context:
    request: Request | WebSocket | None
    response: Response | None
    runtime: Runtime
    request_id: str
    session: Session | None = None
    connection_params: dict[str, Any] | None = None

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.session, self.runtime.clock)

    def forget_loaders(self) -> None:
        """Drop cached rows: a socket's context outlives many subscription events."""
        self.__dict__.pop("loaders", None)

    async def recheck_socket_session(self) -> None:
        """A socket's session was checked at connection_init; before each operation on
        it, drop the session if its token has since been revoked or has expired."""
        if not isinstance(self.request, WebSocket) or self.session is None:
            return
        if not await self.runtime.auth.is_current(self.session):
            self.session = None
        self.forget_loaders()

    @property
    def client_address(self) -> str | None:
        """The peer address (the proxy's, behind one: proxy headers are not trusted)."""
        client = self.request.client if self.request is not None else None
        return client.host if client else None


Info = strawberry.Info[Context, None]


def request_id_of(execution: ExecutionContext | None) -> str:
    """The request id an operation runs under, for logs and masked errors."""
    context = execution.context if execution else None
    return context.request_id if isinstance(context, Context) else "-"
