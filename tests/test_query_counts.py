"""Nested fields are batched: a page costs the same number of SQL statements at any size."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.factories import create_domain, create_user
from tests.world import World

TABLE = """query Table($domainId: ID!, $first: Int) {
  invitations(domainId: $domainId, first: $first) {
    totalCount
    nodes {
      id status domain { id name myRole { name } roles { name } }
      role { name actions } invitee { name email } invitedBy { name }
      history { kind actor { name } invitation { id status } }
    }
  }
}"""
POPUP = """query Popup($first: Int) {
  pendingInvitations(first: $first) {
    totalCount nodes { id domain { name } role { name } invitedBy { name } createdAt }
  }
}"""
MEMBERS = """query Members($domainId: ID!, $first: Int) {
  members(domainId: $domainId, first: $first) {
    totalCount nodes { user { name } role { name } invitedBy { name } joinedAt }
  }
}"""
AUDIT = """query Audit($domainId: ID!, $first: Int) {
  auditLog(domainId: $domainId, first: $first) {
    nodes { kind actor { name } invitee { name } role { name } invitation { id } }
  }
}"""


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
    world: World, statements: StatementCounter, document: str, as_, **variables
) -> int:
    statements.count = 0
    (await world.query(document, as_=as_, **variables)).ok()
    return statements.count


async def seed(world: World, auth, invitees: int) -> list:
    people = [await create_user(auth) for _ in range(invitees)]
    await world.send(people)
    return people


async def test_invitations_table_costs_the_same_for_2_and_40_rows(world, auth, statements) -> None:
    await seed(world, auth, 40)

    small = await count_for(world, statements, TABLE, world.admin, first=2)
    large = await count_for(world, statements, TABLE, world.admin, first=40)

    # authorize, page, count, the caller's grants (myRole and roles share them), the
    # roles, histories, the events' invitations: 7 whatever the page size
    assert small == large == 7


async def test_pending_popup_costs_the_same_for_1_and_30_rows(world, auth, statements) -> None:
    ann = await create_user(auth)
    for n in range(30):
        domain = await create_domain(world.admin, world.gql.runtime, name=f"D{n}")
        await World(world.gql, world.admin, domain).invite(ann)

    small = await count_for(world, statements, POPUP, ann, first=1)
    large = await count_for(world, statements, POPUP, ann, first=30)

    assert small == large == 2  # the page (one joined query) and its count


async def test_members_and_audit_log_cost_the_same_at_any_size(world, auth, statements) -> None:
    people = await seed(world, auth, 30)
    for person in people:
        invitation = (await world.query(POPUP, as_=person)).ok()["pendingInvitations"]
        await world.respond(invitation["nodes"][0]["id"], "ACCEPT", as_=person)

    assert await count_for(world, statements, MEMBERS, world.admin, first=2) == await count_for(
        world, statements, MEMBERS, world.admin, first=30
    )
    assert await count_for(world, statements, AUDIT, world.admin, first=2) == await count_for(
        world, statements, AUDIT, world.admin, first=60
    )
