"""Typed errors, derived from the catalogue in `app.errors`: the `UserError` interface,
`ErrorCode`, one type per failure, the union of a mutation's outcomes, and the handlers
that turn raised failures into union members. Also which errors are masked as INTERNAL."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, Union

import strawberry
from graphql import GraphQLError
from strawberry.types.field import StrawberryField

from app import errors
from app.graphql.enums import InvitationStatus

CATALOGUE = errors.UserFacingError.catalogue()

ErrorCode: Any = strawberry.enum(
    Enum("ErrorCode", [(failure.code, failure.code) for failure in CATALOGUE]),  # type: ignore[call-overload]
    description="Why a mutation did not do what was asked.",
)


@strawberry.interface(description="An expected failure the client can act on.")
class UserError:
    code: ErrorCode
    message: str


@dataclass(frozen=True)
class _Detail:
    """How one of a failure's `details` attributes appears in GraphQL."""

    type: Any
    description: str


DETAILS = {
    "field": _Detail(str, "The argument to correct."),
    "status": _Detail(InvitationStatus, "The invitation's status now."),
}


def _error_type(failure: type[errors.UserFacingError]) -> type[UserError]:
    """The GraphQL type of one failure: its class name without "Error"."""
    namespace: dict[str, Any] = {
        "__annotations__": {name: DETAILS[name].type for name in failure.details},
        **{
            name: strawberry.field(description=DETAILS[name].description)
            for name in failure.details
        },
    }
    name = failure.__name__.removesuffix("Error")
    description = inspect.cleandoc(failure.__doc__) if failure.__doc__ else None
    return strawberry.type(type(name, (UserError,), namespace), description=description)


ERROR_TYPES: dict[type[errors.UserFacingError], type[UserError]] = {
    failure: _error_type(failure) for failure in CATALOGUE
}


def to_user_error(exc: errors.UserFacingError) -> UserError:
    """The GraphQL value of an expected failure."""
    details = {name: DETAILS[name].type(getattr(exc, name)) for name in exc.details}
    return ERROR_TYPES[type(exc)](
        code=ErrorCode[exc.code],
        message=exc.message,
        **details,
    )


def result_union(name: str, *members: type[Any]) -> Any:
    """A union of a success type and failures: failure classes from the catalogue are
    replaced by their GraphQL types. Used as `graphql_type=`, so resolvers are typed with
    their success type and raise the failures."""
    types = tuple(ERROR_TYPES.get(member, member) for member in members)
    return Annotated[Union[types], strawberry.union(name)]  # noqa: UP007


class _Handler:
    """Turns one failure into its union member wherever the field's result union lists
    that member; elsewhere the exception stays a top-level error carrying its code."""

    def __init__(self, exception_type: type[errors.UserFacingError], error_type: type) -> None:
        self.exception_type = exception_type
        self.error_type = error_type

    def handle(
        self, exception: errors.UserFacingError, *, field: StrawberryField, info: Any
    ) -> UserError:
        return to_user_error(exception)


EXCEPTION_HANDLERS = [_Handler(exc, typ) for exc, typ in ERROR_TYPES.items()]


def is_unexpected(error: GraphQLError) -> bool:
    """Errors to mask as INTERNAL: anything not raised on purpose."""
    original = error.original_error
    return original is not None and not isinstance(original, (errors.AppError, GraphQLError))
