"""One contender in a cross-process race: signs in, reports ready, waits for the start
signal, then answers or deletes one invitation through the service layer on a shared
database, and prints the outcome (the error code, or OK)."""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from pathlib import Path

from tortoise import Tortoise

from app import errors
from app.auth import Authenticator
from app.clock import SystemClock
from app.db import tortoise_config
from app.services import accounts, invitations
from tests.factories import PASSWORD, runtime_for
from tests.polling import wait_until


async def contend(
    database_url: str, action: str, email: str, invitation_id: str, ready: Path, start: Path
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
            if action == "delete":
                await invitations.delete(caller, invitation_id=invitation_id, runtime=runtime)
            else:
                await invitations.respond(
                    caller, invitation_id=invitation_id, accept=action == "accept", runtime=runtime
                )
        except errors.UserFacingError as exc:
            return exc.code
        return "OK"
    finally:
        await Tortoise.close_connections()


if __name__ == "__main__":
    url, action, email, invitation, ready, start = sys.argv[1:7]
    print(asyncio.run(contend(url, action, email, invitation, Path(ready), Path(start))))
