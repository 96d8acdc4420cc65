"""Account fields: signUp, signIn, signOut, me."""

from __future__ import annotations

import strawberry

from app import errors
from app.graphql.context import Info
from app.graphql.errors import result_union
from app.graphql.types import AuthPayload, User
from app.services import accounts


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in user; null when unauthenticated.")
    def me(self, info: Info) -> User | None:
        session = info.context.session
        return User.from_row(session.user) if session else None


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Create an account; returns a token for it.",
        graphql_type=result_union(
            "SignUpResult", AuthPayload, errors.EmailTakenError, errors.InvalidInputError
        ),
    )
    async def sign_up(self, info: Info, email: str, name: str, password: str) -> AuthPayload:
        token, user = await accounts.sign_up(
            email=email, name=name, password=password, runtime=info.context.runtime
        )
        return AuthPayload(token=token, user=User.from_row(user))

    @strawberry.mutation(
        description="Exchange an email and password for a token.",
        graphql_type=result_union("SignInResult", AuthPayload, errors.InvalidCredentialsError),
    )
    async def sign_in(self, info: Info, email: str, password: str) -> AuthPayload:
        token, user = await accounts.sign_in(
            email=email,
            password=password,
            client_address=info.context.client_address,
            runtime=info.context.runtime,
        )
        return AuthPayload(token=token, user=User.from_row(user))

    @strawberry.mutation(description="Revoke the token used for this request.")
    async def sign_out(self, info: Info) -> bool:
        return await accounts.sign_out(info.context.session, runtime=info.context.runtime)
