"""Keyset pages, newest first, with opaque cursors stable under inserts and deletes.

A `Keyset` is one list's compiled SQL: its SELECT, the table counted for `totalCount`,
and the (time, id) columns it is ordered by, newest first. Each combination of filters
(a tuple of SQL conditions with `?` parameters) and of cursor bounds compiles once.

Pages go forward (`first` rows after `after`) or backward (the `last` rows before
`before`), as Relay's connections do. A cursor names its row and its list: a
fingerprint of the table, the order and the filter with its values, so a cursor of one
list given to another is refused instead of silently paging the wrong rows.
`Page.has_next`/`has_previous` are exact: the side a page was read towards is known
from its one extra row, the other side costs a query only if the client asks.

A list may also show the rows of several disjoint `Branch`es together (a status read as
"stored EXPIRED, or PENDING past its deadline"): each branch is its own index range,
read in order up to the page size, and the page is the newest of those few rows, so an
OR never turns the list into a scan and sort of every matching row. `totalCount` adds
up the branches' counts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Generator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, NamedTuple, TypeVar

from app import errors, sql
from app.services.cursors import Key, decode_cursor, encode_cursor
from app.sql import Row, Sql

T = TypeVar("T")
MAX_PAGE_SIZE = 100


class Beyond:
    """Whether the list has rows beyond a cursor: asked of the database only if awaited
    (only when the client selects that pageInfo flag)."""

    __slots__ = ("params", "statement")

    def __init__(self, statement: Sql, params: Sequence[Any]) -> None:
        self.statement, self.params = statement, params

    def __await__(self) -> Generator[Any, None, bool]:
        return self._ask().__await__()

    async def _ask(self) -> bool:
        return await sql.fetch_one(self.statement, *self.params) is not None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    cursors: Sequence[str]
    # Known from the page's own query on the side it was read towards; on the other
    # side, an awaitable Beyond when there is a cursor to look past, False otherwise.
    has_next: bool | Awaitable[bool]
    has_previous: bool | Awaitable[bool]
    # Counting is a separate query, run only when the client asks for totalCount.
    count: Callable[[], Awaitable[int]]


def check_size(name: str, size: int | None) -> int | None:
    """A page size as given (None when not given), within 0..MAX_PAGE_SIZE."""
    if size is not None and not 0 <= size <= MAX_PAGE_SIZE:
        raise errors.BadUserInputError(f"{name} must be between 0 and {MAX_PAGE_SIZE}, got {size}")
    return size


def check_first(first: int | None, default: int) -> int:
    """The page size asked for (`default` when null), within 0..MAX_PAGE_SIZE."""
    checked = check_size("first", first)
    return default if checked is None else checked


class Paging(NamedTuple):
    """What a client asks of a list: the `first` rows after `after` (null: the list's
    own page size), or with `last`, the last rows before `before`."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


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
    _compiled: dict[tuple[Any, ...], Sql] = field(default_factory=dict)

    def _older(self, inclusive: bool = False) -> str:
        t, i = self.time_column, self.id_column
        return f"({t} < ? OR ({t} = ? AND {i} <{'=' if inclusive else ''} ?))"

    def _newer(self, inclusive: bool = False) -> str:
        t, i = self.time_column, self.id_column
        return f"({t} > ? OR ({t} = ? AND {i} >{'=' if inclusive else ''} ?))"

    def _where(self, conditions: tuple[str, ...], after: bool, before: bool) -> str:
        bounds = (*([self._older()] * after), *([self._newer()] * before))
        return " AND ".join((*conditions, *bounds))

    def _statement(self, key: tuple[Any, ...], build: Callable[[], str]) -> Sql:
        statement = self._compiled.get(key)
        if statement is None:
            statement = self._compiled[key] = Sql(build())
        return statement

    def page_sql(self, shape: _Shape, after: bool, before: bool, backward: bool) -> Sql:
        """The page of one filter, or of the union of several disjoint ones."""

        def build() -> str:
            way = "ASC" if backward else "DESC"
            order = f"ORDER BY {self.time_column} {way}, {self.id_column} {way} LIMIT ?"
            if len(shape) == 1:
                return f"{self.select} WHERE {self._where(shape[0][0], after, before)} {order}"
            # Each branch's first ids through its own index range, then their rows.
            ids = " UNION ALL ".join(
                f"SELECT id FROM (SELECT {self.id_column} AS id FROM {self.count_from} "
                f"WHERE {self._where(conditions, after, before)}{'' if few else ' ' + order}) "
                f"b{n}"
                for n, (conditions, few) in enumerate(shape)
            )
            return f"{self.select} WHERE {self.id_column} IN ({ids}) {order}"

        return self._statement(("page", shape, after, before, backward), build)

    def count_sql(self, shape: _Shape) -> Sql:
        def build() -> str:
            counts = [
                f"SELECT COUNT(*) FROM {self.count_from} WHERE {' AND '.join(conditions)}"
                for conditions, _ in shape
            ]
            return (
                counts[0] if len(counts) == 1 else "SELECT " + " + ".join(f"({c})" for c in counts)
            )

        return self._statement(("count", shape), build)

    def beyond_sql(self, shape: _Shape, newer: bool) -> Sql:
        """One row at or beyond a cursor, newer or older: is there a page that way?"""
        bound = self._newer(inclusive=True) if newer else self._older(inclusive=True)

        def build() -> str:
            exists = [
                f"SELECT 1 FROM {self.count_from} WHERE {' AND '.join(conditions)} AND {bound}"
                for conditions, _ in shape
            ]
            if len(exists) == 1:
                return f"{exists[0]} LIMIT 1"
            return "SELECT 1 WHERE " + " OR ".join(f"EXISTS ({e})" for e in exists)

        return self._statement(("beyond", shape, newer), build)

    def fingerprint(self, parts: Sequence[_Part]) -> str:
        """What the cursors of this list carry: its table, order and filter, with the
        filter's values but not its times (a filter on the current time moves between
        pages). `scripts/benchmark/baselines` restates this for its byte-equal answers."""
        text = [self.count_from, self.time_column, self.id_column]
        for part in parts:
            text += part.conditions
            text += [str(value) for value in part.params if not isinstance(value, datetime)]
        return hashlib.blake2b("\n".join(text).encode(), digest_size=6).hexdigest()

    async def page(
        self,
        where: tuple[str, ...],
        params: Sequence[Any],
        paging: Paging,
        *,
        size: int,
        read: Callable[[Row], T],
        key: Callable[[T], Key],
        branches: Sequence[Branch] = (),
        select_params: Sequence[Any] = (),
    ) -> Page[T]:
        """One page, each row read into a T; `key` gives a T's (time, id) for its cursor.
        Forward: the `first` rows (`size` when not given) after `after`. With `last`: the
        last `last` rows (the oldest) before `before`, and `first` does not apply. `after`
        and `before` both bound the rows either way. `where` (with `params`) filters; with
        `branches`, the rows matching it and any one of them. `select_params` are those of
        the SELECT."""
        parts = _parts(where, params, branches)
        shape = tuple((part.conditions, part.few) for part in parts)
        fingerprint = self.fingerprint(parts)
        first, after, last, before = paging
        first = check_first(first, size)
        start = decode_cursor(after, fingerprint, "after") if after is not None else None
        end = decode_cursor(before, fingerprint, "before") if before is not None else None
        backward = check_size("last", last) is not None
        size = last if last is not None else first
        bounds = (*_bound(start), *_bound(end))
        branch_limit = (size + 1,) if len(parts) > 1 else ()  # in a union, for each branch
        page_params = [
            p
            for part in parts
            for p in (*part.params, *bounds, *(() if part.few else branch_limit))
        ]
        found = await sql.fetch(
            self.page_sql(shape, start is not None, end is not None, backward),
            *select_params,
            *page_params,
            size + 1,
        )
        rows = found[:size]
        items = [read(row) for row in (reversed(rows) if backward else rows)]
        count_sql = self.count_sql(shape)
        count_params = [p for part in parts for p in part.params]

        async def count() -> int:
            return int(await sql.fetch_value(count_sql, *count_params))

        more = len(found) > size
        has_next: bool | Beyond
        has_previous: bool | Beyond
        if backward:
            has_next, has_previous = self._beyond(parts, shape, end, newer=False), more
        else:
            has_next, has_previous = more, self._beyond(parts, shape, start, newer=True)
        return Page(
            items=items,
            cursors=[encode_cursor(fingerprint, *key(item)) for item in items],
            has_next=has_next,
            has_previous=has_previous,
            count=count,
        )

    def _beyond(
        self, parts: Sequence[_Part], shape: _Shape, cursor: Key | None, *, newer: bool
    ) -> bool | Beyond:
        if cursor is None:
            return False
        params = [p for part in parts for p in (*part.params, *_bound(cursor))]
        return Beyond(self.beyond_sql(shape, newer), params)


def _bound(cursor: Key | None) -> tuple[Any, ...]:
    """The parameters of one keyset bound: (time, time, id)."""
    if cursor is None:
        return ()
    at, row_id = cursor
    return at, at, row_id
