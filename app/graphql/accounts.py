"""Account fields: signUp, signIn, signOut, me, and the people finder."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app import errors
from app.graphql.context import Info
from app.graphql.errors import result_union
from app.graphql.types import AuthPayload, User
from app.services import accounts
from app.services.pagination import MAX_PAGE_SIZE

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

    @strawberry.field(
        description="People whose name or email contains `search` (the Send dialog's people "
        "finder). Any signed-in user."
    )
    async def users(
        self,
        info: Info,
        search: Annotated[
            str, strawberry.argument(description="2..100 characters, matched case-insensitively.")
        ],
        first: Annotated[
            int | None, strawberry.argument(description=f"How many, 0..{MAX_PAGE_SIZE}.")
        ] = accounts.USERS_PAGE,
    ) -> list[User]:
        found = await accounts.find_users(info.context.session, search=search, first=first)
        return [User.from_row(u) for u in found]


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Create an account and sign it in. Anyone.",
        graphql_type=result_union(
            "SignUpResult", AuthPayload, errors.EmailTakenError, errors.InvalidInputError
        ),
    )
    async def sign_up(
        self,
        info: Info,
        email: Email,
        name: Annotated[str, strawberry.argument(description="1..100 characters.")],
        password: Password,
    ) -> AuthPayload:
        token, user = await accounts.sign_up(
            email=email, name=name, password=password, runtime=info.context.runtime
        )
        return AuthPayload(token=token, user=User.from_row(user))

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
