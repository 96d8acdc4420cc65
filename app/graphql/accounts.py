"""Account fields: signUp, signIn, signOut, me."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app import errors
from app.graphql.context import Info
from app.graphql.errors import result_union
from app.graphql.types import AuthPayload, Invitation, User
from app.services import accounts

Email = Annotated[
    str,
    strawberry.argument(description="An e-mail address (name@example.com); compared lower-case."),
]
Password = Annotated[str, strawberry.argument(description="8..128 characters.")]


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in user; null when unauthenticated. Anyone.")
    def me(self, info: Info) -> User | None:
        session = info.context.session
        return User.from_row(session.user) if session else None


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description=(
            "Create an account and sign it in; anyone. With invitationToken, also claims "
            "that invitation in the same transaction: when the link is void (NOT_FOUND, "
            "INVITATION_NOT_PENDING) no account is created."
        ),
        graphql_type=result_union(
            "SignUpResult",
            AuthPayload,
            errors.EmailTakenError,
            errors.InvalidInputError,
            errors.NotFoundError,
            errors.InvitationNotPendingError,
        ),
    )
    async def sign_up(
        self,
        info: Info,
        email: Email,
        name: Annotated[str, strawberry.argument(description="1..100 characters.")],
        password: Password,
        invitation_token: Annotated[
            str | None,
            strawberry.argument(
                description=(
                    "The secret of an invitation link to claim for the new account "
                    "(rate limited per client address)."
                )
            ),
        ] = None,
    ) -> AuthPayload:
        token, user, claimed = await accounts.sign_up(
            email=email,
            name=name,
            password=password,
            invitation_token=invitation_token,
            client_address=info.context.client_address,
            runtime=info.context.runtime,
        )
        invitation = Invitation.from_row(claimed) if claimed else None
        return AuthPayload(token=token, user=User.from_row(user), invitation=invitation)

    @strawberry.mutation(
        description="Exchange an email and password for a token. Anyone; rate limited per "
        "account and per client address.",
        graphql_type=result_union("SignInResult", AuthPayload, errors.InvalidCredentialsError),
    )
    async def sign_in(self, info: Info, email: Email, password: Password) -> AuthPayload:
        token, user = await accounts.sign_in(
            email=email,
            password=password,
            client_address=info.context.client_address,
            runtime=info.context.runtime,
        )
        return AuthPayload(token=token, user=User.from_row(user))

    @strawberry.mutation(
        description="Revoke the token used for this request (always true). Signed in."
    )
    async def sign_out(self, info: Info) -> bool:
        return await accounts.sign_out(info.context.session, runtime=info.context.runtime)
