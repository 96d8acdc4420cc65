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
      than MAX_NESTING objects and lists
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

import functools
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

from app import documents, metrics
from app.graphql.context import Context

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
GRAPHQL_RESPONSE_UTF8 = f"{GRAPHQL_RESPONSE}; charset=utf-8"
POST_OPERATIONS = frozenset({OperationType.QUERY, OperationType.MUTATION})
GET_OPERATIONS = frozenset({OperationType.QUERY})
ANNOUNCEMENT = ("graphql-trusted-documents", "sha256")
# Request errors' statuses under application/graphql-response+json, by code (else 400).
REQUEST_ERROR_STATUS = {"INTERNAL": 500, "PERSISTED_QUERY_NOT_IN_LIST": 403}
# Levels of objects and lists in "variables" (itself one); the schema's deepest input is 2.
MAX_NESTING = 32
# What each acceptable media range gets.
OFFERS = {GRAPHQL_RESPONSE: GRAPHQL_RESPONSE, JSON: JSON, "application/*": JSON, "*/*": JSON}


class BadRequest(Exception):
    """A request the server cannot run: answered with `status` and BAD_USER_INPUT."""

    def __init__(
        self, reason: str, status: int = 400, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.headers = headers


class DocumentNotFound(Exception):
    """A documentId the manifest does not hold: a request error, PERSISTED_QUERY_NOT_FOUND."""


class Operation(NamedTuple):
    query: str | None  # None: named by document_id alone
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None
    document_id: str | None


def _media_type(value: str | None) -> str:
    return (value or "").partition(";")[0].strip().lower()


@functools.lru_cache(maxsize=256)
def negotiate(accept: str) -> str:
    """The response media type an Accept header prefers (highest q, then first listed),
    or BadRequest 406 when it accepts neither."""
    chosen, best = None, 0.0
    for item in accept.split(","):
        media, *parameters = item.split(";")
        offer = OFFERS.get(media.strip().lower())
        quality = _quality(parameters)
        if offer is not None and quality > best:
            chosen, best = offer, quality
    if chosen is None:
        raise BadRequest(f"Not acceptable: ask for {GRAPHQL_RESPONSE} or {JSON}", 406)
    return chosen


def _quality(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def read_body(content_type: str | None, body: bytes) -> Operation:
    """The operation a POST body asks for, or BadRequest saying what is wrong with it."""
    if _media_type(content_type) != JSON:
        raise BadRequest(f"Unsupported content type: send the request as {JSON}", 415)
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise BadRequest("Unable to parse request body as JSON") from None
    if isinstance(payload, list):
        raise BadRequest("Batching is not enabled")
    if not isinstance(payload, dict):
        raise BadRequest("The request body must be a JSON object with a query")
    return _operation(payload)


def read_query_string(params: Mapping[str, str]) -> Operation:
    """The operation a GET asks for: `variables` and `extensions` are JSON text."""
    payload: dict[str, Any] = {"query": params.get("query"), "documentId": params.get("documentId")}
    payload["operationName"] = params.get("operationName") or None
    for key in ("variables", "extensions"):
        if params.get(key):
            try:
                payload[key] = orjson.loads(params[key])
            except orjson.JSONDecodeError:
                raise BadRequest(f"{key} must be JSON text") from None
    return _operation(payload)


def _operation(payload: dict[str, Any]) -> Operation:
    query = _optional(payload, "query", str, "a string")
    document_id = _optional(payload, "documentId", str, "a string")
    if query is None and document_id is None:
        raise BadRequest("No GraphQL query found in the request")
    return Operation(
        query,
        _optional(payload, "variables", dict, "an object"),
        _optional(payload, "operationName", str, "a string"),
        _optional(payload, "extensions", dict, "an object"),
        document_id,
    )


def document_of(operation: Operation, manifest: Mapping[str, str]) -> str:
    """The document an operation runs: its query, or the manifest's document for its
    documentId; both given, they must agree."""
    document_id, query = operation.document_id, operation.query
    if document_id is None:
        assert query is not None  # _operation made sure of one of them
        return query
    if query is not None:
        if documents.document_id(query) != document_id:
            raise BadRequest("documentId is not the id of query: send one of them, or both alike")
        return query
    found = manifest.get(document_id)
    if found is None:
        raise DocumentNotFound(f"No trusted document has the id {document_id!r}")
    return found


def _optional(payload: dict[str, Any], key: str, kind: type, what: str) -> Any:
    value = payload.get(key)
    if value is not None and not isinstance(value, kind):
        raise BadRequest(f"{key} must be {what} or null")
    if not _nests_within(value, MAX_NESTING):
        raise BadRequest(f"{key} nest deeper than {MAX_NESTING} levels of objects and lists")
    return value


def _nests_within(value: Any, levels: int) -> bool:
    """Whether `value` holds objects and lists at most `levels` deep (without recursion:
    the client decides the depth)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > levels:
                return False
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return True


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
