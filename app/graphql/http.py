"""GraphQL over HTTP (the GraphQL-over-HTTP draft): POST and GET /graphql, handled here
directly, since nearly every request arrives this way (GraphiQL's page and WebSocket
stay with Strawberry's view).

The response is `application/graphql-response+json` when the Accept header prefers it,
`application/json` otherwise (no Accept, `*/*`, `application/json`: what older clients
send), and 406 when Accept names neither. Its status says whether the operation ran:

                                             application/json     ...graphql-response+json
    executed (with field errors or not)      200                  200
    parse, validation or variable errors     200, no "data"       400, no "data"
    body not JSON, not a GraphQL request     400                  400
    variables or extensions nested deeper    400                  400
      than requests.MAX_NESTING levels
    POST body not application/json           415                  415
    mutation over GET (query in production)  405, Allow: POST     405, Allow: POST

Every refusal carries the same error shape as a GraphQL error, with a code: the request
errors of GraphQL (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT for
variables) or BAD_USER_INPUT for a request the server cannot run.

Trusted documents (`app.documents`): a request may name its document by id instead of
sending it, `{"documentId": "sha256:..."}` (or send both, which must agree). An id the
manifest does not hold is PERSISTED_QUERY_NOT_FOUND (a request error: 200 / 400); in
production a document outside the manifest is PERSISTED_QUERY_NOT_IN_LIST (200 / 403,
refused by the operation policy for WebSocket operations too). With a manifest, every
response announces it: `GraphQL-Trusted-Documents: sha256`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NamedTuple

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from strawberry.exceptions import MissingQueryError
from strawberry.schema import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from app import metrics
from app.graphql.context import Context
from app.graphql.requests import (
    GRAPHQL_RESPONSE,
    JSON,
    BadRequest,
    DocumentNotFound,
    Operation,
    document_of,
    negotiate,
    read_body,
    read_query_string,
)

GRAPHQL_RESPONSE_UTF8 = f"{GRAPHQL_RESPONSE}; charset=utf-8"
POST_OPERATIONS = frozenset({OperationType.QUERY, OperationType.MUTATION})
GET_OPERATIONS = frozenset({OperationType.QUERY})
ANNOUNCEMENT = ("graphql-trusted-documents", "sha256")
# Request errors' statuses under application/graphql-response+json, by code (else 400).
REQUEST_ERROR_STATUS = {"INTERNAL": 500, "PERSISTED_QUERY_NOT_IN_LIST": 403}


class Call(NamedTuple):
    """One operation ready to run: its document, how it was asked for, its context."""

    schema: BaseSchema
    query: str
    operation: Operation
    context: Context
    allowed: frozenset[OperationType]
    method: str
    media: str

    async def execute(self) -> ExecutionResult:
        """Run the document if the method allows its operation's type; BadRequest
        otherwise (405 for an operation another method could run)."""
        operation = self.operation
        try:
            return await self.schema.execute(
                self.query,
                variable_values=operation.variables,
                context_value=self.context,
                operation_name=operation.operation_name,
                allowed_operation_types=self.allowed,
                operation_extensions=operation.extensions,
            )
        except CannotGetOperationTypeError as exc:
            raise BadRequest(exc.as_http_error_reason()) from None
        except InvalidOperationTypeError as exc:
            over_post = self.method == "GET" and exc.operation_type in POST_OPERATIONS
            status, headers = (405, {"allow": "POST"}) if over_post else (400, None)
            raise BadRequest(exc.as_http_error_reason(self.method), status, headers) from None
        except MissingQueryError:
            raise BadRequest("No GraphQL query found in the request") from None


# How a Call becomes a response: `run`, or the view's (which honours Idempotency-Key).
Runner = Callable[[Call, Request], Awaitable[Response]]


async def run(call: Call, request: Request) -> Response:
    return respond(await call.execute(), call.media)


def respond(result: ExecutionResult, media: str) -> Response:
    """The GraphQL response: `data` only once execution started (a request error has
    none), and under application/graphql-response+json a status that says which."""
    errors = result.errors
    started = result.data is not None or not errors or any(e.path for e in errors)
    body: dict[str, Any] = {"data": result.data} if started else {}
    if errors:
        body["errors"] = [error.formatted for error in errors]
    if result.extensions:
        body["extensions"] = result.extensions
    if media == JSON:  # every well-formed request answers 200, as older clients expect
        return Response(orjson.dumps(body), media_type=JSON)
    status = 200 if started else _request_error_status(errors or [])
    return Response(orjson.dumps(body), status, media_type=GRAPHQL_RESPONSE_UTF8)


def _request_error_status(errors: list[GraphQLError]) -> int:
    statuses = (REQUEST_ERROR_STATUS.get((e.extensions or {}).get("code", "")) for e in errors)
    return max((status for status in statuses if status is not None), default=400)


def refused(error: BadRequest, media: str) -> Response:
    """A request the server cannot run, answered in the error shape with its status."""
    metrics.count_unparsed_request()
    body = {"errors": [{"message": error.reason, "extensions": {"code": "BAD_USER_INPUT"}}]}
    return Response(orjson.dumps(body), error.status, error.headers, media_type=content_type(media))


def content_type(media: str) -> str:
    """The Content-Type of a body in the negotiated media type."""
    return GRAPHQL_RESPONSE_UTF8 if media == GRAPHQL_RESPONSE else JSON


async def handle(
    request: Request,
    schema: BaseSchema,
    context: Callable[[Request], Awaitable[Context]],
    *,
    allow_queries_via_get: bool,
    manifest: Mapping[str, str],
    runner: Runner = run,
) -> Response:
    """Answer one POST or GET: negotiate, read the operation, run it in the request's
    context, encode it. Refusals are answered here too, in the negotiated media type."""
    accept = request.headers.get("accept")
    media = JSON
    method = "POST" if request.method == "POST" else "GET"  # HEAD is a GET
    try:
        media = negotiate(accept) if accept else JSON
        if method == "POST":
            operation = read_body(request.headers.get("content-type"), await request.body())
            allowed = POST_OPERATIONS
        else:
            operation = read_query_string(request.query_params)
            allowed = GET_OPERATIONS if allow_queries_via_get else frozenset()
        query = document_of(operation, manifest)
        call = Call(schema, query, operation, await context(request), allowed, method, media)
        response = await runner(call, request)
    except BadRequest as error:
        response = refused(error, media)
    except DocumentNotFound as error:
        not_found = GraphQLError(str(error), extensions={"code": "PERSISTED_QUERY_NOT_FOUND"})
        response = respond(ExecutionResult(data=None, errors=[not_found]), media)
    if manifest:
        response.headers.append(*ANNOUNCEMENT)
    return response
