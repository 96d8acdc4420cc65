"""Webhooks across real server processes: a delivery survives a crash of the process
sending it, and two processes sharing a database never send one attempt twice."""

from __future__ import annotations

from typing import Any

import pytest

from tests.documents import CREATE_WEBHOOK, SEND, WEBHOOK_DELIVERIES
from tests.polling import wait_until
from tests.processes import create_domain, graphql_data, invite, server_process, sign_up
from tests.receiver import Answer, Receiver, running_receiver


def create_webhook(base: str, token: str, domain_id: str, receiver: Receiver) -> None:
    """A webhook of the domain sending INVITATION_SENT to the receiver, which learns its secret."""
    variables = {"domainId": domain_id, "url": receiver.url, "events": ["INVITATION_SENT"]}
    created = graphql_data(base, CREATE_WEBHOOK, variables, token)["createWebhook"]
    receiver.secret = created["secret"]


def deliveries(base: str, token: str, domain_id: str) -> list[dict[str, Any]]:
    data = graphql_data(base, WEBHOOK_DELIVERIES, {"domainId": domain_id, "first": 100}, token)
    nodes: list[dict[str, Any]] = data["webhooks"][0]["deliveries"]["nodes"]
    return nodes


def all_succeeded(base: str, token: str, domain_id: str, count: int) -> bool:
    found = deliveries(base, token, domain_id)
    return len(found) == count and all(d["status"] == "SUCCEEDED" for d in found)


def test_a_delivery_in_flight_when_its_server_is_killed_is_sent_after_restart(
    server_database_url: str,
) -> None:
    # A 1 s timeout: the lease of a claimed delivery is 2 x 1 + 5 = 7 s.
    env = {"DATABASE_URL": server_database_url, "WEBHOOK_TIMEOUT_SECONDS": "1"}
    with running_receiver(Answer(204, delay=30)) as receiver:
        with server_process(env) as crashing:
            admin = sign_up(crashing.base, "ada@example.com")
            bob = sign_up(crashing.base, "bob@example.com")
            domain = create_domain(crashing.base, admin.token, "Acme")
            create_webhook(crashing.base, admin.token, domain["id"], receiver)
            invite(crashing.base, admin.token, domain, bob.id)
            wait_until(lambda: len(receiver.received) == 1, timeout=10, interval=0.002)
            crashing.kill()  # mid-attempt: the receiver has not answered yet

        with server_process(env) as restarted:
            wait_until(
                lambda: all_succeeded(restarted.base, admin.token, domain["id"], 1),
                timeout=30,
                interval=0.2,
                what="the delivery to succeed after the restart",
            )
            [delivery] = deliveries(restarted.base, admin.token, domain["id"])

    first, second = receiver.received
    assert first.webhook_id == second.webhook_id == delivery["eventId"]
    assert first.verified and second.verified
    # The attempt cut short by the crash was never recorded: at least once, not exactly once.
    assert delivery["attempts"] == 1 and delivery["attemptLog"][0]["statusCode"] == 204


@pytest.mark.postgres
def test_two_servers_on_one_database_never_send_one_attempt_twice(
    postgres_database: str,
) -> None:
    env = {"DATABASE_URL": postgres_database, "WEBHOOK_RETRY_SECONDS": "1"}
    invitees = 40
    with (
        running_receiver() as receiver,
        server_process(env) as a,
        server_process(env) as b,
    ):
        receiver.first = Answer(500)  # every delivery needs exactly two attempts
        admin = sign_up(a.base, "ada@example.com")
        domain = create_domain(a.base, admin.token, "Acme")
        create_webhook(a.base, admin.token, domain["id"], receiver)
        people = [sign_up(b.base, f"user{n}@example.com").id for n in range(invitees)]
        member = next(r["id"] for r in domain["roles"] if r["name"] == "member")
        for n in range(0, invitees, 10):  # sent through both servers in turn
            base = (a, b)[n // 10 % 2].base
            variables = {
                "domainId": domain["id"],
                "inviteeIds": people[n : n + 10],
                "roleId": member,
            }
            graphql_data(base, SEND, variables, admin.token)

        wait_until(
            lambda: all_succeeded(b.base, admin.token, domain["id"], invitees),
            timeout=60,
            interval=0.5,
            what="every delivery to succeed",
        )
        found = deliveries(a.base, admin.token, domain["id"])

    per_id = receiver.per_id()
    assert len(per_id) == invitees and set(per_id.values()) == {2}
    assert all(r.verified for r in receiver.received)
    assert {d["attempts"] for d in found} == {2}
    assert {d["eventId"] for d in found} == set(per_id)
