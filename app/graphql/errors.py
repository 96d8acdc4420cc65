"""Typed errors: the UserError interface, one type per code, and the one mapping
from service exceptions to them. Also which errors are masked as INTERNAL."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.types.field import StrawberryField

from app import errors
from app.graphql.enums import InvitationStatus


@strawberry.enum(description="Why a mutation did not do what was asked.")
class ErrorCode(Enum):
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    ROLE_NAME_TAKEN = "ROLE_NAME_TAKEN"
    USER_NOT_FOUND = "USER_NOT_FOUND"
    ALREADY_MEMBER = "ALREADY_MEMBER"
    ALREADY_INVITED = "ALREADY_INVITED"
    INVITATION_REJECTED = "INVITATION_REJECTED"
    ROLE_NOT_FOUND = "ROLE_NOT_FOUND"
    ROLE_NOT_ALLOWED = "ROLE_NOT_ALLOWED"
    INVITATION_NOT_PENDING = "INVITATION_NOT_PENDING"
    INVITATION_NOT_REJECTED = "INVITATION_NOT_REJECTED"


@strawberry.interface(description="An expected failure the client can act on.")
class UserError:
    code: ErrorCode
    message: str

    @classmethod
    def from_exception(cls, exc: errors.UserFacingError) -> UserError:
        return cls(code=ErrorCode(exc.code), message=exc.message)


@strawberry.type
class NotFound(UserError):
    pass


@strawberry.type
class InvalidInput(UserError):
    field: str = strawberry.field(description="The argument to correct.")

    @classmethod
    def from_exception(cls, exc: errors.UserFacingError) -> UserError:
        assert isinstance(exc, errors.InvalidInputError)
        return cls(code=ErrorCode.INVALID_INPUT, message=exc.message, field=exc.field)


@strawberry.type
class EmailTaken(UserError):
    pass


@strawberry.type
class InvalidCredentials(UserError):
    pass


@strawberry.type
class RoleNameTaken(UserError):
    pass


@strawberry.type
class UserNotFound(UserError):
    pass


@strawberry.type
class AlreadyMember(UserError):
    pass


@strawberry.type
class AlreadyInvited(UserError):
    pass


@strawberry.type
class InvitationRejected(UserError):
    pass


@strawberry.type
class RoleNotFound(UserError):
    pass


@strawberry.type
class RoleNotAllowed(UserError):
    pass


@strawberry.type
class InvitationNotPending(UserError):
    status: InvitationStatus = strawberry.field(description="The invitation's status now.")

    @classmethod
    def from_exception(cls, exc: errors.UserFacingError) -> UserError:
        assert isinstance(exc, errors.InvitationNotPendingError)
        return cls(
            code=ErrorCode(exc.code), message=exc.message, status=InvitationStatus(exc.status)
        )


@strawberry.type
class InvitationNotRejected(UserError):
    status: InvitationStatus = strawberry.field(description="The invitation's status now.")

    @classmethod
    def from_exception(cls, exc: errors.UserFacingError) -> UserError:
        assert isinstance(exc, errors.InvitationNotRejectedError)
        return cls(
            code=ErrorCode(exc.code), message=exc.message, status=InvitationStatus(exc.status)
        )


ERROR_TYPES: dict[type[errors.UserFacingError], type[UserError]] = {
    errors.NotFoundError: NotFound,
    errors.InvalidInputError: InvalidInput,
    errors.EmailTakenError: EmailTaken,
    errors.InvalidCredentialsError: InvalidCredentials,
    errors.RoleNameTakenError: RoleNameTaken,
    errors.UserNotFoundError: UserNotFound,
    errors.AlreadyMemberError: AlreadyMember,
    errors.AlreadyInvitedError: AlreadyInvited,
    errors.InvitationRejectedError: InvitationRejected,
    errors.RoleNotFoundError: RoleNotFound,
    errors.RoleNotAllowedError: RoleNotAllowed,
    errors.InvitationNotPendingError: InvitationNotPending,
    errors.InvitationNotRejectedError: InvitationNotRejected,
}


def to_user_error(exc: errors.UserFacingError) -> UserError:
    """The GraphQL value of an expected failure."""
    return ERROR_TYPES[type(exc)].from_exception(exc)


class _Handler:
    """Turns one exception class into its union member wherever the field's
    result union lists that member; elsewhere the exception stays a top-level
    error carrying its code."""

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
