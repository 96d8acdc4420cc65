"""Nested fields are batched: a page costs the same number of SQL statements at any size."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from app.auth import Authenticator, Session
from app.clock import ManualClock
from app.services.invitations import expiry
from app.settings import Settings
from tests.documents import AUDIT, INVITATIONS, MEMBER_HISTORY, MEMBERS, NODES, PENDING
from tests.factories import create_user
from tests.world import World


class StatementCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        words = record.getMessage().split(None, 1)
        if words and words[0].upper() in {"SELECT", "INSERT", "UPDATE", "DELETE"}:
            self.count += 1


@pytest.fixture
def statements() -> Iterator[StatementCounter]:
    logger = logging.getLogger("tortoise.db_client")
    counter, level = StatementCounter(), logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    yield counter
    logger.removeHandler(counter)
    logger.setLevel(level)


async def count_for(
    world: World, statements: StatementCounter, document: str, as_: Session, **variables: Any
) -> int:
    await world.gql.runtime.relay.drain()  # the events of the seeding are published first
    statements.count = 0
    (await world.query(document, as_=as_, **variables)).ok()
    return statements.count


async def seed(world: World, auth: Authenticator, invitees: int) -> list[Session]:
    people = [await create_user(auth) for _ in range(invitees)]
    await world.send(people)
    return people


async def test_invitations_table_costs_the_same_for_2_and_40_rows(
    world: World, auth: Authenticator, statements: StatementCounter
) -> None:
    await seed(world, auth, 40)

    small = await count_for(world, statements, INVITATIONS, world.admin, first=2)
    large = await count_for(world, statements, INVITATIONS, world.admin, first=40)

    # authorize, page, count, the caller's grants (myRole and roles share them), the
    # roles, histories, the events' invitations: 7 whatever the page size
    assert small == large == 7


async def test_pending_popup_costs_the_same_for_1_and_30_rows(
    world: World, auth: Authenticator, statements: StatementCounter
) -> None:
    ann = await create_user(auth)
    for n in range(30):
        await (await world.elsewhere(f"D{n}")).invite(ann)

    small = await count_for(world, statements, PENDING, ann, first=1)
    large = await count_for(world, statements, PENDING, ann, first=30)

    assert small == large == 2  # the page (one joined query) and its count


async def test_members_and_audit_log_cost_the_same_at_any_size(
    world: World, auth: Authenticator, statements: StatementCounter
) -> None:
    people = await seed(world, auth, 30)
    for person in people:
        invitation = (await world.query(PENDING, as_=person)).ok()["pendingInvitations"]
        await world.respond(invitation["nodes"][0]["id"], "ACCEPT", as_=person)

    assert await count_for(world, statements, MEMBERS, world.admin, first=2) == await count_for(
        world, statements, MEMBERS, world.admin, first=30
    )
    assert await count_for(world, statements, AUDIT, world.admin, first=2) == await count_for(
        world, statements, AUDIT, world.admin, first=60
    )


async def test_nodes_cost_the_same_for_2_and_40_ids_of_two_kinds(
    world: World, auth: Authenticator, statements: StatementCounter
) -> None:
    people = [await create_user(auth) for _ in range(20)]
    results = (await world.send(people))["results"]
    pairs = zip((r["id"] for r in results), (str(p.user.id) for p in people), strict=True)
    ids = [one for pair in pairs for one in pair]

    small = await count_for(world, statements, NODES, world.admin, ids=ids[:2])
    large = await count_for(world, statements, NODES, world.admin, ids=ids)

    assert small == large == 4  # which tables, the invitations, the users, the grants


async def test_member_history_costs_the_same_at_any_size(
    world: World, auth: Authenticator, statements: StatementCounter
) -> None:
    people = await seed(world, auth, 15)
    for person in people:
        invitation = (await world.query(PENDING, as_=person)).ok()["pendingInvitations"]
        await world.respond(invitation["nodes"][0]["id"], "ACCEPT", as_=person)

    small = await count_for(world, statements, MEMBER_HISTORY, world.admin, first=2)
    large = await count_for(world, statements, MEMBER_HISTORY, world.admin, first=16)

    assert small == large == 3  # authorize, the page (one joined query), its count


async def test_the_expired_filter_costs_the_same_at_any_size(
    world: World, auth: Authenticator, statements: StatementCounter, clock: ManualClock
) -> None:
    await seed(world, auth, 20)
    clock.advance(Settings().invitation_ttl_seconds + 1)
    await expiry.sweep(world.gql.runtime)
    await seed(world, auth, 20)
    clock.advance(Settings().invitation_ttl_seconds + 1)  # 20 stored EXPIRED, 20 lapsed

    small = await count_for(world, statements, INVITATIONS, world.admin, first=2, status="EXPIRED")
    large = await count_for(world, statements, INVITATIONS, world.admin, first=40, status="EXPIRED")

    assert small == large == 7  # as the unfiltered table: the two ranges are one query
