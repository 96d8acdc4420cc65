"""GraphQL over HTTP POST: the request body, the operation, the JSON answer.

`POST /graphql` is where nearly every request arrives, so it is handled here directly
(GET, GraphiQL and WebSocket stay with Strawberry's view). A request the server cannot
run answers 400 with the same error shape as a GraphQL error and code BAD_USER_INPUT:

    body that is not JSON, not UTF-8, or not an object     400
    an array (a batch)                                     400  batching is off
    no "query" string; "variables"/"extensions" not objects, "operationName" not a string
    "variables"/"extensions" nesting deeper than MAX_NESTING objects and lists
    a subscription, or an operationName the document lacks  400
"""

from __future__ import annotations

from typing import Any, NamedTuple

import orjson
from starlette.responses import Response
from strawberry.exceptions import MissingQueryError
from strawberry.schema import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from app.graphql.context import Context

JSON = "application/json"
POST_OPERATIONS = frozenset({OperationType.QUERY, OperationType.MUTATION})
# Levels of objects and lists in "variables" (itself one); the schema's deepest input is 2.
MAX_NESTING = 32


class BadRequest(Exception):
    """A request the server cannot run: answered 400 with BAD_USER_INPUT."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class Operation(NamedTuple):
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None


def _media_type(value: str | None) -> str:
    return (value or "").partition(";")[0].strip().lower()


def read_operation(content_type: str | None, body: bytes) -> Operation:
    """The operation a POST body asks for, or BadRequest saying what is wrong with it."""
    if _media_type(content_type) != JSON:
        raise BadRequest("Unsupported content type")
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise BadRequest("Unable to parse request body as JSON") from None
    if isinstance(payload, list):
        raise BadRequest("Batching is not enabled")
    if not isinstance(payload, dict):
        raise BadRequest("The request body must be a JSON object with a query")
    query = payload.get("query")
    if not isinstance(query, str):
        raise BadRequest("No GraphQL query found in the request")
    return Operation(
        query,
        _optional(payload, "variables", dict, "an object"),
        _optional(payload, "operationName", str, "a string"),
        _optional(payload, "extensions", dict, "an object"),
    )


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


async def execute(schema: BaseSchema, operation: Operation, context: Context) -> ExecutionResult:
    """Run a query or a mutation; what cannot run over POST is a BadRequest."""
    try:
        return await schema.execute(
            operation.query,
            variable_values=operation.variables,
            context_value=context,
            operation_name=operation.operation_name,
            allowed_operation_types=POST_OPERATIONS,
            operation_extensions=operation.extensions,
        )
    except CannotGetOperationTypeError as exc:
        raise BadRequest(exc.as_http_error_reason()) from None
    except InvalidOperationTypeError as exc:
        raise BadRequest(exc.as_http_error_reason("POST")) from None
    except MissingQueryError:
        raise BadRequest("No GraphQL query found in the request") from None


def encode(result: ExecutionResult) -> bytes:
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    if result.extensions:
        body["extensions"] = result.extensions
    return orjson.dumps(body)


async def answer(schema: BaseSchema, operation: Operation, context: Context) -> Response:
    """Run one operation in the request's context and encode its result."""
    return Response(encode(await execute(schema, operation, context)), media_type=JSON)
