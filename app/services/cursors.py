"""Opaque cursors: a row's (time, id) and the fingerprint of the list that issued it.

A cursor names its row and its list, so a cursor of one list given to another is refused
instead of silently paging the wrong rows (`Keyset.fingerprint` makes the fingerprint)."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from uuid import UUID

from app import errors

Key = tuple[datetime, UUID]


def encode_cursor(fingerprint: str, at: datetime, row_id: UUID) -> str:
    return base64.urlsafe_b64encode(f"{fingerprint}|{at.isoformat()}|{row_id}".encode()).decode()


def decode_cursor(cursor: str, fingerprint: str, name: str) -> Key:
    """The (time, id) a cursor of this list names; BAD_USER_INPUT naming the argument
    for anything else, a cursor of another list included."""
    try:
        issued_by, at, row_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None:
            raise ValueError("naive time")
        key = moment.astimezone(UTC), UUID(row_id)
    except (ValueError, OverflowError, binascii.Error, UnicodeError):
        raise errors.BadUserInputError(
            f"{name} is not a valid cursor: pass a cursor returned by this list"
        ) from None
    if issued_by != fingerprint:
        raise errors.BadUserInputError(
            f"{name} is a cursor of another list (other filters or another caller): "
            "pass a cursor returned by this list"
        )
    return key
