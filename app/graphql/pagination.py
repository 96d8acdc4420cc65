"""Relay-style connections over the services' keyset pages, and the paging arguments
every list field takes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Generic, TypeVar

import strawberry

from app.services.pagination import MAX_PAGE_SIZE, Page

T = TypeVar("T")

First = Annotated[
    int | None,
    strawberry.argument(
        description=f"Page forward: the first `first` rows after `after` (0..{MAX_PAGE_SIZE}). "
        "Not applied when `last` is given."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="A cursor this same list returned (`pageInfo.endCursor`, or an edge's "
        "`cursor`): the page starts after that row."
    ),
]
Last = Annotated[
    int | None,
    strawberry.argument(
        description=f"Page backward: the last `last` rows before `before`, or of the whole "
        f"list (0..{MAX_PAGE_SIZE})."
    ),
]
Before = Annotated[
    str | None,
    strawberry.argument(
        description="A cursor this same list returned (`pageInfo.startCursor`, or an edge's "
        "`cursor`): the page ends before that row."
    ),
]


@strawberry.type(description="Where a page sits in its list (Relay's PageInfo).")
class PageInfo:
    # Each flag is a bool, or an awaitable the executor awaits only if it is selected.
    has_next_page: bool | Awaitable[bool] = strawberry.field(
        graphql_type=bool, description="Whether rows follow this page (older ones)."
    )
    has_previous_page: bool | Awaitable[bool] = strawberry.field(
        graphql_type=bool, description="Whether rows precede this page (newer ones)."
    )
    start_cursor: str | None = strawberry.field(
        description="The first row's cursor (for `before`); null on an empty page."
    )
    end_cursor: str | None = strawberry.field(
        description="The last row's cursor (for `after`); null on an empty page."
    )


@strawberry.type(description="One row of a page, with its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(
        description="Opaque; valid as `after` or `before` of this same list only."
    )
    node: T = strawberry.field(description="The row.")


@strawberry.type(
    description="A page of a list, newest first, with Relay cursors: select `nodes` for the "
    "rows alone, `edges` for each row with its cursor."
)
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The page's rows with their cursors.")
    page_info: PageInfo = strawberry.field(description="Cursors and flags to page further.")
    nodes: list[T] = strawberry.field(description="The page's rows, in the same order as `edges`.")
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Rows in the whole filtered list, not only this page.")
    async def total_count(self) -> int:
        return await self._count()

    @classmethod
    def from_page(cls, page: Page[Any], convert: Callable[[Any], T]) -> Connection[T]:
        edges = [
            Edge(cursor=c, node=convert(item))
            for c, item in zip(page.cursors, page.items, strict=True)
        ]
        info = PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        )
        nodes = [edge.node for edge in edges]
        return cls(edges=edges, page_info=info, nodes=nodes, _count=page.count)
