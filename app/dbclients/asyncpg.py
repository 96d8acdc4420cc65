"""PostgreSQL through asyncpg: connecting, each statement, taking a connection from an
exhausted pool and giving it back are bounded; a URL's own `timeout` or `command_timeout`
wins."""

from __future__ import annotations

from asyncio import CancelledError
from typing import Any

from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.base.client import (
    PoolConnectionWrapper,
    TransactionalDBClient,
    TransactionContext,
    TransactionContextPooled,
)
from tortoise.connection import get_connections

from app.dbclients import BoundedLock


class _BoundedPool:
    """asyncpg's pool, taking and giving back connections within the timeout."""

    def __init__(self, pool: Any, timeout: float) -> None:
        self._pool = pool
        self.timeout = timeout

    async def acquire(self) -> Any:
        return await self._pool.acquire(timeout=self.timeout)

    async def release(self, connection: Any) -> None:
        await self._pool.release(connection, timeout=self.timeout)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)


def _drop_after_timeout(connection: Any, exc_type: type[BaseException] | None) -> bool:
    """Close the connection of a statement that timed out or was cancelled, and say so.
    The server may be frozen: asking it to cancel the statement, as asyncpg would, waits
    another timeout, and so would a ROLLBACK; PostgreSQL rolls back a closed connection's
    transaction itself."""
    interrupted = exc_type is not None and issubclass(exc_type, TimeoutError | CancelledError)
    if not interrupted or connection is None:
        return False
    connection.terminate()
    return True


class _PooledConnection(PoolConnectionWrapper[Any]):
    async def __aexit__(self, exc_type: Any, exc: Any, traceback: Any) -> None:
        _drop_after_timeout(self.connection, exc_type)
        await super().__aexit__(exc_type, exc, traceback)


class _PooledTransaction(TransactionContextPooled):
    async def __aenter__(self) -> TransactionalDBClient:
        # As Tortoise's, but a BEGIN that fails gives the connection back: Tortoise's
        # would keep it out of the pool for good.
        await self.ensure_connection()
        self.client._connection = await self.client._parent._pool.acquire()
        self.token = get_connections().set(self.connection_name, self.client)
        try:
            await self.client.begin()
        except BaseException as exc:
            self.client._finalized = True  # nothing began: nothing to roll back
            await self.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        return self.client

    async def __aexit__(self, exc_type: Any, exc: Any, traceback: Any) -> None:
        if _drop_after_timeout(self.client._connection, exc_type):
            self.client._finalized = True  # nothing left to roll back
        await super().__aexit__(exc_type, exc, traceback)


class BoundedAsyncpgClient(AsyncpgDBClient):
    def __init__(self, *, wait_timeout: float, statement_timeout: float | None, **kwargs: Any):
        kwargs.setdefault("timeout", wait_timeout)  # connecting
        kwargs.setdefault("command_timeout", statement_timeout)
        super().__init__(**kwargs)
        self.wait_timeout = wait_timeout
        # Requests wait on this lock while one of them opens the pool.
        self._pool_init_lock = BoundedLock(wait_timeout)

    async def create_pool(self, **kwargs: Any) -> Any:
        return _BoundedPool(await super().create_pool(**kwargs), self.wait_timeout)

    def acquire_connection(self) -> Any:
        return _PooledConnection(self, self._pool_init_lock)

    def _in_transaction(self) -> TransactionContext:
        return _PooledTransaction(TransactionWrapper(self), self._pool_init_lock)


client_class = BoundedAsyncpgClient
