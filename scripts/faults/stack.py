"""What a fault run stands on: a fresh database (dropped afterwards), server processes
started as the bench starts them (`python -m app serve`, each logging to its own file),
and plain SQL on that database for the checks."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg

from scripts.benchmark import FOLDER, database, servers
from scripts.faults import POSTGRES_URL


@asynccontextmanager
async def fresh_database(engine: str, name: str) -> AsyncIterator[str]:
    """The URL of a new empty database: a SQLite file, or a PostgreSQL database dropped
    when the block ends (the bench's functions run their own event loop: in a thread)."""
    server = None if engine == "sqlite" else f"{POSTGRES_URL}/postgres"
    url = await asyncio.to_thread(database.fresh, server, name)
    try:
        yield url
    finally:
        await asyncio.to_thread(database.drop, url)


def log_file(name: str) -> Path:
    """An empty log file for one server's stderr."""
    path = FOLDER / f"faults-{name}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def start(name: str, env: dict[str, str], log: Path) -> servers.Server:
    """`python -m app serve`, one process, ready once /readyz answers."""
    env = {"PASSWORD_HASH_PROFILE": "cheapest", **env}
    return servers.Server(name, servers.OURS, env, ready="/readyz", timeout=60, log=log)


def kill(server: servers.Server) -> None:
    """SIGKILL, as a crash would: nothing of the shutdown runs."""
    server.process.kill()
    server.process.wait()


async def rows(url: str, query: str) -> list[tuple[Any, ...]]:
    """The rows of one SQL statement, run straight on the database at `url`."""
    if not database.is_postgres(url):
        with sqlite3.connect(url.removeprefix("sqlite://")) as sqlite:
            return list(sqlite.execute(query))
    postgres = await asyncpg.connect(url)
    try:
        return [tuple(record) for record in await postgres.fetch(query)]
    finally:
        await postgres.close()


async def scalar(url: str, query: str) -> int:
    [(value,)] = await rows(url, query)
    return int(value)


async def events_by_kind(url: str, where: str = "TRUE") -> dict[str, int]:
    found = await rows(
        url, f"SELECT kind, count(*) FROM invitation_event WHERE {where} GROUP BY kind"
    )
    return {str(kind): int(count) for kind, count in found}
