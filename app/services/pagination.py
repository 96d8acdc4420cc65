"""Keyset pages, newest first, with opaque cursors stable under inserts and deletes.

A `Keyset` is one list's compiled SQL: its SELECT, the table counted for `totalCount`,
and the (time, id) columns it is ordered by, newest first. Each combination of filters
(a tuple of SQL conditions with `?` parameters) compiles once into a first-page, a
next-page and a count statement.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from app import errors, sql
from app.sql import Row, Sql

T = TypeVar("T")
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    cursors: Sequence[str]
    has_next: bool
    has_previous: bool
    # Counting is a separate query, run only when the client asks for totalCount.
    count: Callable[[], Awaitable[int]]


def check_first(first: int | None, default: int) -> int:
    """The page size asked for (`default` when null), within 0..MAX_PAGE_SIZE."""
    if first is None:
        return default
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise errors.BadUserInputError(f"first must be between 0 and {MAX_PAGE_SIZE}, got {first}")
    return first


def encode_cursor(at: datetime, row_id: UUID) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{row_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        at, _, row_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None:
            raise ValueError("naive time")
        return moment.astimezone(UTC), UUID(row_id)
    except (ValueError, OverflowError, binascii.Error, UnicodeError):
        raise errors.BadUserInputError(
            "after is not a valid cursor: pass an endCursor returned by this list"
        ) from None


@dataclass
class Keyset:
    """One list's SELECT (ending before WHERE), the FROM of its count, and its order."""

    select: str
    count_from: str
    time_column: str
    id_column: str
    _compiled: dict[tuple[tuple[str, ...], bool], Sql] = field(default_factory=dict)
    _counts: dict[tuple[str, ...], Sql] = field(default_factory=dict)

    def page_sql(self, where: tuple[str, ...], after: bool) -> Sql:
        key = (where, after)
        statement = self._compiled.get(key)
        if statement is None:
            conditions = list(where)
            if after:
                t, i = self.time_column, self.id_column
                conditions.append(f"({t} < ? OR ({t} = ? AND {i} < ?))")
            statement = self._compiled[key] = Sql(
                f"{self.select} WHERE {' AND '.join(conditions)} "
                f"ORDER BY {self.time_column} DESC, {self.id_column} DESC LIMIT ?"
            )
        return statement

    def count_sql(self, where: tuple[str, ...]) -> Sql:
        statement = self._counts.get(where)
        if statement is None:
            statement = self._counts[where] = Sql(
                f"SELECT COUNT(*) FROM {self.count_from} WHERE {' AND '.join(where)}"
            )
        return statement

    async def page(
        self,
        where: tuple[str, ...],
        params: Sequence[Any],
        *,
        first: int,
        after: str | None,
        read: Callable[[Row], T],
        key: Callable[[T], tuple[datetime, UUID]],
    ) -> Page[T]:
        """Up to `first` rows after the cursor, each read into a T; `key` gives a T's
        (time, id) for its cursor."""
        cursor: tuple[Any, ...] = ()
        if after is not None:
            at, row_id = decode_cursor(after)
            cursor = (at, at, row_id)
        found = await sql.fetch(
            self.page_sql(where, after is not None), *params, *cursor, first + 1
        )
        items = [read(row) for row in found[:first]]
        count_sql = self.count_sql(where)

        async def count() -> int:
            return int(await sql.fetch_value(count_sql, *params))

        return Page(
            items=items,
            cursors=[encode_cursor(*key(item)) for item in items],
            has_next=len(found) > first,
            has_previous=after is not None,
            count=count,
        )
