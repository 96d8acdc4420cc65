"""Identifiers: time-ordered UUIDs for new rows, strict parsing of client ids, and
cached conversions for ids read back from the database."""

from __future__ import annotations

import functools
import os
import time
import uuid

from app.errors import BadUserInputError


def new_id() -> uuid.UUID:
    """A UUIDv7: random, but time-ordered so new rows land at the index's end."""
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10))
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return uuid.UUID(int=value)


def parse_id(value: str, *, name: str = "id") -> uuid.UUID:
    """Parse a client-supplied ID or raise BAD_USER_INPUT naming the argument."""
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise BadUserInputError(
            f"{name} {value!r} is not a valid ID: use the id returned by the API"
        ) from None


def parse_ids(values: list[str], *, name: str) -> list[uuid.UUID]:
    """Parse a list of client-supplied IDs."""
    return [parse_id(value, name=name) for value in values]


# The same ids (a caller, their domains, its roles) come back in almost every response:
# converting them once saves the string parsing and formatting on every read. Bounded,
# so a few MB at most.
from_text = functools.lru_cache(maxsize=16384)(uuid.UUID)
"""A UUID from its canonical text as the database stores it (trusted input)."""

text = functools.lru_cache(maxsize=16384)(str)
"""The canonical text of a UUID, as clients see it."""
