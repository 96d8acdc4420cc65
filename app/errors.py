"""Every expected failure of the product, free of any web or GraphQL framework.

This module is the one catalogue of failures: the GraphQL layer derives `ErrorCode`,
one `UserError` type per class below (its name without "Error") and the mapping
between them from these classes, so a new failure is written here once.

    AppError                          code, message, extensions -> {"code": code}
    ├── UnauthenticatedError          UNAUTHENTICATED       always top-level
    ├── ForbiddenError                FORBIDDEN             always top-level
    ├── BadUserInputError             BAD_USER_INPUT        always top-level
    ├── RateLimitedError              RATE_LIMITED          always top-level
    └── UserFacingError                                     a typed result where the
        │                                                   mutation's union lists it,
        │                                                   top-level elsewhere
        ├── NotFoundError             NOT_FOUND
        ├── InvalidInputError         INVALID_INPUT         + field
        ├── EmailTakenError           EMAIL_TAKEN
        ├── InvalidCredentialsError   INVALID_CREDENTIALS
        ├── RoleNameTakenError        ROLE_NAME_TAKEN
        ├── UserNotFoundError         USER_NOT_FOUND
        ├── AlreadyMemberError        ALREADY_MEMBER
        ├── AlreadyInvitedError       ALREADY_INVITED
        ├── InvitationRejectedError   INVITATION_REJECTED
        ├── InvitationExpiredError    INVITATION_EXPIRED
        ├── EmailDisabledError        EMAIL_DISABLED
        ├── RoleNotFoundError         ROLE_NOT_FOUND
        ├── RoleNotAllowedError       ROLE_NOT_ALLOWED
        ├── LastAdminError            LAST_ADMIN
        ├── InvitationNotPendingError INVITATION_NOT_PENDING  + status
        └── InvitationNotRejectedError INVITATION_NOT_REJECTED + status

Anything else raised while serving a request is unexpected: the client sees only
INTERNAL with a request id, the log has the traceback.
"""

from __future__ import annotations

from typing import Any, ClassVar


class AppError(Exception):
    """A failure the product raises on purpose; anything else is unexpected and masked."""

    code: ClassVar[str] = "INTERNAL"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def extensions(self) -> dict[str, Any]:
        # graphql-core copies `original_error.extensions` into the GraphQL error.
        return {"code": self.code}


class UnauthenticatedError(AppError):
    """No valid token: sign in and send `Authorization: Bearer <token>`."""

    code = "UNAUTHENTICATED"

    def __init__(
        self, message: str = "Sign in first: send 'Authorization: Bearer <token>'"
    ) -> None:
        super().__init__(message)


class ForbiddenError(AppError):
    """The caller is a member of the domain, but their role lacks the action."""

    code = "FORBIDDEN"


class BadUserInputError(AppError):
    """An argument or request the API cannot take as given: a page size, a cursor, a
    malformed id, a list too long or too short."""

    code = "BAD_USER_INPUT"


class RateLimitedError(AppError):
    """Too many attempts: wait `retryAfter` seconds before trying again."""

    code = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "retryAfter": self.retry_after}


class UserFacingError(AppError):
    """An expected outcome the client can act on.

    `details` names the attributes, besides code and message, that the client
    receives as fields of the error's GraphQL type.
    """

    details: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def catalogue(cls) -> list[type[UserFacingError]]:
        """Every concrete failure, in the order they are declared here."""
        found: list[type[UserFacingError]] = []
        for sub in cls.__subclasses__():
            if "code" in vars(sub):
                found.append(sub)
            found.extend(sub.catalogue())
        return found


class NotFoundError(UserFacingError):
    """The object does not exist, or the caller may not see it (the two look the same)."""

    code = "NOT_FOUND"


class InvalidInputError(UserFacingError):
    """An argument is malformed or out of bounds; `field` names it."""

    code = "INVALID_INPUT"
    details = ("field",)

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class EmailTakenError(UserFacingError):
    """Another account already uses this e-mail address."""

    code = "EMAIL_TAKEN"


class InvalidCredentialsError(UserFacingError):
    """The e-mail address and password do not match an account (the same answer for both)."""

    code = "INVALID_CREDENTIALS"


class RoleNameTakenError(UserFacingError):
    """The domain already has a role with this name."""

    code = "ROLE_NAME_TAKEN"


class UserNotFoundError(UserFacingError):
    """No user has this id."""

    code = "USER_NOT_FOUND"


class AlreadyMemberError(UserFacingError):
    """The user is already a member of the domain."""

    code = "ALREADY_MEMBER"


class AlreadyInvitedError(UserFacingError):
    """The user already has a PENDING invitation to the domain."""

    code = "ALREADY_INVITED"


class InvitationRejectedError(UserFacingError):
    """The user rejected an earlier invitation to the domain: resend that one instead."""

    code = "INVITATION_REJECTED"


class InvitationExpiredError(UserFacingError):
    """The invitee's invitation in this domain expired: resend that one instead."""

    code = "INVITATION_EXPIRED"


class EmailDisabledError(UserFacingError):
    """Invitations by address need e-mail, and this server has no SMTP_URL."""

    code = "EMAIL_DISABLED"


class RoleNotFoundError(UserFacingError):
    """The role is not one of the domain's roles."""

    code = "ROLE_NOT_FOUND"


class RoleNotAllowedError(UserFacingError):
    """The role grants actions the caller does not hold themselves (the role ceiling)."""

    code = "ROLE_NOT_ALLOWED"


class LastAdminError(UserFacingError):
    """The change would leave the domain without a member whose role holds every action."""

    code = "LAST_ADMIN"


class WrongStatusError(UserFacingError):
    """An invitation is not in the status the operation needs; `status` is where it is."""

    details = ("status",)

    def __init__(self, message: str, *, status: str) -> None:
        super().__init__(message)
        self.status = status


class InvitationNotPendingError(WrongStatusError):
    """The invitation is no longer PENDING; `status` says where it is."""

    code = "INVITATION_NOT_PENDING"


class InvitationNotRejectedError(WrongStatusError):
    """The invitation cannot be resent from its status; `status` says where it is."""

    code = "INVITATION_NOT_REJECTED"
