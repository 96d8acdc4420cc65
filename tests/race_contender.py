"""One contender in a cross-process race, through the schema as a client would go: signs
in the accounts it acts as, reports ready, waits for the start signal, then runs one
GraphQL operation on each invitation it was given, and prints one line per call:

    <invitation id> <outcome>

where the outcome is the result's __typename, its error code, `null`, or a top-level error
code (INTERNAL would be a bug). `read` reads each invitation several times, to be reading
when it is deleted; `delete-eventually` deletes an invitation again while it is not
PENDING yet, so that it strikes as soon as a concurrent resend commits.

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
from tests.documents import DELETE, INVITATION_FIELDS, RESEND, RESPOND
from tests.factories import PASSWORD, runtime_for

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


async def contend(url: str, action: str, ready: Path, start: Path, items: list[str]) -> None:
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)
    try:
        runtime_ = runtime()
        emails = {item.split("/")[0] for item in items}
        sessions = {email: await sign_in(email, runtime_) for email in emails}
        ready.touch()
        while not start.exists():
            time.sleep(0.001)  # spin, so every contender leaves the line together
        document, extra = ACTIONS[action]
        for item in items:
            email, invitation_id = item.split("/")
            context = Context(
                request=None,
                response=None,
                runtime=runtime_,
                request_id="race",
                session=sessions[email],
            )
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
