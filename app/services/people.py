"""The people finder of the Send Invitation dialog: users whose name or e-mail contains a
search term, and, for one domain, which of them are members or already invited there."""

from __future__ import annotations

from typing import NamedTuple
from uuid import UUID

from app import errors, rows, sql
from app.auth import Session
from app.ids import parse_id
from app.permissions import Action, authorize, signed_in
from app.rows import USER_COLUMNS, USER_WIDTH, columns
from app.runtime import Runtime
from app.services.pagination import check_first
from app.services.validation import check_text

USERS_PAGE = 10

_MATCH = "(LOWER(u.name) LIKE ? ESCAPE '\\' OR u.email LIKE ? ESCAPE '\\')"
_ORDER = "ORDER BY u.name, u.id LIMIT ?"
SEARCH = sql.Sql(f'SELECT {columns(USER_COLUMNS, "u")} FROM "user" u WHERE {_MATCH} {_ORDER}')
COUNT = sql.Sql(f'SELECT COUNT(*) FROM "user" u WHERE {_MATCH}')
CANDIDATES = sql.Sql(
    f'SELECT {columns(USER_COLUMNS, "u")}, m.id, i.id FROM "user" u '
    "LEFT JOIN membership m ON m.domain_id = ? AND m.user_id = u.id "
    "LEFT JOIN invitation i ON i.domain_id = ? AND i.invitee_id = u.id "
    "AND i.status = 'PENDING' AND i.expires_at > ? "
    f"WHERE {_MATCH} {_ORDER}"
)


class Candidate(NamedTuple):
    user: rows.User
    is_member: bool
    pending_invitation_id: UUID | None


class Candidates(NamedTuple):
    items: list[Candidate]
    total_count: int  # every user matching the search, not only those shown


def _pattern(search: str) -> str:
    """A LIKE pattern matching the term anywhere, its wildcards taken literally; the term
    must be 2 to 100 characters."""
    term = check_text(search, field="search").strip()
    if not 2 <= len(term) <= 100:
        raise errors.BadUserInputError("search must be 2 to 100 characters long")
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def find_users(caller: Session | None, *, search: str, first: int | None) -> list[rows.User]:
    """Users whose name or email contains `search`."""
    signed_in(caller)
    pattern, limit = _pattern(search), check_first(first, USERS_PAGE)
    return [rows.user_at(row, 0) for row in await sql.fetch(SEARCH, pattern, pattern, limit)]


async def find_candidates(
    caller: Session | None, *, domain_id: str, search: str, first: int | None, runtime: Runtime
) -> Candidates:
    """People to invite to a domain (for holders of INVITATION_SEND there), each marked
    when already a member or holding a pending invitation, and how many match in all."""
    domain = parse_id(domain_id, name="domainId")
    await authorize(caller, Action.INVITATION_SEND, domain)
    pattern, limit = _pattern(search), check_first(first, USERS_PAGE)
    now = runtime.clock.now()
    found = await sql.fetch(CANDIDATES, domain, domain, now, pattern, pattern, limit)
    total = await sql.fetch_value(COUNT, pattern, pattern)
    items = [
        Candidate(
            rows.user_at(row, 0),
            row[USER_WIDTH] is not None,
            sql.optional_uuid(row[USER_WIDTH + 1]),
        )
        for row in found
    ]
    return Candidates(items, int(total))
