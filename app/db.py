"""Tortoise configuration shared by the app, the migration command and the tests: the
database URL served by clients whose every wait is bounded (`app.dbclients`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tortoise.backends.base.config_generator import expand_db_url

from app.settings import DEFAULT_DATABASE_URL, DEFAULT_DB_TIMEOUT_SECONDS

MODELS = ["app.models"]


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


def ensure_sqlite_directory(database_url: str) -> None:
    """Create the folder of a SQLite file so a fresh checkout can start."""
    if database_url.startswith("sqlite://") and ":memory:" not in database_url:
        path = database_url.removeprefix("sqlite://").split("?", 1)[0]
        Path(path).parent.mkdir(parents=True, exist_ok=True)


# Read by the `tortoise` command-line tool ([tool.tortoise] in pyproject.toml).
TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
