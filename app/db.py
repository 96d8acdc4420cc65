"""Tortoise configuration shared by the app, the migration command and the tests: the
database URL served by clients whose every wait is bounded (`app.dbclients`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.connection import get_connection

from app.settings import DEFAULT_DATABASE_URL, DEFAULT_DB_TIMEOUT_SECONDS

MODELS = ["app.models"]

# Conditional indexes, which Tortoise's schema generation does not write: the migrations
# create them (frozen copies there), and `generate_schema` adds them for tests and tools
# that build a schema from the models. tests/test_migrations.py checks both agree.
PARTIAL_INDEXES = (
    # At most one PENDING invitation per (domain, invitee) and per (domain, address).
    "CREATE UNIQUE INDEX IF NOT EXISTS uq_invitation_one_pending "
    "ON invitation (domain_id, invitee_id) WHERE status = 'PENDING'",
    "CREATE UNIQUE INDEX IF NOT EXISTS uq_invitation_one_pending_email "
    "ON invitation (domain_id, invitee_email) WHERE status = 'PENDING'",
    # The expiry sweep's PENDING rows by deadline.
    "CREATE INDEX IF NOT EXISTS ix_invitation_pending_expiry "
    "ON invitation (expires_at) WHERE status = 'PENDING'",
    # A domain's PENDING rows by deadline: its invitations table filtered on PENDING
    # (counted) or EXPIRED (the lapsed ones not stored yet) without reading the others.
    "CREATE INDEX IF NOT EXISTS ix_invitation_pending_domain_expiry "
    "ON invitation (domain_id, expires_at) WHERE status = 'PENDING'",
    # The relay's queue: events not yet given a position.
    "CREATE INDEX IF NOT EXISTS ix_invitation_event_unpositioned "
    "ON invitation_event (at, id) WHERE position IS NULL",
    "CREATE INDEX IF NOT EXISTS ix_member_event_unpositioned "
    "ON member_event (at, id) WHERE position IS NULL",
)


def tortoise_config(
    database_url: str,
    timeout: float = DEFAULT_DB_TIMEOUT_SECONDS,
    *,
    long_statements: bool = False,
) -> dict[str, Any]:
    """The Tortoise config dict for one database URL, every wait bounded by `timeout`;
    `long_statements` (migrations) lets a PostgreSQL statement run as long as it needs."""
    connection = expand_db_url(database_url)
    credentials = connection["credentials"]
    credentials["wait_timeout"] = timeout
    if "file_path" not in credentials:
        credentials["statement_timeout"] = None if long_statements else timeout
    backend = "sqlite" if "file_path" in credentials else "asyncpg"
    connection["engine"] = f"app.dbclients.{backend}"
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": MODELS,
                "default_connection": "default",
                "migrations": "app.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


RELAY_CURSOR_ROW = "INSERT INTO relay_cursor (id, assigned) VALUES (1, 0)"


async def generate_schema() -> None:
    """Create every table from the models, with the partial indexes and the relay's
    cursor row the migrations add (for tests and tools that skip the migrations)."""
    await Tortoise.generate_schemas()
    connection = get_connection("default")
    for statement in (*PARTIAL_INDEXES, RELAY_CURSOR_ROW):
        await connection.execute_script(statement)


def ensure_sqlite_directory(database_url: str) -> None:
    """Create the folder of a SQLite file so a fresh checkout can start."""
    if database_url.startswith("sqlite://") and ":memory:" not in database_url:
        path = database_url.removeprefix("sqlite://").split("?", 1)[0]
        Path(path).parent.mkdir(parents=True, exist_ok=True)


# Read by the `tortoise` command-line tool ([tool.tortoise] in pyproject.toml).
TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
