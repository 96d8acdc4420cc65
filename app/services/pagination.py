"""Keyset pages, newest first, with opaque cursors stable under inserts and deletes.

A `Keyset` is one list's compiled SQL: its SELECT, the table counted for `totalCount`,
and the (time, id) columns it is ordered by, newest first. Each combination of filters
(a tuple of SQL conditions with `?` parameters) compiles once into a first-page, a
next-page and a count statement.

A list may also show the rows of several disjoint `Branch`es together (a status read as
"stored EXPIRED, or PENDING past its deadline"): each branch is its own index range,
read in order up to the page size, and the page is the newest of those few rows, so an
OR never turns the list into a scan and sort of every matching row. `totalCount` adds
up the branches' counts.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, NamedTuple, TypeVar
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


class Branch(NamedTuple):
    """One of several disjoint filters a list shows together: conditions ANDed with the
    list's own, and their parameters. A branch that matches `few` rows in the whole table
    (invitations past their deadline that the sweep has not stored yet) is read whole
    through an index of its own instead of in the list's order."""

    conditions: tuple[str, ...]
    params: tuple[Any, ...] = ()
    few: bool = False


class _Part(NamedTuple):
    conditions: tuple[str, ...]
    params: list[Any]
    few: bool


_Shape = tuple[tuple[tuple[str, ...], bool], ...]  # a filter's parts, which compile once


def _parts(
    where: tuple[str, ...], params: Sequence[Any], branches: Sequence[Branch]
) -> list[_Part]:
    if not branches:
        return [_Part(where, list(params), False)]
    return [_Part(where + b.conditions, [*params, *b.params], b.few) for b in branches]


@dataclass
class Keyset:
    """One list's SELECT (ending before WHERE), the FROM of its count, and its order."""

    select: str
    count_from: str
    time_column: str
    id_column: str
    _compiled: dict[tuple[_Shape, bool], Sql] = field(default_factory=dict)
    _counts: dict[_Shape, Sql] = field(default_factory=dict)

    def page_sql(self, shape: _Shape, after: bool) -> Sql:
        """The page of one filter, or of the union of several disjoint ones."""
        statement = self._compiled.get((shape, after))
        if statement is None:
            order = f"ORDER BY {self.time_column} DESC, {self.id_column} DESC LIMIT ?"
            if len(shape) == 1:
                text = f"{self.select} WHERE {self._where(shape[0][0], after)} {order}"
            else:
                # Each branch's newest ids through its own index range, then their rows.
                ids = " UNION ALL ".join(
                    f"SELECT id FROM (SELECT {self.id_column} AS id FROM {self.count_from} "
                    f"WHERE {self._where(conditions, after)}{'' if few else ' ' + order}) b{n}"
                    for n, (conditions, few) in enumerate(shape)
                )
                text = f"{self.select} WHERE {self.id_column} IN ({ids}) {order}"
            statement = self._compiled[shape, after] = Sql(text)
        return statement

    def _where(self, conditions: tuple[str, ...], after: bool) -> str:
        if after:
            t, i = self.time_column, self.id_column
            conditions = (*conditions, f"({t} < ? OR ({t} = ? AND {i} < ?))")
        return " AND ".join(conditions)

    def count_sql(self, shape: _Shape) -> Sql:
        statement = self._counts.get(shape)
        if statement is None:
            counts = [
                f"SELECT COUNT(*) FROM {self.count_from} WHERE {' AND '.join(conditions)}"
                for conditions, _ in shape
            ]
            text = (
                counts[0] if len(counts) == 1 else "SELECT " + " + ".join(f"({c})" for c in counts)
            )
            statement = self._counts[shape] = Sql(text)
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
        branches: Sequence[Branch] = (),
        select_params: Sequence[Any] = (),
    ) -> Page[T]:
        """Up to `first` rows after the cursor, each read into a T; `key` gives a T's
        (time, id) for its cursor. `where` (with `params`) filters; with `branches`, the
        rows matching it and any one of them. `select_params` are those of the SELECT."""
        cursor: tuple[Any, ...] = ()
        if after is not None:
            at, row_id = decode_cursor(after)
            cursor = (at, at, row_id)
        parts = _parts(where, params, branches)
        shape = tuple((part.conditions, part.few) for part in parts)
        branch_limit = (first + 1,) if len(parts) > 1 else ()  # in a union, for each branch
        page_params = [
            p
            for part in parts
            for p in (*part.params, *cursor, *(() if part.few else branch_limit))
        ]
        found = await sql.fetch(
            self.page_sql(shape, after is not None), *select_params, *page_params, first + 1
        )
        items = [read(row) for row in found[:first]]
        count_sql = self.count_sql(shape)
        count_params = [p for part in parts for p in part.params]

        async def count() -> int:
            return int(await sql.fetch_value(count_sql, *count_params))

        return Page(
            items=items,
            cursors=[encode_cursor(*key(item)) for item in items],
            has_next=len(found) > first,
            has_previous=after is not None,
            count=count,
        )
