"""Tortoise configuration shared by the app, the migration command and the tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from app.settings import DEFAULT_DATABASE_URL

MODELS = ["app.models"]


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The Tortoise config dict for one database URL."""
    return {
        "connections": {"default": database_url},
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
