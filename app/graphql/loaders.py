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
from app.services.invitations import emails, reads
from app.services.webhooks import reads as webhook_reads


class Loaders:
    """Batches per request; a WebSocket operation gets fresh ones per event."""

    def __init__(self, caller: Session | None, clock: Clock) -> None:
        self.grant = DataLoader[UUID, Grant | None](lambda ids: domains.my_grants(caller, ids))
        self.roles = DataLoader[UUID, list[rows.Role]](self._visible_roles)
        self.history = DataLoader[UUID, list[reads.Event]](reads.histories)
        self.invitation = DataLoader[UUID, reads.Invitation | None](
            lambda ids: reads.current(ids, clock.now())
        )
        # Keyed by (domain id, invitation id): shown only where the caller's grant reads.
        self.email_delivery = DataLoader[tuple[UUID, UUID], emails.Delivery | None](
            self._email_deliveries
        )
        self.webhook_attempts = DataLoader[UUID, list[webhook_reads.Attempt]](
            webhook_reads.attempts
        )

    async def _visible_roles(self, domain_ids: list[UUID]) -> list[list[rows.Role]]:
        return await domains.visible_roles(await self.grant.load_many(domain_ids))

    async def _email_deliveries(
        self, keys: list[tuple[UUID, UUID]]
    ) -> list[emails.Delivery | None]:
        grants = await self.grant.load_many([domain for domain, _ in keys])
        return await emails.deliveries(grants, [invitation for _, invitation in keys])
