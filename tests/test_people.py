"""The people finder for one domain: members and invited people are marked, and the
total says when there are more than shown."""

from __future__ import annotations

from typing import Any

import pytest

from app.auth import Authenticator
from app.clock import ManualClock
from app.settings import Settings
from tests.documents import INVITE_CANDIDATES
from tests.factories import add_member, create_user
from tests.world import World


async def candidates(world: World, search: str, **variables: Any) -> dict[str, Any]:
    result = await world.query(INVITE_CANDIDATES, search=search, **variables)
    found: dict[str, Any] = result.ok()["inviteCandidates"]
    return found


async def test_members_and_pending_invitees_are_marked(world: World, auth: Authenticator) -> None:
    member = await create_user(auth, name="Sam Member")
    invited = await create_user(auth, name="Sam Invited")
    await create_user(auth, name="Sam Nobody")
    await add_member(world.domain, member)
    invitation = await world.invite(invited)

    found = await candidates(world, "sam")

    marks = {n["user"]["name"]: (n["isMember"], n["pendingInvitationId"]) for n in found["nodes"]}
    assert marks == {
        "Sam Invited": (False, invitation),
        "Sam Member": (True, None),
        "Sam Nobody": (False, None),
    }


async def test_an_expired_invitation_no_longer_marks_its_invitee(
    world: World, auth: Authenticator, clock: ManualClock
) -> None:
    await world.invite(await create_user(auth, name="Sam Late"))
    clock.advance(Settings().invitation_ttl_seconds + 1)

    [late] = (await candidates(world, "sam late"))["nodes"]

    assert late["pendingInvitationId"] is None


async def test_the_total_counts_everyone_matching_beyond_the_page(
    world: World, auth: Authenticator
) -> None:
    for n in range(12):
        await create_user(auth, name=f"Sam {n:02}")

    found = await candidates(world, "sam", first=10)

    assert (len(found["nodes"]), found["totalCount"]) == (10, 12)


async def test_candidates_need_invitation_send_in_the_domain(
    world: World, auth: Authenticator
) -> None:
    member, stranger = await create_user(auth), await create_user(auth)
    await add_member(world.domain, member)

    as_member = await world.query(INVITE_CANDIDATES, as_=member, search="sam")
    as_stranger = await world.query(INVITE_CANDIDATES, as_=stranger, search="sam")

    assert as_member.codes == ["FORBIDDEN"]
    assert as_stranger.codes == ["NOT_FOUND"]


@pytest.mark.parametrize("search", ["s", " s ", "x" * 101])
async def test_a_search_outside_2_to_100_characters_is_bad_user_input(
    world: World, search: str
) -> None:
    result = await world.query(INVITE_CANDIDATES, search=search)

    assert result.codes == ["BAD_USER_INPUT"]
