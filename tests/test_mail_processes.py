"""The outbox across a crash: real `python -m app serve` processes and a real SMTP server."""

from __future__ import annotations

from tests.documents import EMAIL_DELIVERY, RESPOND, SEND_TO, SIGN_UP_CLAIMING
from tests.factories import PASSWORD
from tests.mailbox import secret_of, smtp_server
from tests.processes import (
    create_domain,
    free_port,
    graphql_data,
    running_server,
    server_process,
    sign_up,
)

ADDRESS = "newcomer@example.com"


def test_an_email_committed_before_a_crash_is_sent_after_restart(
    server_database_url: str,
) -> None:
    smtp_port = free_port()  # nothing listens there until after the crash
    env = {
        "DATABASE_URL": server_database_url,
        "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "PUBLIC_URL": "http://app.test",
        "EMAIL_RETRY_SECONDS": "1",
        "EMAIL_TIMEOUT_SECONDS": "2",
    }
    with server_process(env) as server:
        admin = sign_up(server.base, "admin@example.com", "Admin")
        domain = create_domain(server.base, admin.token, "Acme")
        role = next(r["id"] for r in domain["roles"] if r["name"] == "member")
        variables = {"domainId": domain["id"], "emails": [ADDRESS], "roleId": role}
        sent = graphql_data(server.base, SEND_TO, variables, admin.token)
        server.kill()  # right after the answer: the mail server was not even up
    [invitation] = sent["sendInvitations"]["results"]
    assert invitation["emailDelivery"]["status"] == "QUEUED"

    with smtp_server(smtp_port) as mailbox, running_server(env) as base:
        [message] = mailbox.wait_for(1, timeout=30)
        signing_up = {"email": ADDRESS, "name": "Carol", "password": PASSWORD}
        carol = graphql_data(base, SIGN_UP_CLAIMING, {**signing_up, "token": secret_of(message)})
        answer = {"id": invitation["id"], "response": "ACCEPT"}
        accepted = graphql_data(base, RESPOND, answer, carol["signUp"]["token"])
        state = graphql_data(base, EMAIL_DELIVERY, {"id": invitation["id"]}, admin.token)

    assert message["To"] == ADDRESS
    assert carol["signUp"]["invitation"]["id"] == invitation["id"]
    assert accepted["respondToInvitation"]["status"] == "ACCEPTED"
    assert state["invitation"]["emailDelivery"]["status"] == "SENT"
    assert len(mailbox.received) == 1
