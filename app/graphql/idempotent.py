"""Idempotency-Key on POST /graphql: a signed-in caller's mutation is done at most once
per key for 24 h (`app.services.idempotency`).

    key malformed (not 1..255 visible ASCII characters)    400 BAD_USER_INPUT
    first time                                             the answer, stored with the changes
    the same body again                                    the stored answer again,
                                                           with Idempotent-Replayed: true
    the same key, another body                             422 BAD_USER_INPUT
    the same key while the first still runs                409 CONFLICT

Queries, and requests without a signed-in caller, run as if the header were absent:
the key is the caller's, so an anonymous one has nobody to belong to.
"""

from __future__ import annotations

import hashlib
import re

import orjson
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.responses import JSONResponse, Response
from strawberry.schema import BaseSchema

from app.graphql import http
from app.graphql.context import Context
from app.graphql.http import JSON, BadRequest, Operation
from app.services import idempotency

VISIBLE_ASCII = re.compile(r"^[\x21-\x7e]{1,255}$")
REPLAYED = {"idempotent-replayed": "true"}


async def post(key: str, operation: Operation, schema: BaseSchema, context: Context) -> Response:
    if not VISIBLE_ASCII.match(key):
        raise BadRequest("Idempotency-Key must be 1 to 255 visible ASCII characters")
    session = context.session
    if session is None or not _is_mutation(operation):
        return await http.answer(schema, operation, context)
    claim = await idempotency.begin(
        session.user.id, key, fingerprint(operation), context.runtime.clock
    )
    if isinstance(claim, idempotency.Replay):
        return Response(claim.body, claim.status, REPLAYED, media_type=JSON)
    if isinstance(claim, idempotency.Mismatch):
        raise BadRequest("This Idempotency-Key was used with another request body", 422)
    if isinstance(claim, idempotency.InProgress):
        return _conflict()

    async def run() -> idempotency.Answer:
        result = await http.execute(schema, operation, context)
        codes = {(error.extensions or {}).get("code") for error in result.errors or []}
        return idempotency.Answer(200, http.encode(result), keep="INTERNAL" not in codes)

    stored = await idempotency.once(claim, run)
    if stored is None:
        return _conflict()
    context.runtime.relay.kick()  # its events were committed with the answer, just now
    return Response(stored.body, stored.status, media_type=JSON)


def _is_mutation(operation: Operation) -> bool:
    try:
        found = get_operation_ast(parse(operation.query), operation.operation_name)
    except GraphQLError:
        return False  # answered with its parse error, as without the header
    return found is not None and found.operation is OperationType.MUTATION


def fingerprint(operation: Operation) -> str:
    """The request as sent, independent of key order and whitespace."""
    canonical = orjson.dumps(
        [operation.query, operation.variables, operation.operation_name, operation.extensions],
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.sha256(canonical).hexdigest()


def _conflict() -> Response:
    body = {
        "errors": [
            {
                "message": "A request with this Idempotency-Key is still running: retry later",
                "extensions": {"code": "CONFLICT"},
            }
        ]
    }
    return JSONResponse(body, status_code=409)
