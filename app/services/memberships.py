"""Memberships: the Members table of a domain."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from app import rows, sql
from app.auth import Session
from app.ids import parse_id
from app.permissions import Action, authorize
from app.rows import ROLE_COLUMNS, ROLE_WIDTH, USER_COLUMNS, USER_WIDTH, columns
from app.services.pagination import Keyset, Page, check_first
from app.sql import Row

MEMBERS_PAGE = 20


class Member(NamedTuple):
    id: UUID
    joined_at: datetime
    user: rows.User
    role: rows.Role
    invited_by: rows.User | None


MEMBERS = Keyset(
    select=(
        f"SELECT m.id, m.joined_at, {columns(USER_COLUMNS, 'u')}, {columns(ROLE_COLUMNS, 'r')}, "
        f"{columns(USER_COLUMNS, 'b')} FROM membership m "
        'JOIN "user" u ON u.id = m.user_id JOIN role r ON r.id = m.role_id '
        "LEFT JOIN invitation iv ON iv.id = m.invitation_id "
        'LEFT JOIN "user" b ON b.id = iv.invited_by_id'
    ),
    count_from="membership m",
    time_column="m.joined_at",
    id_column="m.id",
)
_U, _R = 2, 2 + USER_WIDTH
_B = _R + ROLE_WIDTH


def member(row: Row) -> Member:
    return Member(
        sql.uuid(row[0]),
        sql.moment(row[1]),
        rows.user_at(row, _U),
        rows.role_at(row, _R),
        rows.optional_user_at(row, _B),
    )


async def of_domain(
    caller: Session | None,
    *,
    domain_id: str,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> Page[Member]:
    """A domain's members with their role and inviter, newest first."""
    domain = parse_id(domain_id, name="domainId")
    await authorize(caller, Action.MEMBER_READ, domain)
    return await MEMBERS.page(
        ("m.domain_id = ?",),
        [domain],
        first=check_first(first, MEMBERS_PAGE),
        after=after,
        last=last,
        before=before,
        read=member,
        key=lambda item: (item.joined_at, item.id),
    )
