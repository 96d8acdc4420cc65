"""The one Schema: merged root types, typed-error handlers, the operation policy and the
plain-fields executor."""

from __future__ import annotations

import functools
import logging
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.schema.config import StrawberryConfig
from strawberry.types.execution import ExecutionContext

from app.graphql import (
    accounts,
    claims,
    domains,
    invitations,
    members,
    memberships,
    nodes,
    notifications,
    people,
    webhooks,
)
from app.graphql.context import request_id_of
from app.graphql.errors import EXCEPTION_HANDLERS, is_unexpected
from app.graphql.execution import PlainFieldsExecution, plain_fields
from app.graphql.policy import QueryLimits, operation_policy

logger = logging.getLogger("app.graphql")


def _label_refused_document(error: GraphQLError) -> None:
    """Give documents refused before execution (syntax, validation, limits) a code."""
    if error.original_error is None and error.path is None and not error.extensions:
        syntax = isinstance(error, GraphQLSyntaxError)
        error.extensions = {
            "code": "GRAPHQL_PARSE_FAILED" if syntax else "GRAPHQL_VALIDATION_FAILED"
        }


class AppSchema(strawberry.Schema):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Plain fields of this schema's types skip the executor's full machinery.
        self.execution_context_class = type(
            "Execution",
            (PlainFieldsExecution,),
            {"plain": plain_fields(self._schema), "completions": {}},
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


def _root(name: str, description: str, *parts: type) -> type:
    """One root type from each feature's part of it."""
    return strawberry.type(type(name, parts, {}), description=description)


Query = _root(
    "Query",
    "What can be read. Each field says who may read it; a list is a connection of pages.",
    accounts.Query,
    people.Query,
    domains.Query,
    invitations.Query,
    claims.Query,
    memberships.Query,
    members.Query,
    webhooks.Query,
    nodes.Query,
)
Mutation = _root(
    "Mutation",
    "What can be changed. Expected failures are members of each result union (UserError); "
    "authentication, permission and input-shape failures are top-level errors with "
    "`extensions.code`.",
    accounts.Mutation,
    domains.Mutation,
    invitations.Mutation,
    claims.Mutation,
    members.Mutation,
    webhooks.Mutation,
)
Subscription = _root(
    "Subscription",
    "Live updates over WebSocket (`graphql-transport-ws`), after each change commits.",
    notifications.Subscription,
)


DEFAULT_LIMITS = QueryLimits()


@functools.cache
def build_schema(limits: QueryLimits = DEFAULT_LIMITS, *, production: bool = False) -> AppSchema:
    """The schema for these limits; production also hides introspection and suggestions.
    Cached: every app of a process with the same settings shares one schema."""
    return AppSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[operation_policy(limits, production=production)],
        exception_handlers=EXCEPTION_HANDLERS,
        config=StrawberryConfig(disable_field_suggestions=production),
    )


schema = build_schema()
