"""A real SMTP server for the tests (aiosmtpd on a loopback port, in its own thread) that
keeps what it accepts and can be told to refuse the next messages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.polling import wait_until
from tests.processes import free_port

LINK = re.compile(r"https?://\S+/#/invite/[A-Za-z0-9_-]+")


class Mailbox:
    """What the server accepted, in order, and the answers it gives next."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.received: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._refusals: list[str] = []
        self.logins: list[tuple[str, str]] = []

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def refuse(self, *replies: str) -> None:
        """Answer the next DATA commands with these replies ("451 4.3.0 Try later")."""
        self._refusals.extend(replies)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self._refusals:
            return self._refusals.pop(0)
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.received.append(message)
        return "250 2.0.0 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        """Accept any login and keep it, so a test can see what the client sent."""
        self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)

    def wait_for(self, count: int, timeout: float = 20) -> list[EmailMessage]:
        wait_until(lambda: len(self.received) >= count, timeout=timeout, what=f"{count} e-mails")
        return self.received


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML parts of a multipart/alternative message (with the line
    ends of the wire, CRLF, read back as newlines)."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None, message
    return _content(text), _content(html)


def _content(part: EmailMessage | Any) -> str:
    return str(part.get_content()).replace("\r\n", "\n")


def invitation_link(message: EmailMessage) -> str:
    """The invitation link of a received e-mail, as its plain-text part shows it."""
    found = LINK.search(parts(message)[0])
    assert found, parts(message)[0]
    return found.group(0)


def secret_of(message: EmailMessage) -> str:
    return invitation_link(message).rpartition("/")[2]


@contextmanager
def smtp_server(port: int | None = None, **options: Any) -> Iterator[Mailbox]:
    """A server on `port` (a free one by default); `options` go to aiosmtpd's SMTP
    (`tls_context` offers STARTTLS, `require_starttls`, ...) or Controller (`ssl_context`:
    TLS from the start)."""
    mailbox = Mailbox(port or free_port())
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=mailbox.port,
        authenticator=mailbox.authenticate,
        **options,
    )
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()
