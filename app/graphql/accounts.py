"""Account fields: signUp, signIn, signOut, me, and the people finder."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.graphql.context import Info
from app.graphql.errors import EmailTaken, InvalidCredentials, InvalidInput
from app.graphql.types import AuthPayload, User
from app.services import accounts

SignUpResult = Annotated[AuthPayload | EmailTaken | InvalidInput, strawberry.union("SignUpResult")]
SignInResult = Annotated[AuthPayload | InvalidCredentials, strawberry.union("SignInResult")]


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in user; null when unauthenticated.")
    def me(self, info: Info) -> User | None:
        user = info.context.user
        return User.from_model(user) if user else None

    @strawberry.field(description="People whose name or email contains `search`.")
    async def users(self, info: Info, search: str, first: int | None = 10) -> list[User]:
        found = await accounts.find_users(info.context.user, search=search, first=first)
        return [User.from_model(u) for u in found]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create an account; returns a token for it.")
    async def sign_up(self, info: Info, email: str, name: str, password: str) -> SignUpResult:
        token, user = await accounts.sign_up(
            email=email, name=name, password=password, auth=info.context.auth
        )
        return AuthPayload(token=token, user=User.from_model(user))

    @strawberry.mutation(description="Exchange an email and password for a token.")
    async def sign_in(self, info: Info, email: str, password: str) -> SignInResult:
        token, user = await accounts.sign_in(
            email=email,
            password=password,
            auth=info.context.auth,
            limiter=info.context.limiter,
            client_address=info.context.client_address,
        )
        return AuthPayload(token=token, user=User.from_model(user))

    @strawberry.mutation(description="Revoke the token used for this request.")
    async def sign_out(self, info: Info) -> bool:
        return await accounts.sign_out(info.context.session, auth=info.context.auth)
