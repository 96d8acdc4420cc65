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
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.graphql import http
from app.graphql.http import Call, content_type
from app.graphql.requests import BadRequest, Operation
from app.services import idempotency

VISIBLE_ASCII = re.compile(r"^[\x21-\x7e]{1,255}$")
REPLAYED = {"idempotent-replayed": "true"}


async def run(call: Call, request: Request) -> Response:
    """The view's runner: `http.run`, or once per key for a signed-in caller's mutation."""
    key = request.headers.get("idempotency-key")
    if key is None or call.method != "POST":
        return await http.run(call, request)
    if not VISIBLE_ASCII.match(key):
        raise BadRequest("Idempotency-Key must be 1 to 255 visible ASCII characters")
    session, clock = call.context.session, call.context.runtime.clock
    if session is None or not _is_mutation(call):
        return await http.run(call, request)
    sent = fingerprint(call.query, call.operation)
    claim = await idempotency.begin(session.user.id, key, sent, clock)
    if isinstance(claim, idempotency.Replay):
        return Response(claim.body, claim.status, REPLAYED, media_type=content_type(call.media))
    if isinstance(claim, idempotency.Mismatch):
        raise BadRequest("This Idempotency-Key was used with another request body", 422)
    if isinstance(claim, idempotency.InProgress):
        return _conflict()

    async def answer() -> idempotency.Answer:
        result = await call.execute()
        response = http.respond(result, call.media)
        codes = {(error.extensions or {}).get("code") for error in result.errors or []}
        return idempotency.Answer(
            response.status_code, bytes(response.body), "INTERNAL" not in codes
        )

    stored = await idempotency.once(claim, answer)
    if stored is None:
        return _conflict()
    call.context.runtime.relay.kick()  # its events were committed with the answer, just now
    return Response(stored.body, stored.status, media_type=content_type(call.media))


def _is_mutation(call: Call) -> bool:
    try:
        found = get_operation_ast(parse(call.query), call.operation.operation_name)
    except GraphQLError:
        return False  # answered with its parse error, as without the header
    return found is not None and found.operation is OperationType.MUTATION


def fingerprint(query: str, operation: Operation) -> str:
    """The request as sent (its document, whether sent as text or by id), independent of
    key order and whitespace."""
    canonical = orjson.dumps(
        [query, operation.variables, operation.operation_name, operation.extensions],
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
