"""One contender in a cross-process race: signs in, reports ready, waits for the start
signal, then acts through the service layer on a shared database and prints the outcome
(the error code, or OK; for a sweep, how many invitations it expired).

    accept | decline | delete   TARGET is an invitation id
    remove                      TARGET is domain-id/user-id
    leave                       TARGET is a domain id
    sweep                       TARGET is ignored
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from pathlib import Path

from tortoise import Tortoise

from app import errors
from app.auth import Authenticator, Session
from app.clock import SystemClock
from app.db import tortoise_config
from app.runtime import Runtime
from app.services import accounts, invitations, members
from app.services.invitations import expiry
from tests.factories import PASSWORD, runtime_for
from tests.polling import wait_until


async def contend(
    database_url: str, action: str, email: str, target: str, ready: Path, start: Path
) -> str:
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)
    clock = SystemClock()
    auth = Authenticator(
        secret_key="race", token_ttl=timedelta(hours=1), cheap_hashing=True, clock=clock
    )
    runtime = runtime_for(auth)
    try:
        token, _ = await accounts.sign_in(
            email=email, password=PASSWORD, client_address=None, runtime=runtime
        )
        caller = await auth.authenticate(f"Bearer {token}")
        ready.touch()
        # A fine interval, so every contender leaves the line together.
        wait_until(start.exists, timeout=60, interval=0.001, what="the start signal")
        try:
            return await act(action, caller, target, runtime)
        except errors.UserFacingError as exc:
            return exc.code
    finally:
        await Tortoise.close_connections()


async def act(action: str, caller: Session | None, target: str, runtime: Runtime) -> str:
    if action == "delete":
        await invitations.delete(caller, invitation_id=target, runtime=runtime)
    elif action in ("accept", "decline"):
        accept = action == "accept"
        await invitations.respond(caller, invitation_id=target, accept=accept, runtime=runtime)
    elif action == "remove":
        domain_id, user_id = target.split("/")
        await members.remove(caller, domain_id=domain_id, user_id=user_id, runtime=runtime)
    elif action == "leave":
        await members.leave(caller, domain_id=target, runtime=runtime)
    else:
        return str(await expiry.sweep(runtime))
    return "OK"


if __name__ == "__main__":
    url, action, email, target, ready, start = sys.argv[1:7]
    print(asyncio.run(contend(url, action, email, target, Path(ready), Path(start))))
