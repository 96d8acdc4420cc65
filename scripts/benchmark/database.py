"""The benchmark's databases: a fresh SQLite file, or a fresh PostgreSQL database on the
server of a given URL; migrated by the app's own command, dropped afterwards."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from pathlib import Path

import asyncpg

from scripts.benchmark import FOLDER, ROOT


def is_postgres(database_url: str) -> bool:
    return database_url.startswith(("postgres", "asyncpg"))


def fresh(base_url: str | None, name: str) -> str:
    """The URL of a new empty database: a SQLite file `FOLDER/name.sqlite3` (when
    `base_url` is None) or a new database on `base_url`'s PostgreSQL server."""
    if base_url is None:
        FOLDER.mkdir(parents=True, exist_ok=True)
        path = FOLDER / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite://{path}"
    url = f"{base_url.rsplit('/', 1)[0]}/bench_{name}_{secrets.token_hex(4)}"
    asyncio.run(_admin(url, "CREATE"))
    return url


def migrate(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run([sys.executable, "-m", "app", "migrate"], cwd=ROOT, env=env, check=True)


def drop(database_url: str) -> None:
    """Remove a PostgreSQL database made by `fresh` (SQLite files stay for inspection)."""
    if is_postgres(database_url):
        asyncio.run(_admin(database_url, "DROP"))


async def _admin(database_url: str, verb: str) -> None:
    server, name = database_url.rsplit("/", 1)
    connection = await asyncpg.connect(server.replace("asyncpg://", "postgres://") + "/postgres")
    try:
        force = " WITH (FORCE)" if verb == "DROP" else ""
        await connection.execute(f'{verb} DATABASE "{name}"{force}')
    finally:
        await connection.close()
