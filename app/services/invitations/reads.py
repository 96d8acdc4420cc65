"""Invitations and their events as read: the compiled SQL and the rows it fills.

Nothing here authorizes: the entry points in `queries` authorize first and then read
through these, and the GraphQL loaders use the batch reads (`current`, `histories`)
for invitations whose parent field was already authorized.

An invitation is read as of a moment (`now`, from the clock, bound into the SQL): a
PENDING invitation whose deadline has passed reads as EXPIRED, last updated when it
expired, in every list, filter, count and lookup, before and after the sweep stores it
(`expiry`), so the sweep changes nothing a reader can see but the history.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from app import rows, sql
from app.models import InvitationStatus as Status
from app.rows import (
    DOMAIN_COLUMNS,
    DOMAIN_WIDTH,
    ROLE_COLUMNS,
    ROLE_WIDTH,
    USER_COLUMNS,
    USER_WIDTH,
    columns,
)
from app.services.pagination import Branch, Keyset
from app.sql import Row, Sql


class Invitation(NamedTuple):
    id: UUID
    status: str
    created_at: datetime
    updated_at: datetime
    confirmed_at: datetime | None
    rejected_at: datetime | None
    resent_at: datetime | None
    resend_count: int
    expires_at: datetime
    invitee_email: str
    message: str | None
    domain: rows.Domain
    role: rows.Role
    invited_by: rows.User
    invitee: rows.User | None  # None: an e-mail invitation nobody has claimed


class Event(NamedTuple):
    id: UUID
    invitation_id: UUID
    kind: str
    at: datetime
    invitee_email: str
    position: int | None
    domain: rows.Domain
    role: rows.Role
    invitee: rows.User | None
    actor: rows.User | None


# A stored PENDING invitation past its deadline at `?` (the moment it is read at).
LAPSED = "(i.status = 'PENDING' AND i.expires_at <= ?)"
STATUS = f"CASE WHEN {LAPSED} THEN 'EXPIRED' ELSE i.status END"
_UPDATED = f"CASE WHEN {LAPSED} THEN i.expires_at ELSE i.updated_at END"

# An invitation with its domain, role and inviter; its invitee comes last, so the
# caller's own lists can leave that join out (the invitee is the caller).
_OWN_COLUMNS = (
    f"i.id, {STATUS}, i.created_at, {_UPDATED}, i.confirmed_at, i.rejected_at, "
    "i.resent_at, i.resend_count, i.expires_at, i.invitee_email, i.message, "
    f"{columns(DOMAIN_COLUMNS, 'd')}, "
    f"{columns(ROLE_COLUMNS, 'r')}, {columns(USER_COLUMNS, 'b')}"
)
_OWN_FROM = (
    "FROM invitation i JOIN domain d ON d.id = i.domain_id JOIN role r ON r.id = i.role_id "
    'JOIN "user" b ON b.id = i.invited_by_id'
)
_WITH_INVITEE = (
    f"SELECT {_OWN_COLUMNS}, {columns(USER_COLUMNS, 'e')} {_OWN_FROM} "
    'LEFT JOIN "user" e ON e.id = i.invitee_id'
)
_D, _R, _B = 11, 11 + DOMAIN_WIDTH, 11 + DOMAIN_WIDTH + ROLE_WIDTH
_E = _B + USER_WIDTH

OWN_LIST = Keyset(
    select=f"SELECT {_OWN_COLUMNS} {_OWN_FROM}",
    count_from="invitation i",
    time_column="i.created_at",
    id_column="i.id",
)
DOMAIN_LIST = Keyset(
    select=_WITH_INVITEE, count_from="invitation i", time_column="i.created_at", id_column="i.id"
)
BY_IDS = Sql(f"{_WITH_INVITEE} WHERE i.id = ANY(?)")


def as_of(now: datetime) -> tuple[datetime, ...]:
    """The parameters of the invitation columns: the moment their status is read at."""
    return (now,) * _OWN_COLUMNS.count("?")


def status_is(status: Status | None, now: datetime) -> tuple[Branch, ...]:
    """A list's filter on the status as read at `now`. PENDING leaves lapsed invitations
    out; EXPIRED is the stored EXPIRED ones and the lapsed ones, which are few (the
    sweep stores them within seconds) and read through the PENDING expiry index."""
    if status is None:
        return ()
    if status is Status.PENDING:
        # NOT (<=) rather than >: SQLite takes a range on expires_at to the expiry index
        # and sorts, where the list's own index gives the order.
        return (Branch(("i.status = 'PENDING'", "NOT (i.expires_at <= ?)"), (now,)),)
    if status is Status.EXPIRED:
        return (Branch(("i.status = 'EXPIRED'",)), Branch((LAPSED,), (now,), few=True))
    return (Branch(("i.status = ?",), (status.value,)),)


def invitation(row: Row, invitee: rows.User | None = None) -> Invitation:
    """An invitation row; `invitee` stands in for the invitee's columns when left out."""
    return Invitation(
        sql.uuid(row[0]),
        row[1],
        sql.moment(row[2]),
        sql.moment(row[3]),
        sql.optional_moment(row[4]),
        sql.optional_moment(row[5]),
        sql.optional_moment(row[6]),
        row[7],
        sql.moment(row[8]),
        row[9],
        row[10],
        rows.domain_at(row, _D),
        rows.role_at(row, _R),
        rows.user_at(row, _B),
        invitee or rows.optional_user_at(row, _E),
    )


def invitation_key(item: Invitation) -> tuple[datetime, UUID]:
    return item.created_at, item.id


async def current(invitation_ids: Sequence[UUID], now: datetime) -> list[Invitation | None]:
    """Each invitation as it is `now`, in order; None where it was deleted."""
    found = await sql.fetch(BY_IDS, *as_of(now), invitation_ids)
    by_id = {item.id: item for item in map(invitation, found)}
    return [by_id.get(i) for i in invitation_ids]


async def one(invitation_id: UUID, now: datetime) -> Invitation | None:
    return (await current([invitation_id], now))[0]


_EVENT_SELECT = (
    "SELECT v.id, v.invitation_id, v.kind, v.at, v.invitee_email, v.position, "
    f"{columns(DOMAIN_COLUMNS, 'd')}, {columns(ROLE_COLUMNS, 'r')}, "
    f"{columns(USER_COLUMNS, 'e')}, {columns(USER_COLUMNS, 'a')} "
    "FROM invitation_event v JOIN domain d ON d.id = v.domain_id "
    'JOIN role r ON r.id = v.role_id LEFT JOIN "user" e ON e.id = v.invitee_id '
    'LEFT JOIN "user" a ON a.id = v.actor_id'
)
_VD, _VR = 6, 6 + DOMAIN_WIDTH
_VE = _VR + ROLE_WIDTH
_VA = _VE + USER_WIDTH

AUDIT_LIST = Keyset(
    select=_EVENT_SELECT, count_from="invitation_event v", time_column="v.at", id_column="v.id"
)
EVENTS_BY_IDS = Sql(f"{_EVENT_SELECT} WHERE v.id = ANY(?)")
HISTORIES = Sql(f"{_EVENT_SELECT} WHERE v.invitation_id = ANY(?) ORDER BY v.at, v.id")


def event(row: Row) -> Event:
    return Event(
        sql.uuid(row[0]),
        sql.uuid(row[1]),
        row[2],
        sql.moment(row[3]),
        row[4],
        row[5],
        rows.domain_at(row, _VD),
        rows.role_at(row, _VR),
        rows.optional_user_at(row, _VE),
        rows.optional_user_at(row, _VA),
    )


def event_key(item: Event) -> tuple[datetime, UUID]:
    return item.at, item.id


async def events(event_ids: Sequence[UUID]) -> dict[UUID, Event]:
    """These events, by id (deleted invitations' events included)."""
    return {item.id: item for item in map(event, await sql.fetch(EVENTS_BY_IDS, event_ids))}


async def histories(invitation_ids: Sequence[UUID]) -> list[list[Event]]:
    """The events of each invitation, oldest first, in one query."""
    by_invitation: dict[UUID, list[Event]] = {i: [] for i in invitation_ids}
    for item in map(event, await sql.fetch(HISTORIES, invitation_ids)):
        by_invitation[item.invitation_id].append(item)
    return [by_invitation[i] for i in invitation_ids]
