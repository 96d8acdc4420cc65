"""Where letters go: an SMTP server (`SMTP_URL`), or the server log in development.

    smtp://[user:password@]host[:port]    port 25 by default; STARTTLS when the server
                                          offers it (certificates verified)
    smtps://[user:password@]host[:port]   port 465 by default; TLS from the start

A failure raises `SendError` with what the server said ("451 4.3.0 Try again later"),
which the mailer keeps as the message's lastError.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from datetime import datetime
from email.utils import parseaddr
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from app.mail.compose import Letter, mime

logger = logging.getLogger("app.mail")


class SendError(Exception):
    """The letter was not accepted; the message says why."""


class Transport(Protocol):
    async def send(self, letter: Letter, *, at: datetime) -> None: ...


class SmtpTransport:
    def __init__(
        self,
        url: str,
        *,
        sender: str,
        timeout: float,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        parts = urlsplit(url)
        self.implicit_tls = parts.scheme == "smtps"
        self.hostname = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender
        self.timeout = timeout
        self.tls_context = tls_context

    async def send(self, letter: Letter, *, at: datetime) -> None:
        message = mime(letter, sender=self.sender, at=at)
        try:
            async with asyncio.timeout(self.timeout):
                await aiosmtplib.send(
                    message,
                    hostname=self.hostname,
                    port=self.port,
                    username=self.username,
                    password=self.password,
                    use_tls=self.implicit_tls,
                    start_tls=False if self.implicit_tls else None,
                    tls_context=self.tls_context,
                    timeout=self.timeout,
                )
        except TimeoutError:
            raise SendError(
                f"no answer from {self.hostname}:{self.port} in {self.timeout} s"
            ) from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise SendError(describe(exc)) from exc


def describe(exc: BaseException) -> str:
    """What an SMTP failure says, as short as it can be said."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return "; ".join(describe(refusal) for refusal in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"{exc.code} {exc.message}".strip()
    return str(exc) or type(exc).__name__


class LogTransport:
    """Development without SMTP_URL: one log line per letter, its link included."""

    async def send(self, letter: Letter, *, at: datetime) -> None:
        # A warning, so it shows at every log level: nobody receives this e-mail.
        logger.warning(
            "e-mail not sent (SMTP_URL is unset) to=%s subject=%r link=%s",
            letter.to,
            letter.subject,
            letter.link,
        )


def message_domain(sender: str) -> str:
    """The domain of MAIL_FROM's address, for Message-IDs."""
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"
