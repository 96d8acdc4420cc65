"""Read classes shared by several features, and the SQL columns that fill them.

Compiled reads map result rows straight into these tuples, never into ORM models.
Each `*_COLUMNS` template names the columns of one table under an alias (`{a}`); the
matching `*_at(row, i)` reads them back from position `i` of a result row, so a query
joining several tables lists the templates in order and reads each at its offset.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from app import sql
from app.sql import Row


class User(NamedTuple):
    id: UUID
    email: str
    name: str


class Role(NamedTuple):
    id: UUID
    domain_id: UUID
    name: str
    actions: tuple[str, ...]
    built_in: bool


class Domain(NamedTuple):
    id: UUID
    name: str
    created_at: datetime
    invitation_ttl_seconds: int | None  # None: the server's default


USER_COLUMNS = "{a}.id, {a}.email, {a}.name"
USER_WIDTH = 3
ROLE_COLUMNS = "{a}.id, {a}.domain_id, {a}.name, {a}.actions, {a}.built_in"
ROLE_WIDTH = 5
DOMAIN_COLUMNS = "{a}.id, {a}.name, {a}.created_at, {a}.invitation_ttl_seconds"
DOMAIN_WIDTH = 4


def columns(template: str, alias: str) -> str:
    return template.format(a=alias)


def user_at(row: Row, i: int) -> User:
    return User(sql.uuid(row[i]), row[i + 1], row[i + 2])


def optional_user_at(row: Row, i: int) -> User | None:
    return None if row[i] is None else user_at(row, i)


def role_at(row: Row, i: int) -> Role:
    return Role(
        sql.uuid(row[i]),
        sql.uuid(row[i + 1]),
        row[i + 2],
        sql.json_list(row[i + 3]),
        bool(row[i + 4]),
    )


def optional_role_at(row: Row, i: int) -> Role | None:
    return None if row[i] is None else role_at(row, i)


def domain_at(row: Row, i: int) -> Domain:
    return Domain(sql.uuid(row[i]), row[i + 1], sql.moment(row[i + 2]), row[i + 3])
