"""Properties of the whole app under arbitrary input: whatever a client sends, the answer is
never a server error (HTTP 5xx, INTERNAL, a WebSocket closed with 1011).

Two generators: arbitrary bodies POSTed to /graphql, and every query and mutation taking
String or ID arguments (read from the schema, so new arguments are covered without
editing this file) called with arbitrary strings in them: control characters, NUL, lone
surrogates, huge ones, and now and then the id of a real row. Each call goes over HTTP,
and over a WebSocket, whose JSON carries the lone surrogates HTTP refuses at the door.
Runs against the ASGI app on the test database (SQLite, or PostgreSQL in the second pass),
bounded to a few hundred examples.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
    is_leaf_type,
)
from httpx_ws import WebSocketDisconnect
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import errors, models
from app.auth import Authenticator
from app.graphql.schema import schema
from app.main import create_app
from app.ratelimit import RateLimits
from app.services import invitations
from app.settings import Settings
from tests.factories import create_domain, create_user, runtime_for
from tests.test_bad_input import Caller
from tests.test_fuzz import CLIENT_CODES as FUZZ_CLIENT_CODES

PROPERTIES = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CLIENT_CODES = {*FUZZ_CLIENT_CODES, "INVALID_INPUT"}


@dataclass(frozen=True)
class Call:
    """One query or mutation field, called with every argument as a variable."""

    operation: str  # query | mutation
    field: GraphQLField
    name: str

    @property
    def document(self) -> str:
        variables = ", ".join(f"${a}: {arg.type}" for a, arg in self.field.args.items())
        arguments = ", ".join(f"{a}: ${a}" for a in self.field.args)
        return (
            f"{self.operation} Call({variables}) "
            f"{{ {self.name}({arguments}) {selection(self.field)} }}"
        )


def selection(field: GraphQLField) -> str:
    """`__typename` and the leaf fields an object type answers without arguments."""
    named = get_named_type(field.type)
    if is_leaf_type(named):
        return ""
    leaves = []
    if isinstance(named, GraphQLObjectType):
        leaves = [
            name
            for name, child in named.fields.items()
            if is_leaf_type(get_named_type(child.type)) and not child.args
        ]
    return "{ " + " ".join(["__typename", *leaves]) + " }"


def takes_text(field: GraphQLField) -> bool:
    return any(get_named_type(arg.type).name in ("String", "ID") for arg in field.args.values())


CALLS = [
    Call(operation, field, name)
    for operation, root in (
        ("query", schema._schema.query_type),
        ("mutation", schema._schema.mutation_type),
    )
    if root is not None
    for name, field in root.fields.items()
    if takes_text(field)
]

# Text a client might send by mistake or malice: any code point, surrogates included.
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=40)
SPECIAL_TEXT = st.sampled_from(
    ["", " ", "\x00", "a\x00b", "\ud800", "a\udfffb", "\ufeff", "%", "_", "\\", "x" * 70_000]
)


def values(kind: GraphQLInputType, ids: list[str]) -> st.SearchStrategy[Any]:
    """Values of an argument's type: arbitrary text for String and ID (or, for an ID, a
    real row's id), valid values for the other types."""
    if isinstance(kind, GraphQLNonNull):
        return values(kind.of_type, ids)
    if isinstance(kind, GraphQLList):
        return st.lists(values(kind.of_type, ids), max_size=3)
    if isinstance(kind, GraphQLEnumType):
        return st.sampled_from(list(kind.values))
    assert isinstance(kind, GraphQLScalarType), f"no strategy for {kind}"
    text = st.one_of(ANY_TEXT, SPECIAL_TEXT)
    return {
        "String": text,
        "ID": st.one_of(text, st.sampled_from(ids)),
        "Int": st.integers(-(2**31), 2**31 - 1),
        "Boolean": st.booleans(),
    }[kind.name]


def calls(ids: list[str]) -> st.SearchStrategy[tuple[Call, dict[str, Any]]]:
    def with_variables(call: Call) -> st.SearchStrategy[tuple[Call, dict[str, Any]]]:
        arguments = {name: values(arg.type, ids) for name, arg in call.field.args.items()}
        return st.tuples(st.just(call), st.fixed_dictionaries(arguments))

    return st.sampled_from(CALLS).flatmap(with_variables)


@dataclass
class Known(Caller):
    ids: list[str]  # of real rows: the domain, its member role, the invitee, the invitation


@pytest.fixture
async def caller(db: object, auth: Authenticator) -> Known:
    """An admin of a domain with one invitation sent; the app without rate limits (so
    that calls go as deep as they can)."""
    settings_ = Settings(
        secret_key="test-secret", password_hash_profile="cheapest", rate_limits=RateLimits.off()
    )
    admin, invitee = await create_user(auth), await create_user(auth)
    runtime = runtime_for(auth)
    domain_id = str((await create_domain(admin, runtime)).id)
    role_id = str((await models.Role.get(domain_id=domain_id, name="member")).id)
    invitee_id = str(invitee.user.id)
    [invitation] = await invitations.send(
        admin, domain_id=domain_id, invitee_ids=[invitee_id], role_id=role_id, runtime=runtime
    )
    assert not isinstance(invitation, errors.UserFacingError)
    ids = [domain_id, role_id, invitee_id, str(invitation.id)]
    return Known(create_app(settings_), await auth.issue_token(admin.user.id), domain_id, ids)


def assert_no_server_error(status: int, body: Any, sent: Any) -> None:
    assert status < 500, (sent, status, body)
    errors = body.get("errors", []) if isinstance(body, dict) else []
    for error in errors:
        code = (error.get("extensions") or {}).get("code")
        # graphql-core gives no code to a variable whose value does not fit its type.
        assert code in CLIENT_CODES or error["message"].startswith("Variable '$"), (sent, error)


def answer(response: httpx.Response) -> Any:
    is_json = response.headers.get("content-type", "").startswith("application/json")
    return response.json() if is_json else {}


async def over_websocket(caller: Caller, payload: dict[str, Any]) -> None:
    """Run one operation over a socket; no server error in what comes back, and the socket
    is never closed as by a server failure (1011)."""
    async with caller.socket() as (_, ws):
        await ws.send_text(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        try:
            while True:
                message = await ws.receive_json(timeout=10)
                if message["type"] == "next":
                    assert_no_server_error(200, message["payload"], payload)
                elif message["type"] == "error":
                    assert_no_server_error(200, {"errors": message["payload"]}, payload)
                if message["type"] in ("error", "complete"):
                    return
        except WebSocketDisconnect as closed:
            assert closed.code != 1011, (payload, closed)


@PROPERTIES
@given(data=st.data())
async def test_arbitrary_text_in_any_string_or_id_argument_is_never_a_server_error(
    caller: Known, data: st.DataObject
) -> None:
    call, variables = data.draw(calls(caller.ids), label="call")
    payload = {"query": call.document, "variables": variables}

    async with caller.http() as http:
        response = await http.post("/graphql", content=json.dumps(payload).encode())
    assert_no_server_error(response.status_code, answer(response), payload)
    await over_websocket(caller, payload)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=20,
)
OPERATIONS = st.fixed_dictionaries(
    {"query": st.one_of(ANY_TEXT, st.sampled_from([call.document for call in CALLS]))},
    optional={"variables": JSON, "operationName": JSON, "extensions": JSON},
)
BODIES = st.one_of(
    st.binary(max_size=200),
    st.one_of(JSON, OPERATIONS).map(lambda value: json.dumps(value).encode()),
)


@PROPERTIES
@given(body=BODIES)
async def test_an_arbitrary_body_is_never_a_server_error(caller: Known, body: bytes) -> None:
    async with caller.http() as http:
        response = await http.post("/graphql", content=body)

    assert_no_server_error(response.status_code, answer(response), body)
