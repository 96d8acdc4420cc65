"""The GraphQL ASGI view: POST and GET operations through `app.graphql.http`, GraphiQL's
page and WebSocket through Strawberry's view; builds each request's context and masks
failures outside GraphQL execution."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any, cast

import orjson
from cross_web import HTTPException
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.schema import BaseSchema
from strawberry.types.unset import UNSET, UnsetType

from app import documents, graphiql, logs
from app.graphql import http, idempotent
from app.graphql.context import Context
from app.runtime import Runtime

logger = logging.getLogger("app.graphql")


def _request_id(request: Request | WebSocket) -> str:
    """The client's X-Request-ID, or a new one; the same for the whole request."""
    state = request.state
    if not hasattr(state, "request_id"):
        state.request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
    request_id: str = state.request_id
    return request_id


def _errors_response(message: str, code: str, status: int, **extensions: str) -> JSONResponse:
    body = {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    return JSONResponse(body, status_code=status)


def _wants_ide(request: Request) -> bool:
    """A browser opening /graphql (a GET naming no operation): GraphiQL's page."""
    params = request.query_params
    accept = request.headers.get("accept", "")
    named = "query" in params or "documentId" in params
    return not named and ("text/html" in accept or "*/*" in accept)


class GraphQLView(GraphQL[Context, None]):
    def __init__(
        self,
        schema: BaseSchema,
        *,
        runtime: Runtime,
        **options: Any,
    ) -> None:
        super().__init__(schema, **options)
        self.runtime = runtime
        path = runtime.settings.trusted_documents
        self.manifest = documents.load(path) if path else {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Every line logged while serving this request (uvicorn's access line included)
        # carries its id: the view runs in the request's own task.
        if scope["type"] != "http":
            token = logs.REQUEST_ID.set(_request_id(WebSocket(scope, receive, send)))
            try:
                return await super().__call__(scope, receive, send)
            finally:
                logs.REQUEST_ID.reset(token)
        request = Request(scope=scope, receive=receive)
        request_id = _request_id(request)
        token = logs.REQUEST_ID.set(request_id)
        try:
            await self._answer(request, request_id, send)
        finally:
            logs.REQUEST_ID.reset(token)

    async def _answer(self, request: Request, request_id: str, send: Send) -> None:
        try:
            if request.method == "GET" and _wants_ide(request):
                response = await self.run(request)  # GraphiQL's page, or 404 when off
            else:
                response = await http.handle(
                    request,
                    self.schema,
                    self._http_context,
                    allow_queries_via_get=self.allow_queries_via_get,
                    manifest=self.manifest,
                    runner=idempotent.run,
                )
        except HTTPException as exc:
            # Malformed requests get the same error shape as GraphQL errors.
            code = "NOT_FOUND" if exc.status_code == 404 else "BAD_USER_INPUT"
            response = _errors_response(exc.reason, code, exc.status_code)
        except ClientDisconnect:
            return  # the client left before its body arrived: nobody to answer
        except StarletteHTTPException:
            raise  # answered by Starlette: the body limit's 413
        except Exception:
            # Outside GraphQL execution (context, body, a database outage): same masking.
            logger.exception("request %s failed outside GraphQL execution", request_id)
            response = _errors_response(
                "Internal server error", "INTERNAL", 500, requestId=request_id
            )
        response.headers["x-request-id"] = request_id
        await response(request.scope, request.receive, send)

    def decode_json(self, data: str | bytes) -> object:
        """A WebSocket message. orjson first: it refuses nesting past 1024 levels as invalid
        JSON (the socket closes with 4400), where the standard library would overflow the
        stack and end the socket with 1011. What orjson refuses but JSON allows, a lone
        surrogate's escape, is read by the standard library: the services refuse it in
        that one operation."""
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            try:
                return json.loads(data)
            except RecursionError:
                raise json.JSONDecodeError("nested too deeply", "", 0) from None

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql.page()  # served offline, under a strict content policy

    async def _http_context(self, request: Request) -> Context:
        return await self.get_context(request, None)

    def encode_json(self, data: object) -> str:
        # Performance: orjson writes the same compact JSON several times faster. A str,
        # not bytes: WebSocket messages must go out as text frames.
        return orjson.dumps(data).decode()

    async def get_context(self, request: Request | WebSocket, response: Response | None) -> Context:  # type: ignore[override]
        request_id = _request_id(request)
        session = None
        if isinstance(request, Request):  # sockets authenticate in connection_init
            session = await self.runtime.auth.authenticate(request.headers.get("authorization"))
        return Context(
            request=request,
            response=response,
            runtime=self.runtime,
            request_id=request_id,
            session=session,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Authenticate a socket from its connection_init payload; refuse it (4403) otherwise."""
        params = {str(k).lower(): v for k, v in (context.connection_params or {}).items()}
        authorization = params.get("authorization")
        session = await self.runtime.auth.authenticate(
            authorization if isinstance(authorization, str) else None
        )
        if session is None:
            raise ConnectionRejectionError({"reason": "unauthenticated"})
        context.session = session
        return cast(UnsetType, UNSET)  # a plain connection_ack
