"""One contender in a cross-process race: waits for the start signal, then answers
or deletes one invitation through the service layer on a shared database, and
prints the outcome (the error code, or OK)."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from tortoise import Tortoise

from app import errors, models
from app.db import tortoise_config
from app.events import EventBus, InMemoryBroker
from app.services import invitations


async def contend(
    database_url: str, action: str, actor_id: str, invitation_id: str, start: Path
) -> str:
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)
    try:
        actor = await models.User.get(id=actor_id)
        bus = EventBus(InMemoryBroker())
        while not start.exists():
            time.sleep(0.001)  # spin, so every contender leaves the line together
        try:
            if action == "delete":
                await invitations.delete(actor, invitation_id=invitation_id, bus=bus)
            else:
                await invitations.respond(
                    actor, invitation_id=invitation_id, accept=action == "accept", bus=bus
                )
        except errors.UserFacingError as exc:
            return exc.code
        return "OK"
    finally:
        await Tortoise.close_connections()


if __name__ == "__main__":
    url, action, actor, invitation, start = sys.argv[1:6]
    print(asyncio.run(contend(url, action, actor, invitation, Path(start))))
