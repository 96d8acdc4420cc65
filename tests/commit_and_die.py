"""A process that sends one invitation through the service layer and dies before its
relay runs: the committed event is left for another process to publish. Prints the id."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta

from tortoise import Tortoise

from app import errors
from app.auth import Authenticator
from app.clock import SystemClock
from app.db import tortoise_config
from app.services import accounts, invitations
from tests.factories import PASSWORD, runtime_for


async def send_then_die(
    database_url: str, email: str, domain: str, invitee: str, role: str
) -> None:
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)
    auth = Authenticator(
        secret_key="dies", token_ttl=timedelta(hours=1), cheap_hashing=True, clock=SystemClock()
    )
    runtime = runtime_for(auth)
    token, _ = await accounts.sign_in(
        email=email, password=PASSWORD, client_address=None, runtime=runtime
    )
    caller = await auth.authenticate(f"Bearer {token}")
    [sent] = await invitations.send(
        caller, domain_id=domain, invitee_ids=[invitee], role_id=role, runtime=runtime
    )
    assert not isinstance(sent, errors.UserFacingError)
    print(sent.id, flush=True)
    os._exit(0)  # the relay task it kicked never runs; nothing is closed


if __name__ == "__main__":
    asyncio.run(send_then_die(*sys.argv[1:6]))
