"""SQLite: the busy wait for another process's write lock, and the wait for this process's
one connection (which Tortoise lends to one request at a time), are bounded; a connection
that fails to open leaves nothing behind."""

from __future__ import annotations

import sqlite3
from typing import Any

from tortoise.backends.base.client import ConnectionWrapper
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.exceptions import OperationalError

from app.dbclients import BoundedLock


class _SqliteConnection(ConnectionWrapper[Any]):
    async def ensure_connection(self) -> None:
        try:
            await super().ensure_connection()
        except BaseException:
            self._lock.release()  # Tortoise keeps it: every later query would wait forever
            raise


class _SqliteTransaction(SqliteTransactionContext):
    async def ensure_connection(self) -> None:
        try:
            await super().ensure_connection()
        except BaseException:
            self._trxlock.release()  # as above
            raise


class BoundedSqliteClient(SqliteClient):
    def __init__(self, file_path: str, *, wait_timeout: float, **kwargs: Any) -> None:
        # Credentials become PRAGMAs: this one bounds the wait for another writer.
        kwargs.setdefault("busy_timeout", round(wait_timeout * 1000))
        # In WAL mode, NORMAL syncs at checkpoints instead of at every commit: a commit
        # survives the process being killed, and only a power failure or an OS crash may
        # lose the last ones (the file stays consistent). `?synchronous=FULL` in the URL
        # syncs every commit.
        kwargs.setdefault("synchronous", "NORMAL")
        # Checkpoints every 10,000 pages (40 MB of WAL) instead of SQLite's 1,000: a page
        # written again and again (an index's last leaf) goes back to the database file
        # once per checkpoint, so fewer checkpoints write less. On a million invitations
        # this took sendInvitations of ten from 141 to 168 a second.
        kwargs.setdefault("wal_autocheckpoint", 10000)
        super().__init__(file_path, **kwargs)
        self._lock = BoundedLock(wait_timeout)

    async def create_connection(self, with_db: bool) -> None:
        if self._connection is None:
            _check_opens(self.filename)
        try:
            await super().create_connection(with_db)
        except BaseException:
            # A connection that opened but failed its PRAGMAs (a read-only file) keeps a
            # thread that would keep the process from exiting.
            await self.close()
            raise

    def acquire_connection(self) -> ConnectionWrapper[Any]:
        return _SqliteConnection(self._lock, self)

    def _in_transaction(self) -> SqliteTransactionContext:
        return _SqliteTransaction(SqliteTransactionWrapper(self), self._lock)


def _check_opens(filename: str) -> None:
    """Open the file once with the standard library (a local file: at once). A file that
    cannot be opened (a read-only folder) fails here, without the thread aiosqlite would
    leave behind to report its end to an event loop that may be closed by then."""
    try:
        sqlite3.connect(filename).close()
    except sqlite3.Error as exc:
        raise OperationalError(exc) from exc


client_class = BoundedSqliteClient
