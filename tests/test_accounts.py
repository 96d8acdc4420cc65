from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise.context import TortoiseContext

from app import models
from app.auth import Authenticator
from app.clock import ManualClock
from tests.client import GraphQLClient
from tests.documents import ME, SIGN_IN, SIGN_OUT, SIGN_UP, USERS
from tests.factories import create_user


async def sign_up(
    gql: GraphQLClient,
    email: str = "Ann@Example.com",
    name: str = "Ann",
    password: str = "correct horse",
) -> dict[str, Any]:
    result = await gql.execute(SIGN_UP, {"email": email, "name": name, "password": password})
    payload: dict[str, Any] = result.ok()["signUp"]
    return payload


async def test_sign_up_returns_a_token_and_stores_the_email_lower_case(gql: GraphQLClient) -> None:
    payload = await sign_up(gql)

    assert payload["__typename"] == "AuthPayload"
    assert payload["user"]["email"] == "ann@example.com"
    stored = await models.User.get(email="ann@example.com")
    assert stored.password_hash.startswith("$argon2id$")
    assert "correct horse" not in stored.password_hash


async def test_sign_up_token_authenticates_me(gql: GraphQLClient, auth: Authenticator) -> None:
    payload = await sign_up(gql)
    session = await auth.authenticate(f"Bearer {payload['token']}")

    result = await gql.execute(ME, as_=session)

    assert result.ok()["me"]["email"] == "ann@example.com"


async def test_sign_up_with_a_taken_email_is_email_taken(gql: GraphQLClient) -> None:
    await sign_up(gql)

    payload = await sign_up(gql, email="ANN@example.com")

    assert payload["code"] == "EMAIL_TAKEN"
    assert await models.User.all().count() == 1


@pytest.mark.parametrize(
    ("email", "name", "password", "field"),
    [
        ("not-an-email", "Ann", "password1", "email"),
        ("a@b", "Ann", "password1", "email"),
        ("ann@example.com", "   ", "password1", "name"),
        ("ann@example.com", "x" * 101, "password1", "name"),
        ("ann@example.com", "Ann", "short", "password"),
        ("ann@example.com", "Ann", "p" * 129, "password"),
    ],
)
async def test_sign_up_with_bad_input_is_invalid_input_and_writes_nothing(
    gql: GraphQLClient, email: str, name: str, password: str, field: str
) -> None:
    payload = await sign_up(gql, email=email, name=name, password=password)

    assert payload["__typename"] == "InvalidInput"
    assert payload["code"] == "INVALID_INPUT"
    assert payload["field"] == field
    assert await models.User.all().count() == 0


async def test_sign_in_with_the_right_password_returns_a_new_token(gql: GraphQLClient) -> None:
    first = await sign_up(gql)

    result = await gql.execute(SIGN_IN, {"email": "ANN@example.com", "password": "correct horse"})

    payload = result.ok()["signIn"]
    assert payload["__typename"] == "AuthPayload"
    assert payload["token"] != first["token"]


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("ann@example.com", "wrong password"),
        ("nobody@example.com", "correct horse"),
    ],
)
async def test_sign_in_failures_give_the_same_answer(
    gql: GraphQLClient, email: str, password: str
) -> None:
    await sign_up(gql)

    result = await gql.execute(SIGN_IN, {"email": email, "password": password})

    assert result.ok()["signIn"] == {
        "__typename": "InvalidCredentials",
        "code": "INVALID_CREDENTIALS",
        "message": "Wrong email or password",
    }


async def test_sign_out_revokes_the_token_used_and_only_that_one(
    gql: GraphQLClient, auth: Authenticator
) -> None:
    user = await models.User.create(email="x@example.com", name="X", password_hash="-")
    used, other = await auth.issue_token(user.id), await auth.issue_token(user.id)
    session = await auth.authenticate(f"Bearer {used}")

    assert (await gql.execute(SIGN_OUT, as_=session)).ok() == {"signOut": True}

    assert await auth.authenticate(f"Bearer {used}") is None
    assert await auth.authenticate(f"Bearer {other}") is not None


async def test_sign_out_without_a_token_is_unauthenticated(gql: GraphQLClient) -> None:
    result = await gql.execute(SIGN_OUT)

    assert result.codes == ["UNAUTHENTICATED"]


async def test_me_is_null_when_unauthenticated(gql: GraphQLClient) -> None:
    assert (await gql.execute(ME)).ok() == {"me": None}


@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Bearer garbage", "Basic abc", "Bearer " + "x" * 500]
)
async def test_garbage_tokens_authenticate_nobody(
    db: TortoiseContext, auth: Authenticator, header: str | None
) -> None:
    await create_user(auth)

    assert await auth.authenticate(header) is None


async def test_expired_token_authenticates_nobody(db: TortoiseContext, auth: Authenticator) -> None:
    user = await models.User.create(email="x@example.com", name="X", password_hash="-")
    token = await auth.issue_token(user.id)
    await models.AuthToken.filter(user=user).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )

    assert await auth.authenticate(f"Bearer {token}") is None


async def test_tokens_are_stored_hashed(db: TortoiseContext, auth: Authenticator) -> None:
    user = await models.User.create(email="x@example.com", name="X", password_hash="-")
    token = await auth.issue_token(user.id)

    row = await models.AuthToken.get(user=user)
    assert row.token_hash != token
    assert row.token_hash == auth.hash_token(token)


async def test_users_finds_people_by_name_or_email(gql: GraphQLClient, auth: Authenticator) -> None:
    me = await create_user(auth, name="Me")
    await create_user(auth, name="Bob Builder", email="bob@example.com")
    await create_user(auth, name="Alice", email="alice@builders.io")
    await create_user(auth, name="Carol", email="carol@example.com")

    result = await gql.execute(USERS, {"search": "build"}, as_=me)

    assert [u["name"] for u in result.ok()["users"]] == ["Alice", "Bob Builder"]


async def test_users_respects_first(gql: GraphQLClient, auth: Authenticator) -> None:
    me = await create_user(auth, name="Me")
    for i in range(3):
        await create_user(auth, name=f"Sam {i}")

    result = await gql.execute(USERS, {"search": "Sam", "first": 2}, as_=me)

    assert len(result.ok()["users"]) == 2


@pytest.mark.parametrize(("search", "first"), [("a", 10), ("x" * 101, 10), ("ab", 101), ("ab", -1)])
async def test_users_with_bad_arguments_is_bad_user_input(
    gql: GraphQLClient, auth: Authenticator, search: str, first: int
) -> None:
    me = await create_user(auth)

    result = await gql.execute(USERS, {"search": search, "first": first}, as_=me)

    assert result.codes == ["BAD_USER_INPUT"]


async def test_users_needs_sign_in(gql: GraphQLClient) -> None:
    result = await gql.execute(USERS, {"search": "ab"})

    assert result.codes == ["UNAUTHENTICATED"]
    assert result.data is None


async def test_a_remembered_session_still_ends_when_its_token_expires(
    db: TortoiseContext, clock: ManualClock
) -> None:
    auth = Authenticator(
        secret_key="test-secret", token_ttl=timedelta(seconds=60), cheap_hashing=True, clock=clock
    )
    user = await models.User.create(email="x@example.com", name="X", password_hash="-")
    token = await auth.issue_token(user.id)
    assert await auth.authenticate(f"Bearer {token}") is not None  # now remembered

    clock.advance(61)

    assert await auth.authenticate(f"Bearer {token}") is None
