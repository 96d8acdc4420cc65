"""The e-mails a browser test's server sent to the test's SMTP server, and their links."""

from __future__ import annotations

from tests.mailbox import Mailbox, invitation_link
from tests.polling import wait_until

MAIL_TIMEOUT = 20


def link_sent_to(mailbox: Mailbox, address: str) -> str:
    """The invitation link of the latest e-mail to `address`, once it has arrived."""

    def received() -> list[str]:
        return [invitation_link(m) for m in mailbox.received if m["To"] == address]

    wait_until(lambda: bool(received()), timeout=MAIL_TIMEOUT, what=f"an e-mail to {address}")
    return received()[-1]
