"""What every operation goes through, in one schema extension: the document limits, the
document cache, the socket session re-check, the trusted documents (production, over
HTTP and WebSocket alike), the masking of unexpected errors, and the request metrics of
queries and mutations.

One extension with five hooks instead of seven extensions: Strawberry looks every hook
of every extension up again for each request, so the hooks themselves were a visible
part of a small query's cost.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    GraphQLError,
    ValidationContext,
    ValidationRule,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.types.execution import ExecutionContext
from strawberry.types.graphql import OperationType

from app import documents, metrics
from app.graphql.context import Context, request_id_of
from app.graphql.errors import is_unexpected
from app.settings import Settings

logger = logging.getLogger("app.graphql")


@dataclass(frozen=True)
class QueryLimits:
    """Bounds on one GraphQL document, checked before anything executes."""

    depth: int = 10
    aliases: int = 15
    tokens: int = 2000
    fields: int = 200


def max_fields_rule(max_fields: int) -> type[ASTValidationRule]:
    """Refuse documents selecting more than `max_fields` fields (duplicates included)."""

    class MaxFieldsRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0

        def enter_field(self, node: FieldNode, *_: object) -> None:
            self.count += 1
            if self.count == max_fields + 1:
                self.report_error(
                    GraphQLError(f"The document selects more than {max_fields} fields", node)
                )

    return MaxFieldsRule


def validation_rules(
    limits: QueryLimits, *, production: bool
) -> tuple[type[ASTValidationRule], ...]:
    """The rules added to GraphQL's own; built once per schema, never per request."""
    rules: list[type[ASTValidationRule]] = [
        depth_rule(limits.depth, None, None),
        alias_rule(limits.aliases),
        max_fields_rule(limits.fields),
    ]
    if production:
        rules.append(NoSchemaIntrospectionCustomRule)
    return tuple(rules)


class _Checked(NamedTuple):
    document: DocumentNode
    errors: list[GraphQLError] | None  # None until validated


class DocumentCache:
    """Parsed documents and their validation errors by query text, least recently used
    dropped first. Keyed by the text, so a hit costs one string hash."""

    def __init__(self, maxsize: int = 1024) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[str, _Checked] = OrderedDict()

    def get(self, query: str | None) -> _Checked | None:
        entry = self._entries.get(query) if query else None
        if entry is not None:
            self._entries.move_to_end(query)  # type: ignore[arg-type]
        return entry

    def put(self, query: str, entry: _Checked) -> None:
        self._entries[query] = entry
        self._entries.move_to_end(query)
        if len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)


class OperationPolicy(SchemaExtension):
    def __init__(
        self,
        *,
        limits: QueryLimits,
        rules: tuple[type[ASTValidationRule], ...],
        cache: DocumentCache,
    ) -> None:
        self.limits = limits
        self.rules = rules
        self.cache = cache

    async def on_operation(self) -> AsyncIterator[None]:
        started = time.perf_counter()
        execution = self.execution_context
        execution.parse_options["max_tokens"] = self.limits.tokens
        execution.validation_rules = execution.validation_rules + self.rules
        context = execution.context
        if isinstance(context, Context):
            # Operations on a long-lived socket see signOut and expiry at once, like HTTP.
            await context.recheck_socket_session()
        yield
        self._mask(execution.result)
        _observe(execution, time.perf_counter() - started)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """Results over a WebSocket (subscription events, and queries and mutations sent
        there) are sent as they come, before the operation ends: mask each one first."""
        self._mask(result)
        yield

    def _mask(self, result: Any) -> None:
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [self._masked(error) for error in errors]

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        cached = self.cache.get(execution.query)
        if cached is not None:
            execution.graphql_document = cached.document
        yield
        if cached is None and execution.query and execution.graphql_document is not None:
            self.cache.put(execution.query, _Checked(execution.graphql_document, None))

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        if isinstance(context, Context):
            untrusted = untrusted_document(execution.query, context.runtime.settings)
            if untrusted is not None:  # refused like an invalid document, and not cached
                execution.pre_execution_errors = [untrusted]
                yield
                return
        cached = self.cache.get(execution.query)
        if cached is not None and cached.errors is not None:
            execution.pre_execution_errors = cached.errors
        yield
        if cached is not None and cached.errors is None and execution.query:
            errors = execution.pre_execution_errors or []
            self.cache.put(execution.query, cached._replace(errors=errors))

    def _masked(self, error: GraphQLError) -> GraphQLError:
        """Unexpected errors become INTERNAL with the request id, and nothing else."""
        if not is_unexpected(error):
            return error
        return GraphQLError(
            "Internal server error",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL", "requestId": request_id_of(self.execution_context)},
        )


def _observe(execution: ExecutionContext, seconds: float) -> None:
    """Count a query or mutation (a subscription's operation lasts as long as it is open:
    the open subscriptions gauge counts those)."""
    document = execution.graphql_document
    if document is None:
        metrics.observe_operation("invalid", "GRAPHQL_PARSE_FAILED", seconds)
        return
    if execution.operation_type is OperationType.SUBSCRIPTION:
        return
    if execution.result is None:  # refused by validation; labelled later, in process_errors
        code: str | None = "GRAPHQL_VALIDATION_FAILED"
    else:
        errors = execution.result.errors
        code = (errors[0].extensions or {}).get("code") if errors else None
    metrics.observe_operation(execution.operation_name, code, seconds)


def untrusted_document(query: str | None, settings: Settings) -> GraphQLError | None:
    """With a manifest in production, the refusal of a document it does not hold:
    PERSISTED_QUERY_NOT_IN_LIST (the trusted documents are the allow-list)."""
    path = settings.trusted_documents
    if not (path and settings.production and query is not None):
        return None
    if documents.document_id(query) in documents.load(path):
        return None
    return GraphQLError(
        "This server runs only its trusted documents, and this is not one of them: "
        "send the documentId of a document in its manifest",
        extensions={"code": "PERSISTED_QUERY_NOT_IN_LIST"},
    )


def operation_policy(limits: QueryLimits, *, production: bool) -> Any:
    """The extension factory for one schema: its rules and cache are built once."""
    rules = validation_rules(limits, production=production)
    cache = DocumentCache()
    return lambda: OperationPolicy(limits=limits, rules=rules, cache=cache)
