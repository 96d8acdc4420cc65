"""Per-request batches of nested lookups (DataLoaders), next to nothing but the reads
they batch: each parent field was authorized by the service that produced it."""

from __future__ import annotations

from uuid import UUID

from strawberry.dataloader import DataLoader

from app import rows
from app.auth import Session
from app.clock import Clock
from app.permissions import Grant
from app.services import domains
from app.services.invitations import reads


class Loaders:
    """Batches per request; a WebSocket operation gets fresh ones per event."""

    def __init__(self, caller: Session | None, clock: Clock) -> None:
        self.grant = DataLoader[UUID, Grant | None](lambda ids: domains.my_grants(caller, ids))
        self.roles = DataLoader[UUID, list[rows.Role]](self._visible_roles)
        self.history = DataLoader[UUID, list[reads.Event]](reads.histories)
        self.invitation = DataLoader[UUID, reads.Invitation | None](
            lambda ids: reads.current(ids, clock.now())
        )

    async def _visible_roles(self, domain_ids: list[UUID]) -> list[list[rows.Role]]:
        return await domains.visible_roles(await self.grant.load_many(domain_ids))
