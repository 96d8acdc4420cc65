"""The one Schema: merged root types, typed-error handlers, limits and masking."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    ASTValidationRule,
    FieldNode,
    GraphQLError,
    GraphQLSyntaxError,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types.execution import ExecutionContext

from app.graphql import accounts, domains, invitations, memberships, notifications
from app.graphql.context import Context, request_id_of
from app.graphql.errors import EXCEPTION_HANDLERS, is_unexpected
from app.graphql.execution import PlainFieldsExecution, plain_fields

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


class MaskUnexpected(MaskErrors):
    """Replace unexpected errors with INTERNAL and the request id, nothing else."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message="Internal server error")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL", "requestId": request_id_of(self.execution_context)}
        return masked


def _label_refused_document(error: GraphQLError) -> None:
    """Give documents refused before execution (syntax, validation, limits) a code."""
    if error.original_error is None and error.path is None and not error.extensions:
        syntax = isinstance(error, GraphQLSyntaxError)
        error.extensions = {
            "code": "GRAPHQL_PARSE_FAILED" if syntax else "GRAPHQL_VALIDATION_FAILED"
        }


class RecheckSocketSession(SchemaExtension):
    """Operations on a long-lived socket see signOut and expiry at once, like HTTP."""

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context):
            await context.recheck_socket_session()
        yield


class AppSchema(strawberry.Schema):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Plain fields of this schema's types skip the executor's full machinery.
        self.execution_context_class = type(
            "Execution", (PlainFieldsExecution,), {"plain": plain_fields(self._schema)}
        )

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Expected errors are answers, not incidents: log only the unexpected.
        for error in errors:
            _label_refused_document(error)
            if is_unexpected(error):
                logger.error(
                    "request %s failed: %s",
                    request_id_of(execution_context),
                    error.message,
                    exc_info=error.original_error,
                )


Query = merge_types("Query", (accounts.Query, domains.Query, invitations.Query, memberships.Query))
Mutation = merge_types("Mutation", (accounts.Mutation, domains.Mutation, invitations.Mutation))


def schema_extensions(limits: QueryLimits, *, production: bool) -> list[Any]:
    """Caches, limits and masking; the limit rules are built here, once per schema
    (rules built per request would defeat the validation cache)."""
    rules: list[type[ASTValidationRule]] = [
        depth_rule(limits.depth, None, None),
        alias_rule(limits.aliases),
        max_fields_rule(limits.fields),
    ]
    return [
        functools.partial(ParserCache, maxsize=1024),
        functools.partial(ValidationCache, maxsize=1024),
        lambda: AddValidationRules(rules),
        functools.partial(MaxTokensLimiter, max_token_count=limits.tokens),
        *([DisableIntrospection] if production else []),
        RecheckSocketSession,
        MaskUnexpected,
    ]


@functools.cache
def build_schema(limits: QueryLimits = QueryLimits(), *, production: bool = False) -> AppSchema:
    """The schema for these limits; production also hides introspection and suggestions.
    Cached: every app of a process with the same settings shares one schema."""
    return AppSchema(
        query=Query,
        mutation=Mutation,
        subscription=notifications.Subscription,
        extensions=schema_extensions(limits, production=production),
        exception_handlers=EXCEPTION_HANDLERS,
        config=StrawberryConfig(disable_field_suggestions=production),
    )


schema = build_schema()
