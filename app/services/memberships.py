"""Memberships: the Members table of a domain."""

from __future__ import annotations

from app import models
from app.ids import parse_id
from app.permissions import Action, authorize
from app.services.pagination import Page, keyset_page


async def of_domain(
    user: models.User | None, *, domain_id: str, first: int | None, after: str | None
) -> Page[models.Membership]:
    """A domain's members with their role and inviter, newest first."""
    domain_uuid = parse_id(domain_id, name="domainId")
    await authorize(user, Action.MEMBER_READ, domain_uuid)
    query = models.Membership.filter(domain_id=domain_uuid)
    return await keyset_page(
        query.select_related("user", "role", "invitation__invited_by"),
        count=query.count,
        first=first,
        default=20,
        after=after,
        time_field="joined_at",
    )
