"""An invitation e-mail: its subject, plain-text and HTML parts, and the MIME message.

The parts are Jinja2 templates (`templates/`). The HTML one is autoescaped, so every value
(a domain or user name, the inviter's message) is escaped where it is inserted and no
template can forget to; the plain-text one has nothing to escape. Jinja2 rather than
`string.Template` because the templates need a condition or two (an optional message, a
link that does or does not carry a secret) and stay readable with them. The subject
is one line whatever the names contain, so no value can add a header.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import NamedTuple

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

_templates = Environment(
    loader=PackageLoader("app.mail", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


class InvitationMail(NamedTuple):
    """What an invitation e-mail says."""

    to: str
    invitee_name: str | None  # None: nobody with this address has an account
    inviter_name: str
    domain_name: str
    role_name: str
    message: str | None
    expires_at: datetime
    link: str
    by_link: bool  # the link carries a one-time secret (an invitation by address)


class Letter(NamedTuple):
    """An e-mail ready to send."""

    message_id: str  # the same for every attempt, so receivers can drop duplicates
    to: str
    subject: str
    text: str
    html: str
    link: str


def one_line(text: str) -> str:
    return " ".join(text.split())


def _when(moment: datetime) -> str:
    return f"{moment:%A} {moment.day} {moment:%B %Y, %H:%M} UTC"


def compose(mail: InvitationMail, *, message_id: str) -> Letter:
    subject = one_line(f"{mail.inviter_name} invited you to join {mail.domain_name}")
    values = {**mail._asdict(), "subject": subject, "expires": _when(mail.expires_at)}
    return Letter(
        message_id=message_id,
        to=mail.to,
        subject=subject,
        text=_templates.get_template("invitation.txt").render(values),
        html=_templates.get_template("invitation.html").render(values),
        link=mail.link,
    )


def mime(letter: Letter, *, sender: str, at: datetime) -> EmailMessage:
    """The letter as a multipart/alternative message: plain text first, then HTML."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = letter.to
    message["Subject"] = letter.subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = letter.message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(letter.text)
    message.add_alternative(letter.html, subtype="html")
    return message
