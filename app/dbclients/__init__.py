"""Tortoise database clients whose every wait on the database is bounded, so that a
database that stops answering (a frozen server, a lock another process keeps) fails a query
with `TimeoutError` after DB_TIMEOUT_SECONDS instead of hanging the request.

One module per backend (Tortoise picks a migration schema editor by the client's module
name): `sqlite` and `asyncpg`, each with its `client_class`. `app.db` names them.
"""

from __future__ import annotations

import asyncio
from typing import Literal


class BoundedLock(asyncio.Lock):
    """A lock Tortoise holds while one request at a time uses a connection, or opens the
    connection pool: waiting in line for it is bounded too."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    async def acquire(self) -> Literal[True]:
        async with asyncio.timeout(self.timeout):
            return await super().acquire()
