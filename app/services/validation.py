"""Input rules shared by the services: names, emails, passwords."""

from __future__ import annotations

import re

from app import errors

NAME_MAX = 100
PASSWORD_MIN, PASSWORD_MAX = 8, 128
# Deliberately simple: one @, no spaces, a dot in the domain part.
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def clean_name(value: str, *, field: str = "name") -> str:
    name = value.strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise errors.InvalidInputError(
            f"{field} must be 1 to {NAME_MAX} characters long", field=field
        )
    return name


def clean_email(value: str, *, field: str = "email") -> str:
    email = value.strip().lower()
    if len(email) > 254 or not EMAIL_PATTERN.match(email):
        raise errors.InvalidInputError(
            f"{value!r} is not an email address like name@example.com", field=field
        )
    return email


def check_password(value: str) -> str:
    if not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
        raise errors.InvalidInputError(
            f"password must be {PASSWORD_MIN} to {PASSWORD_MAX} characters long",
            field="password",
        )
    return value
