"""Races the database must settle: conditional updates and the partial unique index."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise

from app import errors, models
from app.__main__ import migrate
from app.auth import Authenticator, Session
from app.clock import ManualClock
from app.db import tortoise_config
from app.runtime import Runtime
from app.services import invitations
from app.services.invitations import expiry
from app.settings import Settings
from tests.documents import DELETE, RESPOND, SEND
from tests.factories import add_member, create_domain, create_user
from tests.polling import wait_until
from tests.processes import ROOT
from tests.world import World

ATTEMPTS = 20


async def outcome(world: World, document: str, as_: Session, **variables: Any) -> str:
    """The __typename or error code a concurrent call ended with."""
    result = await world.gql.execute(document, variables, as_=as_)
    payload = next(iter(result.ok().values()))
    if payload["__typename"] == "SendInvitationsPayload":
        payload = payload["results"][0]
    return str(payload.get("code", payload["__typename"]))


async def answer_at_once(
    world: World, invitee: Session, invitation_id: str, responses: list[str]
) -> list[str]:
    """Send every response to one invitation concurrently; their outcomes, in order."""
    return await asyncio.gather(
        *(outcome(world, RESPOND, invitee, id=invitation_id, response=r) for r in responses)
    )


async def test_concurrent_accepts_have_exactly_one_winner(
    world: World, auth: Authenticator
) -> None:
    ann = await create_user(auth)
    invitation_id = await world.invite(ann)

    outcomes = await answer_at_once(world, ann, invitation_id, ["ACCEPT"] * ATTEMPTS)

    assert sorted(outcomes) == ["INVITATION_NOT_PENDING"] * (ATTEMPTS - 1) + ["Invitation"]
    assert await models.Membership.filter(user_id=ann.user.id).count() == 1
    assert (
        await models.InvitationEvent.filter(invitation_id=invitation_id, kind="ACCEPTED").count()
        == 1
    )


async def test_concurrent_accept_and_decline_have_exactly_one_winner(
    world: World, auth: Authenticator
) -> None:
    ann = await create_user(auth)
    invitation_id = await world.invite(ann)

    outcomes = await answer_at_once(
        world, ann, invitation_id, ["ACCEPT", "DECLINE"] * (ATTEMPTS // 2)
    )

    assert outcomes.count("Invitation") == 1
    invitation = await models.Invitation.get(id=invitation_id)
    members = await models.Membership.filter(user_id=ann.user.id).count()
    assert members == (1 if invitation.status == "ACCEPTED" else 0)


async def test_concurrent_sends_to_one_invitee_leave_one_pending(
    world: World, auth: Authenticator
) -> None:
    ann = await create_user(auth)
    role = str((await models.Role.get(domain_id=world.domain.id, name="member")).id)
    variables = {"domainId": str(world.domain.id), "inviteeIds": [str(ann.user.id)], "roleId": role}

    outcomes = await asyncio.gather(
        *(outcome(world, SEND, world.admin, **variables) for _ in range(ATTEMPTS))
    )

    assert sorted(outcomes) == ["ALREADY_INVITED"] * (ATTEMPTS - 1) + ["Invitation"]
    assert await models.Invitation.filter(invitee_id=ann.user.id, status="PENDING").count() == 1
    assert await models.InvitationEvent.filter(invitee_id=ann.user.id).count() == 1


@pytest.mark.parametrize("round_", range(5))
async def test_accept_racing_delete_ends_with_one_consistent_winner(
    world: World, auth: Authenticator, round_: int
) -> None:
    ann = await create_user(auth)
    invitation_id = await world.invite(ann)
    accepting = outcome(world, RESPOND, ann, id=invitation_id, response="ACCEPT")
    deleting = outcome(world, DELETE, world.admin, id=invitation_id)

    if round_ % 2:  # start either one first
        delete, accept = await asyncio.gather(deleting, accepting)
    else:
        accept, delete = await asyncio.gather(accepting, deleting)

    row = await models.Invitation.get_or_none(id=invitation_id)
    members = await models.Membership.filter(user_id=ann.user.id).count()
    if accept == "Invitation":
        assert delete == "INVITATION_NOT_PENDING"
        assert row is not None and row.status == "ACCEPTED" and members == 1
    else:
        assert (accept, delete) == ("NOT_FOUND", "DeletedInvitation")
        assert row is None and members == 0


def race(database_url: str, contenders: list[tuple[str, str, str]], tmp_path: Path) -> list[str]:
    """Run each (action, actor's email, target) in its own process on its own connection
    (tests/race_worker.py), all released at once when every one has reported ready;
    return their outcomes in order."""
    start = tmp_path / "start"
    start.unlink(missing_ok=True)
    ready = [tmp_path / f"ready-{n}" for n in range(len(contenders))]
    for ready_file in ready:
        ready_file.unlink(missing_ok=True)
    worker = [sys.executable, "-m", "tests.race_worker"]
    processes = [
        subprocess.Popen(
            [*worker, database_url, action, email, target, str(ready_file), str(start)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for (action, email, target), ready_file in zip(contenders, ready, strict=True)
    ]
    try:
        wait_until(lambda: all(f.exists() for f in ready), timeout=60, what="contenders ready")
    finally:
        start.touch()
    outputs = [p.communicate(timeout=60)[0].strip().splitlines() for p in processes]
    return [lines[-1] if lines else "CRASHED" for lines in outputs]


@pytest.fixture
async def shared_database(server_database_url: str) -> AsyncIterator[str]:
    """A migrated database that several processes open at once: a SQLite file, or a
    fresh PostgreSQL database when the suite runs on PostgreSQL."""
    url = server_database_url
    await migrate(Settings(database_url=url))
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)
    try:
        yield url
    finally:
        await Tortoise.close_connections()


async def seed_invitation(runtime: Runtime) -> tuple[Session, Session, str]:
    admin, ann = await create_user(runtime.auth), await create_user(runtime.auth)
    domain = await create_domain(admin, runtime)
    role = await models.Role.get(domain_id=domain.id, name="member")
    [invitation] = await invitations.send(
        admin,
        domain_id=str(domain.id),
        invitee_ids=[str(ann.user.id)],
        role_id=str(role.id),
        runtime=runtime,
    )
    assert not isinstance(invitation, errors.UserFacingError)
    return admin, ann, str(invitation.id)


async def test_accepts_from_separate_processes_have_exactly_one_winner(
    shared_database: str, runtime: Runtime, tmp_path: Path
) -> None:
    _, ann, invitation_id = await seed_invitation(runtime)

    contenders = [("accept", ann.user.email, invitation_id)] * 8

    outcomes = await asyncio.to_thread(race, shared_database, contenders, tmp_path)

    assert sorted(outcomes) == ["INVITATION_NOT_PENDING"] * 7 + ["OK"]
    assert await models.Membership.filter(user_id=ann.user.id).count() == 1


async def test_accept_and_delete_from_separate_processes_agree(
    shared_database: str, runtime: Runtime, tmp_path: Path
) -> None:
    admin, ann, invitation_id = await seed_invitation(runtime)
    accepting = ("accept", ann.user.email, invitation_id)
    contenders = [accepting, ("delete", admin.user.email, invitation_id)] * 3

    outcomes = await asyncio.to_thread(race, shared_database, contenders, tmp_path)

    assert outcomes.count("OK") == 1
    row = await models.Invitation.get_or_none(id=invitation_id)
    members = await models.Membership.filter(user_id=ann.user.id).count()
    assert (row is None and members == 0) or (
        row is not None and row.status == "ACCEPTED" and members == 1
    )


async def test_removals_of_the_last_two_admins_from_separate_processes_leave_one(
    shared_database: str, runtime: Runtime, tmp_path: Path
) -> None:
    for _ in range(2):
        ada, bob = await create_user(runtime.auth), await create_user(runtime.auth)
        domain = await create_domain(ada, runtime)
        await add_member(domain, bob, "admin")
        contenders = [
            ("remove", ada.user.email, f"{domain.id}/{bob.user.id}"),
            ("remove", bob.user.email, f"{domain.id}/{ada.user.id}"),
        ]

        outcomes = await asyncio.to_thread(race, shared_database, contenders, tmp_path)

        assert outcomes.count("OK") == 1, outcomes
        assert set(outcomes) <= {"OK", "LAST_ADMIN", "NOT_FOUND"}
        assert await models.Membership.filter(domain_id=domain.id).count() == 1


async def test_admins_leaving_from_separate_processes_leave_one(
    shared_database: str, runtime: Runtime, tmp_path: Path
) -> None:
    admins = [await create_user(runtime.auth) for _ in range(4)]
    domain = await create_domain(admins[0], runtime)
    for admin in admins[1:]:
        await add_member(domain, admin, "admin")

    contenders = [("leave", a.user.email, str(domain.id)) for a in admins]
    outcomes = await asyncio.to_thread(race, shared_database, contenders, tmp_path)

    assert sorted(outcomes) == ["LAST_ADMIN", "OK", "OK", "OK"]
    assert await models.Membership.filter(domain_id=domain.id).count() == 1


async def test_sweeps_from_separate_processes_record_each_expiry_once(
    shared_database: str, runtime: Runtime, clock: ManualClock, tmp_path: Path
) -> None:
    admin = await create_user(runtime.auth)
    domain = await create_domain(admin, runtime)
    role = await models.Role.get(domain_id=domain.id, name="member")
    users = [
        models.User(email=f"expiring{n}@example.com", name=f"E{n}", password_hash="-")
        for n in range(3 * expiry.BATCH // 2)
    ]
    await models.User.bulk_create(users)
    clock.advance(timedelta(days=-8))  # sent 8 days ago: lapsed a day ago
    for n in range(0, len(users), 100):
        await invitations.send(
            admin,
            domain_id=str(domain.id),
            invitee_ids=[str(u.id) for u in users[n : n + 100]],
            role_id=str(role.id),
            runtime=runtime,
        )

    contenders = [("sweep", admin.user.email, "-")] * 4
    outcomes = await asyncio.to_thread(race, shared_database, contenders, tmp_path)

    assert sum(map(int, outcomes)) == len(users), outcomes
    assert await models.InvitationEvent.filter(kind="EXPIRED").count() == len(users)
    assert await models.Invitation.filter(status="EXPIRED").count() == len(users)
