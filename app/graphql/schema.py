"""The one Schema: merged root types, typed-error handlers, limits and masking."""

from __future__ import annotations

import functools
import logging
from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.tools import merge_types
from strawberry.types.execution import ExecutionContext

from app.graphql import accounts, domains, invitations, memberships
from app.graphql.errors import EXCEPTION_HANDLERS, is_unexpected

logger = logging.getLogger("app.graphql")

MAX_DEPTH, MAX_ALIASES, MAX_TOKENS = 10, 15, 2000
# Built once: rules created per request would defeat the validation cache.
_LIMIT_RULES: list[type[ASTValidationRule]] = [
    depth_rule(MAX_DEPTH, None, None),
    alias_rule(MAX_ALIASES),
]


def _request_id(execution_context: ExecutionContext | None) -> str:
    context = execution_context.context if execution_context else None
    return getattr(context, "request_id", "-")


class MaskUnexpected(MaskErrors):
    """Replace unexpected errors with INTERNAL and the request id, nothing else."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message="Internal server error")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL", "requestId": _request_id(self.execution_context)}
        return masked


class AppSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Expected errors are answers, not incidents: log only the unexpected.
        for error in errors:
            if is_unexpected(error):
                logger.error(
                    "request %s failed: %s",
                    _request_id(execution_context),
                    error.message,
                    exc_info=error.original_error,
                )


EXTENSIONS: list[Any] = [
    functools.partial(ParserCache, maxsize=1024),
    functools.partial(ValidationCache, maxsize=1024),
    lambda: AddValidationRules(_LIMIT_RULES),
    functools.partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
    MaskUnexpected,
]

Query = merge_types("Query", (accounts.Query, domains.Query, invitations.Query, memberships.Query))
Mutation = merge_types("Mutation", (accounts.Mutation, domains.Mutation, invitations.Mutation))


def build_schema(extra_extensions: tuple[type[SchemaExtension], ...] = ()) -> AppSchema:
    return AppSchema(
        query=Query,
        mutation=Mutation,
        extensions=[*EXTENSIONS, *extra_extensions],
        exception_handlers=EXCEPTION_HANDLERS,
    )


schema = build_schema()
