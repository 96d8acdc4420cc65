"""The GraphQL ASGI view: builds each request's context and answers bad bodies."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.schema import BaseSchema

from app.auth import Authenticator
from app.graphql.context import Context


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, schema: BaseSchema, *, auth: Authenticator, **options: Any) -> None:
        super().__init__(schema, **options)
        self.auth = auth

    async def get_context(self, request: Request | WebSocket,
                          response: Response | None) -> Context:  # type: ignore[override]
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        session = None
        if isinstance(request, Request):  # sockets authenticate in connection_init
            session = await self.auth.authenticate(request.headers.get("authorization"))
            if response is not None:
                response.headers["x-request-id"] = request_id
        return Context(request=request, response=response, auth=self.auth,
                       request_id=request_id, session=session)
