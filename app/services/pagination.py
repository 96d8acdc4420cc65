"""Keyset pages, newest first, with opaque cursors stable under inserts and deletes."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from app import errors

M = TypeVar("M", bound=Model)
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Page(Generic[M]):
    items: Sequence[M]
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
        return moment, UUID(row_id)
    except (ValueError, binascii.Error, UnicodeError):
        raise errors.BadUserInputError(
            "after is not a valid cursor: pass an endCursor returned by this list"
        ) from None


async def keyset_page(
    query: QuerySet[M],
    *,
    count: Callable[[], Awaitable[int]],
    first: int | None,
    default: int,
    after: str | None,
    time_field: str,
) -> Page[M]:
    """One page of `query` ordered by (`time_field`, id) descending; `count` counts
    the whole filtered list when the client asks for totalCount."""
    first = check_first(first, default)
    page = query.order_by(f"-{time_field}", "-id")
    if after is not None:
        at, row_id = decode_cursor(after)
        before: dict[str, Any] = {f"{time_field}__lt": at}
        tie: dict[str, Any] = {time_field: at, "id__lt": row_id}
        page = page.filter(Q(**before) | Q(**tie))
    rows = list(await page.limit(first + 1))
    items = rows[:first]
    return Page(
        items=items,
        cursors=[encode_cursor(getattr(r, time_field), r.pk) for r in items],
        has_next=len(rows) > first,
        has_previous=after is not None,
        count=count,
    )
