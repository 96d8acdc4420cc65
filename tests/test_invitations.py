from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app import models
from app.auth import Authenticator, Session
from app.brokers.memory import InMemoryBroker
from app.events import EventBus
from app.permissions import Action
from tests.client import Result
from tests.documents import (
    AUDIT,
    DELETE,
    INVITATION,
    INVITATIONS,
    MEMBERS,
    MY_INVITATIONS,
    PENDING,
    RESEND,
    RESPOND,
    SEND,
)
from tests.factories import add_member, create_domain, create_role, create_user, role_named
from tests.world import World

# --- send -------------------------------------------------------------------------------


async def test_send_invites_each_user_in_input_order(world: World, auth: Authenticator) -> None:
    ann, bob = await create_user(auth, name="Ann"), await create_user(auth, name="Bob")

    payload = await world.send([bob, ann])

    results = payload["results"]
    assert [r["invitee"]["name"] for r in results] == ["Bob", "Ann"]
    for result in results:
        assert result["status"] == "PENDING"
        assert result["invitedBy"]["name"] == "Admin"
        assert result["role"]["name"] == "member"
        assert result["domain"]["name"] == "Acme"
        assert result["confirmedAt"] is None and result["rejectedAt"] is None
        assert result["resendCount"] == 0
        assert [(e["kind"], e["actor"]["id"]) for e in result["history"]] == [
            ("SENT", str(world.admin.user.id))
        ]


async def test_send_reports_each_failure_without_undoing_the_successes(
    world: World, auth: Authenticator
) -> None:
    ann, member, declined, invited = [await create_user(auth) for _ in range(4)]
    await add_member(world.domain, member)
    await world.respond(await world.invite(declined), "DECLINE", as_=declined)
    await world.invite(invited)
    unknown = "00000000-0000-7000-8000-000000000000"

    payload = await world.send([ann, unknown, member, world.admin, declined, invited])

    assert [r.get("code", r["__typename"]) for r in payload["results"]] == [
        "Invitation",
        "USER_NOT_FOUND",
        "ALREADY_MEMBER",
        "ALREADY_MEMBER",
        "INVITATION_REJECTED",
        "ALREADY_INVITED",
    ]
    assert await models.Invitation.filter(invitee_id=ann.user.id, status="PENDING").count() == 1


async def test_send_twice_leaves_the_first_invitation_unchanged(
    world: World, auth: Authenticator
) -> None:
    ann = await create_user(auth)
    first_id = await world.invite(ann)

    again = await world.send([ann], role="admin")

    assert again["results"][0]["code"] == "ALREADY_INVITED"
    rows = await models.Invitation.filter(invitee_id=ann.user.id).select_related("role")
    assert [(str(r.id), r.role.name) for r in rows] == [(first_id, "member")]


async def test_send_the_same_user_twice_in_one_batch(world: World, auth: Authenticator) -> None:
    ann = await create_user(auth)

    payload = await world.send([ann, ann])

    assert [r.get("code", r["__typename"]) for r in payload["results"]] == [
        "Invitation",
        "ALREADY_INVITED",
    ]
    assert await models.Invitation.filter(invitee_id=ann.user.id).count() == 1


async def test_send_with_a_role_of_another_domain_is_role_not_found(
    world: World, auth: Authenticator
) -> None:
    ann = await create_user(auth)
    other = await create_domain(world.admin, world.gql.runtime, name="Other")
    foreign_role = await role_named(other, "member")

    result = await world.gql.execute(
        SEND,
        {
            "domainId": str(world.domain.id),
            "inviteeIds": [str(ann.user.id)],
            "roleId": str(foreign_role.id),
        },
        as_=world.admin,
    )

    assert result.ok()["sendInvitations"]["code"] == "ROLE_NOT_FOUND"
    assert await models.Invitation.all().count() == 0


async def test_send_with_a_role_above_the_inviters_own_is_role_not_allowed(
    world: World, auth: Authenticator
) -> None:
    recruiter, ann = await create_user(auth), await create_user(auth)
    role = await create_role(
        world.domain, "recruiter", {Action.DOMAIN_READ, Action.MEMBER_READ, Action.INVITATION_SEND}
    )
    await add_member(world.domain, recruiter, role)

    as_admin = await world.send([ann], role="admin", as_=recruiter)
    as_member = await world.send([ann], role="member", as_=recruiter)

    assert as_admin["code"] == "ROLE_NOT_ALLOWED"
    assert as_member["results"][0]["status"] == "PENDING"
    assert await models.Invitation.all().count() == 1


@pytest.mark.parametrize("count", [0, 101])
async def test_send_with_too_few_or_too_many_invitees_is_bad_user_input(
    world: World, count: int
) -> None:
    role = await role_named(world.domain, "member")
    ids = [str(models.Invitation().id) for _ in range(count)]

    result = await world.gql.execute(
        SEND,
        {"domainId": str(world.domain.id), "inviteeIds": ids, "roleId": str(role.id)},
        as_=world.admin,
    )

    assert result.codes == ["BAD_USER_INPUT"]
    assert "1 to 100" in result.errors[0]["message"]


async def test_send_to_a_hundred_users_at_once(world: World, auth: Authenticator) -> None:
    invitees = [await create_user(auth) for _ in range(100)]

    payload = await world.send(invitees)

    assert [r["__typename"] for r in payload["results"]] == ["Invitation"] * 100
    assert await models.InvitationEvent.filter(kind="SENT").count() == 100


async def test_send_with_a_malformed_invitee_id_is_bad_user_input_and_writes_nothing(
    world: World, auth: Authenticator
) -> None:
    ann = await create_user(auth)

    result = await world.gql.execute(
        SEND,
        {
            "domainId": str(world.domain.id),
            "inviteeIds": [str(ann.user.id), "nope"],
            "roleId": str((await role_named(world.domain, "member")).id),
        },
        as_=world.admin,
    )

    assert result.codes == ["BAD_USER_INPUT"]
    assert "inviteeIds" in result.errors[0]["message"]
    assert await models.Invitation.all().count() == 0


async def test_send_publishes_one_event_per_invitation_after_commit(
    world: World, auth: Authenticator, bus: EventBus
) -> None:
    ann = await create_user(auth)
    async with bus.broker.subscribe(f"user:{ann.user.id}") as inbox:
        invitation_id = await world.invite(ann)
        message = await asyncio.wait_for(anext(inbox), timeout=2)

    assert (message["kind"], message["invitation_id"]) == ("SENT", invitation_id)
    assert await models.Invitation.filter(id=invitation_id).exists()
    assert "token" not in str(message).lower()


async def test_a_failing_publish_never_fails_the_mutation(
    world: World, auth: Authenticator, bus: EventBus
) -> None:
    class BrokenBroker(InMemoryBroker):
        async def publish(self, channel: str, message: dict[str, Any]) -> None:
            raise ConnectionError("broker down")

    bus.broker = BrokenBroker()
    ann = await create_user(auth)

    invitation_id = await world.invite(ann)

    assert await models.Invitation.filter(id=invitation_id, status="PENDING").exists()


# --- respond ----------------------------------------------------------------------------


async def test_accept_makes_the_invitee_a_member_with_the_invitations_role(
    world: World, auth: Authenticator
) -> None:
    ann = await create_user(auth, name="Ann")
    role = await create_role(world.domain, "viewer", {Action.DOMAIN_READ})
    invitation_id = await world.invite(ann, role="viewer")

    accepted = await world.respond(invitation_id, "ACCEPT", as_=ann)

    assert accepted["status"] == "ACCEPTED"
    assert accepted["confirmedAt"] is not None and accepted["updatedAt"] == accepted["confirmedAt"]
    assert [e["kind"] for e in accepted["history"]] == ["SENT", "ACCEPTED"]
    membership = await models.Membership.get(domain_id=world.domain.id, user_id=ann.user.id)
    assert membership.role_id == role.id
    assert str(membership.invitation_id) == invitation_id


async def test_accepted_member_appears_in_members_with_their_inviter(
    world: World, auth: Authenticator
) -> None:
    ann = await create_user(auth, name="Ann")
    await world.respond(await world.invite(ann), "ACCEPT", as_=ann)

    members = (await world.query(MEMBERS)).ok()["members"]

    assert members["totalCount"] == 2
    newest = members["nodes"][0]
    assert (newest["user"]["name"], newest["role"]["name"]) == ("Ann", "member")
    assert newest["invitedBy"]["name"] == "Admin"
    assert members["nodes"][1]["invitedBy"] is None


async def test_decline_rejects_without_membership(world: World, auth: Authenticator) -> None:
    ann = await create_user(auth)

    declined = await world.respond(await world.invite(ann), "DECLINE", as_=ann)

    assert declined["status"] == "REJECTED"
    assert declined["rejectedAt"] is not None and declined["confirmedAt"] is None
    assert not await models.Membership.filter(user_id=ann.user.id).exists()


async def test_only_the_invitee_may_answer_everyone_else_gets_not_found(
    world: World, auth: Authenticator
) -> None:
    ann, bob = await create_user(auth), await create_user(auth)
    invitation_id = await world.invite(ann)

    by_bob = await world.respond(invitation_id, "ACCEPT", as_=bob)
    by_admin = await world.respond(invitation_id, "ACCEPT", as_=world.admin)

    assert by_bob["code"] == by_admin["code"] == "NOT_FOUND"
    assert (await models.Invitation.get(id=invitation_id)).status == "PENDING"


@pytest.mark.parametrize(
    ("first", "second", "status"),
    [
        ("ACCEPT", "ACCEPT", "ACCEPTED"),
        ("ACCEPT", "DECLINE", "ACCEPTED"),
        ("DECLINE", "ACCEPT", "REJECTED"),
        ("DECLINE", "DECLINE", "REJECTED"),
    ],
)
async def test_answering_twice_is_not_pending_and_names_the_status(
    world: World, auth: Authenticator, first: str, second: str, status: str
) -> None:
    ann = await create_user(auth)
    invitation_id = await world.invite(ann)
    await world.respond(invitation_id, first, as_=ann)

    again = await world.respond(invitation_id, second, as_=ann)

    assert (again["code"], again["status"]) == ("INVITATION_NOT_PENDING", status)
    assert status in again["message"]


async def test_accept_when_already_a_member_keeps_the_invitation_pending(
    world: World, auth: Authenticator
) -> None:
    ann = await create_user(auth)
    invitation_id = await world.invite(ann)
    await add_member(world.domain, ann)

    result = await world.respond(invitation_id, "ACCEPT", as_=ann)

    assert result["code"] == "ALREADY_MEMBER"
    assert (await models.Invitation.get(id=invitation_id)).status == "PENDING"
    assert await models.InvitationEvent.filter(invitation_id=invitation_id).count() == 1


async def test_respond_with_a_malformed_id_is_bad_user_input(
    world: World, auth: Authenticator
) -> None:
    ann = await create_user(auth)

    result = await world.gql.execute(RESPOND, {"id": "42", "response": "ACCEPT"}, as_=ann)

    assert result.codes == ["BAD_USER_INPUT"]


# --- resend -----------------------------------------------------------------------------


async def test_resend_reopens_the_same_rejected_invitation(
    world: World, auth: Authenticator
) -> None:
    ann = await create_user(auth)
    invitation_id = await world.invite(ann)
    declined = await world.respond(invitation_id, "DECLINE", as_=ann)

    resent = await world.mutate(RESEND, id=invitation_id)

    assert resent["id"] == invitation_id
    assert resent["status"] == "PENDING"
    assert resent["rejectedAt"] is None and resent["resentAt"] is not None
    assert resent["resendCount"] == 1
    assert resent["createdAt"] == declined["createdAt"]
    assert [e["kind"] for e in resent["history"]] == ["SENT", "REJECTED", "RESENT"]
    pending = (await world.query(PENDING, as_=ann)).ok()["pendingInvitations"]
    assert [n["id"] for n in pending["nodes"]] == [invitation_id]


async def test_resend_notifies_the_invitee_again(
    world: World, auth: Authenticator, bus: EventBus
) -> None:
    ann = await create_user(auth)
    invitation_id = await world.invite(ann)
    await world.respond(invitation_id, "DECLINE", as_=ann)
    await world.gql.runtime.relay.drain()  # the earlier events went out before we listen

    async with bus.broker.subscribe(f"user:{ann.user.id}") as inbox:
        await world.mutate(RESEND, id=invitation_id)
        message = await asyncio.wait_for(anext(inbox), timeout=2)

    assert (message["kind"], message["invitation_id"]) == ("RESENT", invitation_id)


async def test_resend_twice_after_two_declines_counts_both(
    world: World, auth: Authenticator
) -> None:
    ann = await create_user(auth)
    invitation_id = await world.invite(ann)
    for _ in range(2):
        await world.respond(invitation_id, "DECLINE", as_=ann)
        resent = await world.mutate(RESEND, id=invitation_id)

    assert resent["resendCount"] == 2
    assert [e["kind"] for e in resent["history"]] == [
        "SENT",
        "REJECTED",
        "RESENT",
        "REJECTED",
        "RESENT",
    ]


@pytest.mark.parametrize(("answer", "status"), [(None, "PENDING"), ("ACCEPT", "ACCEPTED")])
async def test_resend_of_a_non_rejected_invitation_is_not_rejected(
    world: World, auth: Authenticator, answer: str | None, status: str
) -> None:
    ann = await create_user(auth)
    invitation_id = await world.invite(ann)
    if answer:
        await world.respond(invitation_id, answer, as_=ann)

    result = await world.mutate(RESEND, id=invitation_id)

    assert (result["code"], result["status"]) == ("INVITATION_NOT_REJECTED", status)


async def test_resend_obeys_the_role_ceiling(world: World, auth: Authenticator) -> None:
    manager, ann = await create_user(auth), await create_user(auth)
    role = await create_role(
        world.domain,
        "manager",
        {Action.DOMAIN_READ, Action.INVITATION_MANAGE, Action.INVITATION_READ},
    )
    await add_member(world.domain, manager, role)
    invitation_id = await world.invite(ann, role="admin")
    await world.respond(invitation_id, "DECLINE", as_=ann)

    result = await world.mutate(RESEND, as_=manager, id=invitation_id)

    assert result["code"] == "ROLE_NOT_ALLOWED"
    assert (await models.Invitation.get(id=invitation_id)).status == "REJECTED"


# --- delete -----------------------------------------------------------------------------


async def test_delete_removes_a_pending_invitation_from_every_list(
    world: World, auth: Authenticator
) -> None:
    ann = await create_user(auth)
    invitation_id = await world.invite(ann)

    deleted = await world.mutate(DELETE, id=invitation_id)

    assert deleted == {"__typename": "DeletedInvitation", "id": invitation_id}
    assert (await world.query(PENDING, as_=ann)).ok()["pendingInvitations"]["totalCount"] == 0
    assert (await world.query(MY_INVITATIONS, as_=ann)).ok()["myInvitations"]["nodes"] == []
    assert (await world.query(INVITATIONS)).ok()["invitations"]["totalCount"] == 0
    assert (await world.query(INVITATION, id=invitation_id)).ok()["invitation"] is None
    assert (await world.respond(invitation_id, "ACCEPT", as_=ann))["code"] == "NOT_FOUND"


async def test_delete_does_not_block_a_new_invitation(world: World, auth: Authenticator) -> None:
    ann = await create_user(auth)
    await world.mutate(DELETE, id=await world.invite(ann))

    again = await world.send([ann])

    assert again["results"][0]["status"] == "PENDING"


async def test_deletion_stays_in_the_audit_log(world: World, auth: Authenticator) -> None:
    ann = await create_user(auth)
    invitation_id = await world.invite(ann, role="admin")

    await world.mutate(DELETE, id=invitation_id)

    audit = (await world.query(AUDIT)).ok()["auditLog"]
    deletion = audit["nodes"][0]
    assert deletion["kind"] == "DELETED"
    assert deletion["invitationId"] == invitation_id
    assert deletion["actor"]["id"] == str(world.admin.user.id)
    assert deletion["invitee"]["id"] == str(ann.user.id)
    assert deletion["role"]["name"] == "admin"
    assert deletion["invitation"] is None
    assert [e["kind"] for e in audit["nodes"]] == ["DELETED", "SENT"]


@pytest.mark.parametrize(("answer", "status"), [("ACCEPT", "ACCEPTED"), ("DECLINE", "REJECTED")])
async def test_answered_invitations_cannot_be_deleted(
    world: World, auth: Authenticator, answer: str, status: str
) -> None:
    ann = await create_user(auth)
    invitation_id = await world.invite(ann)
    await world.respond(invitation_id, answer, as_=ann)

    result = await world.mutate(DELETE, id=invitation_id)

    assert (result["code"], result["status"]) == ("INVITATION_NOT_PENDING", status)
    assert await models.Invitation.filter(id=invitation_id).exists()


async def test_delete_twice_is_not_found(world: World, auth: Authenticator) -> None:
    ann = await create_user(auth)
    invitation_id = await world.invite(ann)
    await world.mutate(DELETE, id=invitation_id)

    again = await world.mutate(DELETE, id=invitation_id)

    assert again["code"] == "NOT_FOUND"


# --- lists ------------------------------------------------------------------------------


async def pending_page(
    world: World, who: Session, first: int | None = None, after: str | None = None
) -> dict[str, Any]:
    result = await world.query(PENDING, as_=who, first=first, after=after)
    page: dict[str, Any] = result.ok()["pendingInvitations"]
    return page


async def invite_from_many_domains(world: World, invitee: Session, count: int) -> list[str]:
    """`count` invitations to `invitee`, each from its own domain, oldest first."""
    return [await (await world.elsewhere(f"Domain {n}")).invite(invitee) for n in range(count)]


async def invited_from_many_domains(
    world: World, auth: Authenticator, count: int
) -> tuple[Session, list[str]]:
    """A new user with `count` invitations, each from its own domain, oldest first."""
    invitee = await create_user(auth)
    return invitee, await invite_from_many_domains(world, invitee, count)


async def test_pending_popup_shows_five_newest_and_refreshes_after_an_answer(
    world: World, auth: Authenticator
) -> None:
    ann, ids = await invited_from_many_domains(world, auth, 7)

    popup = await pending_page(world, ann)
    assert popup["totalCount"] == 7
    assert [n["id"] for n in popup["nodes"]] == ids[::-1][:5]
    assert popup["pageInfo"]["hasNextPage"] is True
    item = popup["edges"][0]["node"]
    assert (item["domain"]["name"], item["role"]["name"], item["invitedBy"]["name"]) == (
        "Domain 6",
        "member",
        "Admin",
    )

    await world.respond(ids[6], "ACCEPT", as_=ann)

    refreshed = await pending_page(world, ann)
    assert refreshed["totalCount"] == 6
    assert [n["id"] for n in refreshed["nodes"]] == ids[::-1][1:6]


async def test_view_all_pages_through_every_pending_invitation(
    world: World, auth: Authenticator
) -> None:
    ann, ids = await invited_from_many_domains(world, auth, 7)

    first = await pending_page(world, ann, first=5)
    second = await pending_page(world, ann, first=5, after=first["pageInfo"]["endCursor"])

    assert [n["id"] for n in first["nodes"] + second["nodes"]] == ids[::-1]
    assert second["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": second["edges"][0]["cursor"],
        "endCursor": second["edges"][-1]["cursor"],
    }


async def test_pages_never_repeat_or_skip_when_rows_change_between_pages(
    world: World, auth: Authenticator
) -> None:
    ann, ids = await invited_from_many_domains(world, auth, 6)
    first = await pending_page(world, ann, first=3)

    await invite_from_many_domains(world, ann, 2)  # newer rows appear
    await world.mutate(DELETE, id=ids[5])  # a row already seen disappears
    await world.respond(ids[1], "DECLINE", as_=ann)  # a row not yet seen leaves the list

    second = await pending_page(world, ann, first=3, after=first["pageInfo"]["endCursor"])
    assert [n["id"] for n in first["nodes"]] == [ids[5], ids[4], ids[3]]
    assert [n["id"] for n in second["nodes"]] == [ids[2], ids[0]]


@pytest.mark.parametrize("first", [-1, 101])
async def test_page_size_out_of_range_is_bad_user_input(world: World, first: int) -> None:
    result = await world.query(PENDING, first=first)

    assert result.codes == ["BAD_USER_INPUT"]
    assert "between 0 and 100" in result.errors[0]["message"]


@pytest.mark.parametrize("cursor", ["garbage", "", "Zm9vfGJhcg==", "MjAyNi0xMS0yMnwx"])
async def test_invalid_cursor_is_bad_user_input(world: World, cursor: str) -> None:
    result = await world.query(PENDING, after=cursor)

    assert result.codes == ["BAD_USER_INPUT"]
    assert "cursor" in result.errors[0]["message"]


async def test_first_zero_returns_only_the_count(world: World, auth: Authenticator) -> None:
    ann = await create_user(auth)
    await world.invite(ann)

    page = await pending_page(world, ann, first=0)

    assert (page["totalCount"], page["edges"], page["pageInfo"]["hasNextPage"]) == (1, [], True)


async def test_my_invitations_lists_every_status_and_filters(
    world: World, auth: Authenticator
) -> None:
    ann, ids = await invited_from_many_domains(world, auth, 3)
    await world.respond(ids[0], "ACCEPT", as_=ann)
    await world.respond(ids[1], "DECLINE", as_=ann)

    every = (await world.query(MY_INVITATIONS, as_=ann)).ok()["myInvitations"]
    rejected = (await world.query(MY_INVITATIONS, as_=ann, status="REJECTED")).ok()

    assert [(n["id"], n["status"]) for n in every["nodes"]] == [
        (ids[2], "PENDING"),
        (ids[1], "REJECTED"),
        (ids[0], "ACCEPTED"),
    ]
    assert [n["id"] for n in rejected["myInvitations"]["nodes"]] == [ids[1]]


async def test_invitations_table_filters_by_status_inviter_and_invitee(
    world: World, auth: Authenticator
) -> None:
    recruiter = await create_user(auth)
    await add_member(world.domain, recruiter, "admin")
    ann, bob, cid = [await create_user(auth) for _ in range(3)]
    await world.invite(ann)
    await world.send([bob], as_=recruiter)
    cid_invitation = await world.invite(cid)
    await world.respond(cid_invitation, "DECLINE", as_=cid)

    def ids(result: Result) -> list[str]:
        return [n["invitee"]["id"] for n in result.ok()["invitations"]["nodes"]]

    assert ids(await world.query(INVITATIONS)) == [str(s.user.id) for s in (cid, bob, ann)]
    assert ids(await world.query(INVITATIONS, status="PENDING")) == [
        str(bob.user.id),
        str(ann.user.id),
    ]
    assert ids(await world.query(INVITATIONS, invitedBy=str(recruiter.user.id))) == [
        str(bob.user.id)
    ]
    assert ids(await world.query(INVITATIONS, inviteeId=str(cid.user.id))) == [str(cid.user.id)]
    rejected = await world.query(INVITATIONS, status="REJECTED")
    assert rejected.ok()["invitations"]["totalCount"] == 1


async def test_invitations_table_pages_of_ten(world: World, auth: Authenticator) -> None:
    invitees = [await create_user(auth) for _ in range(12)]
    await world.send(invitees)

    first = (await world.query(INVITATIONS)).ok()["invitations"]
    after = first["pageInfo"]["endCursor"]
    second = (await world.query(INVITATIONS, after=after)).ok()["invitations"]

    assert (len(first["nodes"]), len(second["nodes"])) == (10, 2)
    assert first["totalCount"] == second["totalCount"] == 12
    seen = {n["id"] for n in first["nodes"]} | {n["id"] for n in second["nodes"]}
    assert len(seen) == 12


async def test_members_page_newest_first(world: World, auth: Authenticator) -> None:
    people = [await create_user(auth, name=f"P{i}") for i in range(3)]
    for person in people:
        await world.respond(await world.invite(person), "ACCEPT", as_=person)

    page = (await world.query(MEMBERS, first=2)).ok()["members"]
    rest = (await world.query(MEMBERS, first=2, after=page["pageInfo"]["endCursor"])).ok()

    names = [m["user"]["name"] for m in page["nodes"] + rest["members"]["nodes"]]
    assert names == ["P2", "P1", "P0", "Admin"]


async def test_invitation_is_visible_to_its_invitee_and_domain_readers_only(
    world: World, auth: Authenticator
) -> None:
    ann, stranger = await create_user(auth), await create_user(auth)
    invitation_id = await world.invite(ann)

    for who, visible in ((ann, True), (world.admin, True), (stranger, False)):
        result = (await world.query(INVITATION, as_=who, id=invitation_id)).ok()
        assert (result["invitation"] is not None) is visible


# --- audit ------------------------------------------------------------------------------


async def test_nothing_that_happened_is_lost_across_resend_and_delete(
    world: World, auth: Authenticator
) -> None:
    ann, bob = await create_user(auth), await create_user(auth)
    first, second = await world.every_event(ann, bob)

    audit = (await world.query(AUDIT)).ok()["auditLog"]
    accepted = (await world.query(INVITATION, id=first)).ok()["invitation"]

    assert [(e["kind"], e["invitationId"]) for e in audit["nodes"]] == [
        ("DELETED", second),
        ("SENT", second),
        ("ACCEPTED", first),
        ("RESENT", first),
        ("REJECTED", first),
        ("SENT", first),
    ]
    assert [e["kind"] for e in accepted["history"]] == ["SENT", "REJECTED", "RESENT", "ACCEPTED"]
    assert accepted["confirmedAt"] and accepted["resentAt"] and accepted["resendCount"] == 1
    assert audit["nodes"][2]["invitation"]["status"] == "ACCEPTED"


async def test_whole_flow(world: World, auth: Authenticator) -> None:
    ann, bob = await create_user(auth, name="Ann"), await create_user(auth, name="Bob")

    sent = await world.send([ann, bob])
    accepted = await world.respond(sent["results"][0]["id"], "ACCEPT", as_=ann)
    declined = await world.respond(sent["results"][1]["id"], "DECLINE", as_=bob)
    resent = await world.mutate(RESEND, id=declined["id"])
    deleted = await world.mutate(DELETE, id=declined["id"])

    assert (accepted["status"], declined["status"], resent["status"]) == (
        "ACCEPTED",
        "REJECTED",
        "PENDING",
    )
    assert deleted["id"] == declined["id"]
    members = (await world.query(MEMBERS)).ok()["members"]
    assert [m["user"]["name"] for m in members["nodes"]] == ["Ann", "Admin"]
