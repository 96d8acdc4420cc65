"""Input rules shared by the services: free text, names, emails, passwords, messages."""

from __future__ import annotations

import re

from app import errors

NAME_MAX = 100
MESSAGE_MAX = 500
# Control characters other than tab and line feed (invisible, or able to break a
# terminal, a log line or the database: NUL), and lone surrogates (not text at all).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
PASSWORD_MIN, PASSWORD_MAX = 8, 128
# Deliberately simple: one @, no spaces, a dot in the domain part.
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def check_text(value: str, *, field: str, validated: bool = False) -> str:
    """`value`, if the database can store it as text: no NUL character (PostgreSQL refuses
    it) and no lone surrogate (half a UTF-16 pair, which has no UTF-8 form; JSON escapes
    over a WebSocket can carry one). Otherwise BAD_USER_INPUT naming `field`, or the
    mutation's typed INVALID_INPUT for an argument it `validated`."""
    if "\x00" in value:
        problem = "must not contain NUL characters"
    elif not value.isascii() and not _encodable(value):
        problem = "must be Unicode text: it holds a lone surrogate"
    else:
        return value
    if validated:
        raise errors.InvalidInputError(f"{field} {problem}", field=field)
    raise errors.BadUserInputError(f"{field} {problem}")


def _encodable(value: str) -> bool:
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def clean_name(value: str, *, field: str = "name") -> str:
    name = check_text(value, field=field, validated=True).strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise errors.InvalidInputError(
            f"{field} must be 1 to {NAME_MAX} characters long", field=field
        )
    return name


def clean_email(value: str, *, field: str = "email") -> str:
    email = check_text(value, field=field, validated=True).strip().lower()
    if len(email) > 254 or not EMAIL_PATTERN.match(email):
        raise errors.InvalidInputError(
            f"{value!r} is not an email address like name@example.com", field=field
        )
    return email


def check_password(value: str) -> str:
    check_text(value, field="password", validated=True)
    if not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
        raise errors.InvalidInputError(
            f"password must be {PASSWORD_MIN} to {PASSWORD_MAX} characters long",
            field="password",
        )
    return value


def clean_message(value: str | None) -> str | None:
    """An invitation's message: plain text, trimmed, line breaks as \\n, at most
    MESSAGE_MAX characters; None when empty."""
    if value is None:
        return None
    message = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(message) > MESSAGE_MAX:
        raise errors.InvalidInputError(
            f"message must be at most {MESSAGE_MAX} characters, got {len(message)}",
            field="message",
        )
    if _CONTROL.search(message):
        raise errors.InvalidInputError(
            "message must be plain text: no control characters besides tabs and line breaks",
            field="message",
        )
    return message or None
