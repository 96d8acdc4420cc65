"""Relay: pages both ways with exact flags, cursors bound to their list, and objects by id
(`node`, `nodes`) shown only to who may see them."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLNonNull, GraphQLObjectType, get_named_type

from app.auth import Authenticator, Session
from app.graphql import nodes
from app.graphql.schema import schema
from tests.documents import (
    AUDIT,
    DELETE,
    INVITATIONS,
    MEMBERS,
    MY_INVITATIONS,
    NODE,
    NODES,
    PENDING,
)
from tests.factories import add_member, create_role, create_user
from tests.world import World

# --- pages both ways ------------------------------------------------------------------


async def pending(world: World, who: Session, **variables: Any) -> dict[str, Any]:
    page: dict[str, Any] = (await world.query(PENDING, as_=who, **variables)).ok()[
        "pendingInvitations"
    ]
    return page


def ids_of(page: dict[str, Any]) -> list[str]:
    return [node["id"] for node in page["nodes"]]


async def invited_seven_times(world: World, auth: Authenticator) -> tuple[Session, list[str]]:
    """A user with seven pending invitations, each from its own domain; newest first."""
    ann = await create_user(auth)
    ids = [await (await world.elsewhere(f"Domain {n}")).invite(ann) for n in range(7)]
    return ann, ids[::-1]


async def test_last_pages_backward_from_the_end_of_the_list(
    world: World, auth: Authenticator
) -> None:
    ann, newest_first = await invited_seven_times(world, auth)

    oldest = await pending(world, ann, last=3)
    before = await pending(world, ann, last=3, before=oldest["pageInfo"]["startCursor"])
    rest = await pending(world, ann, last=3, before=before["pageInfo"]["startCursor"])

    assert ids_of(oldest) == newest_first[4:]
    assert ids_of(before) == newest_first[1:4]
    assert ids_of(rest) == newest_first[:1]
    assert (oldest["pageInfo"]["hasPreviousPage"], oldest["pageInfo"]["hasNextPage"]) == (
        True,
        False,
    )
    assert (rest["pageInfo"]["hasPreviousPage"], rest["pageInfo"]["hasNextPage"]) == (False, True)


async def test_forward_and_backward_pages_meet_at_the_same_rows(
    world: World, auth: Authenticator
) -> None:
    ann, newest_first = await invited_seven_times(world, auth)
    first = await pending(world, ann, first=3)
    second = await pending(world, ann, first=3, after=first["pageInfo"]["endCursor"])

    back = await pending(world, ann, last=3, before=second["pageInfo"]["startCursor"])

    assert ids_of(back) == ids_of(first) == newest_first[:3]
    assert ids_of(second) == newest_first[3:6]


async def test_has_previous_page_is_exact_going_forward(world: World, auth: Authenticator) -> None:
    ann, newest_first = await invited_seven_times(world, auth)
    first = await pending(world, ann, first=2)
    cursor = first["pageInfo"]["endCursor"]
    assert first["pageInfo"]["hasPreviousPage"] is False
    assert (await pending(world, ann, first=2, after=cursor))["pageInfo"]["hasPreviousPage"]

    for invitation_id in newest_first[:2]:  # every row up to the cursor is deleted
        await world.mutate(DELETE, id=invitation_id)

    after_deletes = await pending(world, ann, first=2, after=cursor)
    assert ids_of(after_deletes) == newest_first[2:4]
    assert after_deletes["pageInfo"]["hasPreviousPage"] is False


async def test_has_next_page_is_exact_going_backward(world: World, auth: Authenticator) -> None:
    ann, newest_first = await invited_seven_times(world, auth)
    oldest = await pending(world, ann, last=2)
    cursor = oldest["pageInfo"]["startCursor"]
    assert (await pending(world, ann, last=2, before=cursor))["pageInfo"]["hasNextPage"]

    for invitation_id in newest_first[5:]:  # every row from the cursor on is deleted
        await world.mutate(DELETE, id=invitation_id)

    assert (await pending(world, ann, last=2, before=cursor))["pageInfo"]["hasNextPage"] is False


async def test_after_and_before_together_bound_the_page_on_both_sides(
    world: World, auth: Authenticator
) -> None:
    ann, newest_first = await invited_seven_times(world, auth)
    edges = (await pending(world, ann, first=7))["edges"]

    between = await pending(
        world, ann, first=7, after=edges[1]["cursor"], before=edges[5]["cursor"]
    )

    assert ids_of(between) == newest_first[2:5]


async def test_last_zero_and_last_beyond_the_list(world: World, auth: Authenticator) -> None:
    ann, newest_first = await invited_seven_times(world, auth)

    assert ids_of(await pending(world, ann, last=0)) == []
    assert ids_of(await pending(world, ann, last=100)) == newest_first


@pytest.mark.parametrize("last", [-1, 101])
async def test_last_out_of_range_is_bad_user_input(world: World, last: int) -> None:
    result = await world.query(PENDING, last=last)

    assert result.codes == ["BAD_USER_INPUT"]
    assert "last must be between 0 and 100" in result.errors[0]["message"]


async def test_every_list_pages_backward(world: World, auth: Authenticator) -> None:
    ann, bob = await create_user(auth, name="Ann"), await create_user(auth, name="Bob")
    ann_invitation = await world.invite(ann)
    await world.invite(bob)
    await world.respond(ann_invitation, "ACCEPT", as_=ann)
    await (await world.elsewhere("Elsewhere")).invite(ann)

    async def oldest(document: str, field: str, as_: Session = world.admin) -> Any:
        page = (await world.query(document, as_=as_, last=1)).ok()[field]
        return page["nodes"][0], page["pageInfo"]["hasPreviousPage"]

    invitation, more = await oldest(INVITATIONS, "invitations")
    assert (invitation["id"], more) == (ann_invitation, True)
    member, more = await oldest(MEMBERS, "members")
    assert (member["user"]["name"], more) == ("Admin", True)
    event, more = await oldest(AUDIT, "auditLog")
    assert (event["kind"], event["invitationId"], more) == ("SENT", ann_invitation, True)
    mine, more = await oldest(MY_INVITATIONS, "myInvitations", as_=ann)
    assert (mine["id"], mine["status"], more) == (ann_invitation, "ACCEPTED", True)


def test_every_connection_takes_first_after_last_and_before() -> None:
    for root in (schema._schema.query_type, *_object_types()):
        assert root is not None
        for name, field in root.fields.items():
            if get_named_type(field.type).name.endswith("Connection"):
                assert {"first", "after", "last", "before"} <= field.args.keys(), name


# --- cursors bound to their list ------------------------------------------------------


async def test_a_cursor_of_another_list_is_bad_user_input(
    world: World, auth: Authenticator
) -> None:
    ann = await create_user(auth)
    await world.invite(ann)
    await world.invite(await create_user(auth))
    table = (await world.query(INVITATIONS, first=1)).ok()["invitations"]
    cursor = table["pageInfo"]["endCursor"]

    elsewhere = await world.query(PENDING, as_=ann, after=cursor)
    other_filter = await world.query(INVITATIONS, status="REJECTED", after=cursor)
    other_domain = await (await world.elsewhere("Other")).query(INVITATIONS, before=cursor)

    for result, argument in [
        (elsewhere, "after"),
        (other_filter, "after"),
        (other_domain, "before"),
    ]:
        assert result.codes == ["BAD_USER_INPUT"]
        assert result.errors[0]["message"].startswith(f"{argument} is a cursor of another list")
    assert (await world.query(INVITATIONS, after=cursor)).ok()["invitations"]["nodes"]


# --- node and nodes -------------------------------------------------------------------

EVENT_IDS = "query Events($domainId: ID!) { auditLog(domainId: $domainId) { nodes { id } } }"


async def node(world: World, id: str, as_: Session) -> Any:
    return (await world.query(NODE, as_=as_, id=id)).ok()["node"]


async def event_id(world: World) -> str:
    """The id of the domain's newest invitation event."""
    events = await world.gql.execute(EVENT_IDS, {"domainId": str(world.domain.id)}, as_=world.admin)
    found: str = events.ok()["auditLog"]["nodes"][0]["id"]
    return found


async def test_node_refetches_each_type_for_who_may_see_it(
    world: World, auth: Authenticator
) -> None:
    ann = await create_user(auth, name="Ann")
    invitation_id = await world.invite(ann)
    role = await create_role(world.domain, "Reviewer", set())

    found = [
        await node(world, str(ann.user.id), world.admin),
        await node(world, str(world.domain.id), world.admin),
        await node(world, str(role.id), world.admin),
        await node(world, invitation_id, ann),
        await node(world, await event_id(world), world.admin),
    ]

    assert [
        (n["__typename"], n.get("name") or n.get("status") or n.get("kind")) for n in found
    ] == [
        ("User", "Ann"),
        ("Domain", world.domain.name),
        ("Role", "Reviewer"),
        ("Invitation", "PENDING"),
        ("InvitationEvent", "SENT"),
    ]
    assert found[3]["id"] == invitation_id


async def test_node_is_null_for_what_the_caller_may_not_see(
    world: World, auth: Authenticator
) -> None:
    ann, outsider, member = [await create_user(auth) for _ in range(3)]
    invitation_id = await world.invite(ann)
    event = await event_id(world)
    role = await create_role(world.domain, "Nothing", set())
    await add_member(world.domain, member, role)
    hidden = [str(world.domain.id), invitation_id, event, str(role.id)]

    assert [await node(world, i, outsider) for i in hidden] == [None] * 4
    # A member without DOMAIN_READ or INVITATION_READ sees their own role only.
    assert [await node(world, i, member) for i in hidden[:3]] == [None] * 3
    assert (await node(world, str(role.id), member))["name"] == "Nothing"
    # The invitee sees the invitation and its events, not the domain itself.
    assert (await node(world, event, ann))["kind"] == "SENT"
    assert await node(world, str(world.domain.id), ann) is None


async def test_nodes_keep_the_order_asked_with_null_where_nothing_is_visible(
    world: World, auth: Authenticator
) -> None:
    ann = await create_user(auth, name="Ann")
    invitation_id = await world.invite(ann)
    unknown = "01900000-0000-7000-8000-000000000000"
    other = await (await world.elsewhere("Theirs")).invite(await create_user(auth))
    stranger = await create_user(auth)

    result = await world.query(
        NODES, as_=stranger, ids=[invitation_id, str(ann.user.id), unknown, other]
    )

    ann_node = {"__typename": "User", "id": str(ann.user.id), "name": "Ann"}
    assert result.ok()["nodes"] == [None, ann_node, None, None]


async def test_node_asks_for_a_sign_in_and_well_formed_ids(world: World) -> None:
    anonymous = await world.gql.execute(NODE, {"id": str(world.domain.id)})
    malformed = await world.query(NODE, id="nope")
    too_many = await world.query(NODES, ids=[str(world.domain.id)] * 101)

    assert anonymous.codes == ["UNAUTHENTICATED"]
    assert malformed.codes == too_many.codes == ["BAD_USER_INPUT"]
    assert malformed.errors[0]["message"].startswith("id 'nope' is not a valid ID")
    assert "at most 100" in too_many.errors[0]["message"]


def test_every_type_with_an_id_is_a_node_that_node_can_return() -> None:
    node = schema._schema.type_map["Node"]
    node_types = {t.name for t in schema._schema.get_possible_types(node)}  # type: ignore[arg-type]
    with_id = {
        t.name
        for t in _object_types()
        if "id" in t.fields and isinstance(t.fields["id"].type, GraphQLNonNull)
    }
    converted = {convert.__self__.__name__ for convert in nodes.TYPES.values()}  # type: ignore[attr-defined]

    # Deleted* name an object that no longer exists: nothing to refetch.
    deleted = {name for name in with_id if name.startswith("Deleted")}
    assert deleted == {"DeletedInvitation", "DeletedWebhook"}
    assert with_id - deleted == node_types == converted


def _object_types() -> list[GraphQLObjectType]:
    return [
        t
        for t in schema._schema.type_map.values()
        if isinstance(t, GraphQLObjectType) and not t.name.startswith("__")
    ]
