"""Memberships: the Members table of a domain, one member, joining a domain, and the
member events every membership change writes in its transaction (`record`)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from tortoise.exceptions import IntegrityError

from app import errors, models, rows, sql
from app.auth import Session
from app.ids import parse_id
from app.models import MemberEventKind as Kind
from app.permissions import Action, authorize
from app.rows import ROLE_COLUMNS, ROLE_WIDTH, USER_COLUMNS, USER_WIDTH, columns
from app.services.pagination import Keyset, Page, Paging
from app.services.webhooks import deliveries
from app.sql import Row, Sql

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
ONE = Sql(f"{MEMBERS.select} WHERE m.domain_id = ? AND m.user_id = ?")


def member(row: Row) -> Member:
    return Member(
        sql.uuid(row[0]),
        sql.moment(row[1]),
        rows.user_at(row, _U),
        rows.role_at(row, _R),
        rows.optional_user_at(row, _B),
    )


async def of_domain(caller: Session | None, *, domain_id: str, paging: Paging) -> Page[Member]:
    """A domain's members with their role and inviter, newest first."""
    domain = parse_id(domain_id, name="domainId")
    await authorize(caller, Action.MEMBER_READ, domain)
    return await MEMBERS.page(
        ("m.domain_id = ?",),
        [domain],
        paging,
        size=MEMBERS_PAGE,
        read=member,
        key=lambda item: (item.joined_at, item.id),
    )


async def one(domain_id: UUID, user_id: UUID) -> Member | None:
    """One member of a domain (for a caller already authorized there)."""
    row = await sql.fetch_one(ONE, domain_id, user_id)
    return member(row) if row else None


async def join(
    domain_id: UUID,
    user_id: UUID,
    role_id: UUID,
    at: datetime,
    *,
    invitation_id: UUID | None = None,
) -> None:
    """Make the user a member with the role, and record that they JOINED (in the
    caller's transaction, which must kick the relay after its commit)."""
    try:
        await models.Membership.create(
            domain_id=domain_id,
            user_id=user_id,
            role_id=role_id,
            joined_at=at,
            invitation_id=invitation_id,
        )
    except IntegrityError:
        raise errors.AlreadyMemberError("Already a member of this domain") from None
    await record(Kind.JOINED, domain_id, user_id, actor_id=user_id, role_id=role_id, at=at)


async def record(
    kind: Kind,
    domain_id: UUID,
    user_id: UUID,
    *,
    actor_id: UUID | None,
    role_id: UUID | None,
    at: datetime,
    previous_role_id: UUID | None = None,
) -> None:
    """Write one member event, with its webhook deliveries, in the caller's transaction;
    the relay publishes it on the domain's channel once the caller kicks it after the
    commit."""
    event = await models.MemberEvent.create(
        kind=kind,
        domain_id=domain_id,
        user_id=user_id,
        actor_id=actor_id,
        role_id=role_id,
        previous_role_id=previous_role_id,
        at=at,
    )
    await deliveries.enqueue([event])
