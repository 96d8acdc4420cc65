"""What a GraphQL-over-HTTP request asks for: the response media type its Accept header
prefers, and the operation in its POST body or GET query string (or named by its
documentId in the trusted documents), each refused with a BadRequest saying why."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, NamedTuple

import orjson

from app import documents

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
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
