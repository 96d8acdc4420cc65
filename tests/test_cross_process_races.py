"""Reads and changes racing deletes across processes: each contender is a process of its
own (`tests.race_contender`) going through the schema on the shared database, all released
together. Every outcome is what committed or a typed error, never INTERNAL, and the
database's invariants hold afterwards. Runs on a SQLite file, or on PostgreSQL in the
suite's second pass."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

from app import errors, models
from app.auth import Session
from app.models import InvitationEventKind as Kind
from app.models import InvitationStatus as Status
from app.runtime import Runtime
from app.services import invitations
from tests.factories import create_domain, create_user
from tests.polling import wait_until
from tests.processes import ROOT
from tests.test_concurrency import shared_database

__all__ = ["shared_database"]  # the fixture, used by name
COUNT = 15  # invitations raced in each test
BATCH = 60  # invitations of the one batch deleted as it commits
Outcomes = dict[str, list[str]]  # invitation id -> what one contender got, in order


def race(url: str, contenders: list[tuple[str, list[str]]], tmp_path: Path) -> list[Outcomes]:
    """Run each (action, ["email/invitation id", ...]) in a process of its own, released
    together once all are ready; what each got, per invitation."""
    start = tmp_path / "start"
    ready = [tmp_path / f"ready-{n}" for n in range(len(contenders))]
    worker = [sys.executable, "-m", "tests.race_contender", url]
    processes = [
        subprocess.Popen(
            [*worker, action, str(flag), str(start), *items],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for (action, items), flag in zip(contenders, ready, strict=True)
    ]
    try:
        try:
            wait_until(lambda: all(f.exists() for f in ready), timeout=60, what="all ready")
        finally:
            start.touch()
        return [outcomes(process) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.communicate()


def outcomes(process: subprocess.Popen[str]) -> Outcomes:
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 0, output
    got: Outcomes = defaultdict(list)
    for line in output.splitlines():
        invitation_id, said = line.split()
        got[invitation_id].append(said)
    return got


async def seed(runtime: Runtime, *, rejected: bool = False) -> tuple[Session, dict[str, Session]]:
    """An admin, and COUNT invitations to COUNT invitees (declined when `rejected`)."""
    admin = await create_user(runtime.auth)
    domain = await create_domain(admin, runtime)
    role = await models.Role.get(domain_id=domain.id, name="member")
    invitees = [await create_user(runtime.auth) for _ in range(COUNT)]
    sent = await invitations.send(
        admin,
        domain_id=str(domain.id),
        invitee_ids=[str(i.user.id) for i in invitees],
        role_id=str(role.id),
        runtime=runtime,
    )
    by_id = {}
    for invitation, invitee in zip(sent, invitees, strict=True):
        assert not isinstance(invitation, errors.UserFacingError)
        by_id[str(invitation.id)] = invitee
        if rejected:
            await invitations.respond(
                invitee, invitation_id=str(invitation.id), accept=False, runtime=runtime
            )
    return admin, by_id


def items(session_for: dict[str, Session]) -> list[str]:
    return [f"{session.user.email}/{invitation}" for invitation, session in session_for.items()]


async def kinds(invitation_id: str) -> Counter[str]:
    events = await models.InvitationEvent.filter(invitation_id=invitation_id)
    return Counter(str(event.kind) for event in events)


async def test_reads_racing_deletes_see_the_invitation_or_null(
    shared_database: str, runtime: Runtime, tmp_path: Path
) -> None:
    admin, invitees = await seed(runtime)
    reading = items(dict.fromkeys(invitees, admin))
    # The deleter goes the other way: the two meet halfway, on a live invitation.
    contenders = [("read", reading), ("read", reading), ("delete", reading[::-1])]

    *readers, deleter = await asyncio.to_thread(race, shared_database, contenders, tmp_path)

    for got in readers:
        for seen in got.values():
            assert set(seen) <= {"Invitation", "null"}, seen
            gone = seen.index("null") if "null" in seen else len(seen)
            assert set(seen[gone:]) <= {"null"}, seen  # once gone, it stays gone
    assert all(said == ["DeletedInvitation"] for said in deleter.values()), deleter
    assert not await models.Invitation.filter(id__in=list(invitees)).exists()
    for invitation_id in invitees:
        assert await kinds(invitation_id) == {Kind.SENT: 1, Kind.DELETED: 1}


async def test_resends_racing_deletes_end_committed_or_typed(
    shared_database: str, runtime: Runtime, tmp_path: Path
) -> None:
    admin, invitees = await seed(runtime, rejected=True)
    as_admin = items(dict.fromkeys(invitees, admin))
    # The deleter tries each invitation until the resend made it PENDING, and strikes then.
    contenders = [("resend", as_admin), ("delete-eventually", as_admin)]

    resender, deleter = await asyncio.to_thread(race, shared_database, contenders, tmp_path)

    for invitation_id in invitees:
        resent, deleted = resender[invitation_id], deleter[invitation_id]
        assert resent == ["Invitation"], resent  # it was REJECTED: nothing else could win
        assert set(deleted) <= {"INVITATION_NOT_PENDING", "DeletedInvitation"}, deleted
        row = await models.Invitation.get_or_none(id=invitation_id)
        expected = {Kind.SENT: 1, Kind.REJECTED: 1, Kind.RESENT: 1}
        if deleted[-1] == "DeletedInvitation":
            assert row is None
            expected[Kind.DELETED] = 1
        else:
            assert row is not None and row.status == Status.PENDING
        assert await kinds(invitation_id) == expected


async def test_answers_racing_deletes_have_one_winner_each(
    shared_database: str, runtime: Runtime, tmp_path: Path
) -> None:
    admin, invitees = await seed(runtime)
    contenders = [("accept", items(invitees)), ("delete", items(dict.fromkeys(invitees, admin)))]

    accepter, deleter = await asyncio.to_thread(race, shared_database, contenders, tmp_path)

    for invitation_id in invitees:
        [accepted], [deleted] = accepter[invitation_id], deleter[invitation_id]
        row = await models.Invitation.get_or_none(id=invitation_id)
        members = await models.Membership.filter(invitation_id=invitation_id).count()
        if accepted == "Invitation":
            assert deleted == "INVITATION_NOT_PENDING"
            assert row is not None and row.status == Status.ACCEPTED and members == 1
            assert await kinds(invitation_id) == {Kind.SENT: 1, Kind.ACCEPTED: 1}
        else:
            assert (accepted, deleted) == ("NOT_FOUND", "DeletedInvitation")
            assert row is None and members == 0
            assert await kinds(invitation_id) == {Kind.SENT: 1, Kind.DELETED: 1}


async def test_a_batch_deleted_as_it_commits_answers_what_it_committed(
    shared_database: str, runtime: Runtime, tmp_path: Path
) -> None:
    admin = await create_user(runtime.auth)
    domain = await create_domain(admin, runtime)
    role = await models.Role.get(domain_id=domain.id, name="member")
    invitees = ",".join([str((await create_user(runtime.auth)).user.id) for _ in range(BATCH)])
    email = admin.user.email
    contenders = [
        ("send", [f"{email}/{domain.id}:{role.id}:{invitees}"]),
        ("delete-as-sent", [f"{email}/{domain.id}:{BATCH}"]),
    ]

    sender, deleter = await asyncio.to_thread(race, shared_database, contenders, tmp_path)

    # Every invitation of the batch was committed and answered as such, though each was
    # deleted by the other process as soon as it could be seen.
    assert sorted(said for seen in sender.values() for said in seen) == ["Invitation"] * BATCH
    assert set(sender) == {i for i, seen in deleter.items() if "DeletedInvitation" in seen}
    assert all(set(seen) <= {"DeletedInvitation", "NOT_FOUND"} for seen in deleter.values())
    for invitation_id in sender:
        assert await kinds(invitation_id) == {Kind.SENT: 1, Kind.DELETED: 1}
