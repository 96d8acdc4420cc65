"""The GraphQL ASGI view: builds each request's context and answers bad bodies."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.schema import BaseSchema

from app.auth import Authenticator
from app.events import EventBus
from app.graphql.context import Context


class GraphQLView(GraphQL[Context, None]):
    def __init__(
        self, schema: BaseSchema, *, auth: Authenticator, bus: EventBus, **options: Any
    ) -> None:
        super().__init__(schema, **options)
        self.auth = auth
        self.bus = bus

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await super().__call__(scope, receive, send)
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as exc:
            # Malformed requests get the same error shape as GraphQL errors.
            code = "NOT_FOUND" if exc.status_code == 404 else "BAD_USER_INPUT"
            body = {"errors": [{"message": exc.reason, "extensions": {"code": code}}]}
            response = JSONResponse(body, status_code=exc.status_code)
        await response(scope, receive, send)

    def encode_json(self, data: object) -> str:
        # Performance: orjson writes the same compact JSON several times faster. A str,
        # not bytes: WebSocket messages must go out as text frames.
        return orjson.dumps(data).decode()

    async def get_context(self, request: Request | WebSocket, response: Response | None) -> Context:  # type: ignore[override]
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        session = None
        if isinstance(request, Request):  # sockets authenticate in connection_init
            session = await self.auth.authenticate(request.headers.get("authorization"))
            if response is not None:
                response.headers["x-request-id"] = request_id
        return Context(
            request=request,
            response=response,
            auth=self.auth,
            bus=self.bus,
            request_id=request_id,
            session=session,
        )
