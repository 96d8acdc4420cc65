"""Compiled reads: SQL written once, compiled once per dialect, run through Tortoise's
connection with bound parameters, and the decoders that turn driver values into Python.

Statements are written for SQLite (`?` placeholders) with one portable extension,
`= ANY(?)` for a list parameter; where one dialect needs other text (a lock clause, a
planner hint), `Sql(source, sqlite=..., postgres=...)` gives it, with the same parameters
in the same order. `Sql.text(dialect)` compiles and caches the text:

    SQLite       ?            x = ANY(?) -> x IN (SELECT value FROM json_each(?))
    PostgreSQL   ?  -> $1 ... x = ANY($n)

Values are adapted the same way: on SQLite a UUID is bound as text and a list as a JSON
array; PostgreSQL's driver takes both natively. Reading, SQLite gives text for UUIDs,
timestamps and JSON, PostgreSQL gives native values; `uuid`, `moment` and `json_list`
accept either. Inside `in_transaction()` the same functions run on the transaction's
connection, so a write can re-read its own rows before it commits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

import ciso8601
import orjson
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection

from app import ids

Row = Sequence[Any]


class Dialect(StrEnum):
    SQLITE = "sqlite"
    POSTGRES = "postgres"


_ANY = re.compile(r"=\s*ANY\(\?\)")


class Sql:
    """One statement, compiled for each dialect on first use."""

    __slots__ = ("_compiled", "_sources", "source")

    def __init__(
        self, source: str, *, sqlite: str | None = None, postgres: str | None = None
    ) -> None:
        self.source = " ".join(source.split())
        given = {Dialect.SQLITE: sqlite, Dialect.POSTGRES: postgres}
        self._sources = {d: " ".join(text.split()) for d, text in given.items() if text}
        self._compiled: dict[Dialect, str] = {}

    def text(self, dialect: Dialect) -> str:
        compiled = self._compiled.get(dialect)
        if compiled is None:
            source = self._sources.get(dialect, self.source)
            compiled = self._compiled[dialect] = _compile(source, dialect)
        return compiled

    def __repr__(self) -> str:
        return f"Sql({self.source!r})"


def _compile(source: str, dialect: Dialect) -> str:
    if dialect is Dialect.SQLITE:
        return _ANY.sub("IN (SELECT value FROM json_each(?))", source)
    numbers = iter(range(1, source.count("?") + 1))
    return re.sub(r"\?", lambda _: f"${next(numbers)}", source)


def dialect_of(connection: BaseDBAsyncClient) -> Dialect:
    return Dialect.SQLITE if connection.capabilities.dialect == "sqlite" else Dialect.POSTGRES


def _adapt_sqlite(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return orjson.dumps([str(v) if isinstance(v, UUID) else v for v in value]).decode()
    return value


def _adapt_postgres(value: Any) -> Any:
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    return value


def _bound(statement: Sql, params: Sequence[Any]) -> tuple[BaseDBAsyncClient, str, list[Any]]:
    """The current connection, the statement's text for it, and the values to bind."""
    connection = get_connection("default")
    if dialect_of(connection) is Dialect.SQLITE:
        return connection, statement.text(Dialect.SQLITE), [_adapt_sqlite(p) for p in params]
    return connection, statement.text(Dialect.POSTGRES), [_adapt_postgres(p) for p in params]


async def fetch(statement: Sql, *params: Any) -> list[Row]:
    """Every row of `statement` with `params` bound, on the current connection."""
    connection, text, values = _bound(statement, params)
    _, rows = await connection.execute_query(text, values)
    return rows  # type: ignore[return-value]


def dialect() -> Dialect:
    """The dialect of the current connection."""
    return dialect_of(get_connection("default"))


async def execute(statement: Sql, *params: Any) -> int:
    """Run one UPDATE or DELETE; how many rows it changed (a conditional statement's
    answer)."""
    connection, text, values = _bound(statement, params)
    changed, _ = await connection.execute_query(text, values)
    return changed


async def execute_many(statement: Sql, rows: Sequence[Sequence[Any]]) -> None:
    """Run one statement for each row of parameters (a batch of updates)."""
    connection = get_connection("default")
    if dialect_of(connection) is Dialect.SQLITE:
        values = [[_adapt_sqlite(p) for p in row] for row in rows]
        await connection.execute_many(statement.text(Dialect.SQLITE), values)
    else:
        values = [[_adapt_postgres(p) for p in row] for row in rows]
        await connection.execute_many(statement.text(Dialect.POSTGRES), values)


async def fetch_one(statement: Sql, *params: Any) -> Row | None:
    rows = await fetch(statement, *params)
    return rows[0] if rows else None


async def fetch_value(statement: Sql, *params: Any) -> Any:
    """The first column of the first row (a COUNT, an EXISTS)."""
    rows = await fetch(statement, *params)
    return rows[0][0] if rows else None


def uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else ids.from_text(value)


def optional_uuid(value: Any) -> UUID | None:
    return None if value is None else uuid(value)


def moment(value: Any) -> datetime:
    """A timestamp column as an aware UTC datetime."""
    if isinstance(value, str):
        value = ciso8601.parse_datetime(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
    return value if value.tzinfo is UTC else value.astimezone(UTC)  # type: ignore[no-any-return]


def optional_moment(value: Any) -> datetime | None:
    return None if value is None else moment(value)


def json_list(value: Any) -> tuple[str, ...]:
    """A JSON array column (text on both backends) as a tuple of strings."""
    return tuple(orjson.loads(value) if isinstance(value, (str, bytes)) else value)
