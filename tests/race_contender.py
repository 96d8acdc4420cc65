"""One contender in a cross-process race, through the schema as a client would go: signs
in the accounts it acts as, reports ready, waits for the start signal, then runs one
GraphQL operation on each invitation it was given, and prints one line per call:

    <invitation id> <outcome>

where the outcome is the result's __typename, its error code, `null`, or a top-level error
code (INTERNAL would be a bug). `read` reads each invitation several times, to be reading
when it is deleted; `delete-eventually` deletes an invitation again while it is not
PENDING yet, so that it strikes as soon as a concurrent resend commits. `send` sends one
batch (its item is `EMAIL/DOMAIN:ROLE:INVITEE,INVITEE,...`, one line per result) and
`delete-as-sent` (item `EMAIL/DOMAIN:COUNT`) deletes the domain's invitations as soon as
they can be seen, until it deleted COUNT.

    python -m tests.race_contender DATABASE_URL ACTION READY_FILE START_FILE EMAIL/ID...
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from tortoise import Tortoise

from app.auth import Authenticator, Session
from app.clock import SystemClock
from app.db import tortoise_config
from app.graphql.context import Context
from app.graphql.schema import schema
from app.runtime import Runtime
from app.services import accounts
from tests.documents import DELETE, INVITATION_FIELDS, RESEND, RESPOND, SEND
from tests.factories import PASSWORD, runtime_for

PENDING_IDS = """query Pending($domainId: ID!) {
  invitations(domainId: $domainId, status: PENDING, first: 100) { nodes { id } }
}"""
READ = f"query One($id: ID!) {{ invitation(id: $id) {{ __typename {INVITATION_FIELDS} }} }}"
REPEATS = {"read": 5, "delete-eventually": 200}  # calls per invitation (else one)
ACTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "read": (READ, {}),
    "delete": (DELETE, {}),
    "delete-eventually": (DELETE, {}),
    "resend": (RESEND, {}),
    "accept": (RESPOND, {"response": "ACCEPT"}),
    "decline": (RESPOND, {"response": "DECLINE"}),
}


def runtime() -> Runtime:
    auth = Authenticator(
        secret_key="race", token_ttl=timedelta(hours=1), cheap_hashing=True, clock=SystemClock()
    )
    return runtime_for(auth)


async def sign_in(email: str, runtime: Runtime) -> Session:
    token, _ = await accounts.sign_in(
        email=email, password=PASSWORD, client_address=None, runtime=runtime
    )
    session = await runtime.auth.authenticate(f"Bearer {token}")
    assert session is not None
    return session


def outcome(data: dict[str, Any] | None, errors: list[Any] | None) -> str:
    if errors:
        return str((errors[0].extensions or {}).get("code"))
    payload = next(iter((data or {}).values()))
    if payload is None:
        return "null"
    return str(payload.get("code") or payload["__typename"])


async def send(context: Context, target: str) -> None:
    domain_id, role_id, invitees = target.split(":")
    variables = {"domainId": domain_id, "roleId": role_id, "inviteeIds": invitees.split(",")}
    result = await schema.execute(SEND, variables, context_value=context)
    if result.errors or result.data is None:
        print("batch", outcome(result.data, result.errors), flush=True)
        return
    for item in result.data["sendInvitations"]["results"]:
        print(item.get("id", "refused"), item.get("code") or item["__typename"], flush=True)


async def delete_as_sent(context: Context, target: str) -> None:
    domain_id, count = target.split(":")
    deleted: set[str] = set()
    deadline = time.monotonic() + 60
    while len(deleted) < int(count) and time.monotonic() < deadline:
        found = await schema.execute(PENDING_IDS, {"domainId": domain_id}, context_value=context)
        assert found.data is not None, found.errors
        for node in found.data["invitations"]["nodes"]:
            result = await schema.execute(DELETE, {"id": node["id"]}, context_value=context)
            said = outcome(result.data, result.errors)
            print(node["id"], said, flush=True)
            if said == "DeletedInvitation":
                deleted.add(node["id"])


BATCHES = {"send": send, "delete-as-sent": delete_as_sent}


async def contend(url: str, action: str, ready: Path, start: Path, items: list[str]) -> None:
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)
    try:
        runtime_ = runtime()
        emails = {item.split("/")[0] for item in items}
        sessions = {email: await sign_in(email, runtime_) for email in emails}
        ready.touch()
        while not start.exists():
            time.sleep(0.001)  # spin, so every contender leaves the line together
        for item in items:
            email, invitation_id = item.split("/")
            context = Context(
                request=None,
                response=None,
                runtime=runtime_,
                request_id="race",
                session=sessions[email],
            )
            if action in BATCHES:
                await BATCHES[action](context, invitation_id)
                continue
            document, extra = ACTIONS[action]
            for _ in range(REPEATS.get(action, 1)):
                result = await schema.execute(
                    document, {"id": invitation_id, **extra}, context_value=context
                )
                said = outcome(result.data, result.errors)
                print(invitation_id, said, flush=True)
                if action == "delete-eventually" and said != "INVITATION_NOT_PENDING":
                    break
    finally:
        await Tortoise.close_connections()


if __name__ == "__main__":
    url, action, ready, start, *items = sys.argv[1:]
    asyncio.run(contend(url, action, Path(ready), Path(start), items))
