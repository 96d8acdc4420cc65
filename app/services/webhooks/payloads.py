"""What a delivery POSTs: `{"type", "timestamp", "data"}` for one event row.

`type` is the WebhookEventType in lower case with its first `_` as a dot
(`invitation.accepted`, `member.role_changed`); `timestamp` is when the event happened;
`data` names everything by id and name, as the event's transaction saw it:

    invitation.*  eventId, invitation {id, status, inviteeEmail}, domain, role,
                  invitee (null: an e-mail nobody has claimed yet), actor (null: the system)
    member.*      eventId, domain, member, role (null once removed or left),
                  previousRole (role changes), actor (null: the system)

Users are {id, name, email}; domains and roles {id, name}. Never a secret or a token.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

import orjson

from app import models, sql
from app.models import InvitationEventKind as Kind
from app.models import WebhookEventType

EventRow = models.InvitationEvent | models.MemberEvent

# The invitation's status once the event happened (null: it no longer exists).
STATUS_AFTER = {
    Kind.SENT: "PENDING",
    Kind.RESENT: "PENDING",
    Kind.CLAIMED: "PENDING",
    Kind.ACCEPTED: "ACCEPTED",
    Kind.REJECTED: "REJECTED",
    Kind.EXPIRED: "EXPIRED",
    Kind.DELETED: None,
}

# One round trip for every name the payloads of a batch of events mention.
NAMES = sql.Sql(
    "SELECT 'user', id, name, email FROM \"user\" WHERE id = ANY(?) "
    "UNION ALL SELECT 'role', id, name, NULL FROM role WHERE id = ANY(?) "
    "UNION ALL SELECT 'domain', id, name, NULL FROM domain WHERE id = ANY(?)"
)

Names = dict[tuple[str, UUID], dict[str, Any]]


def event_type(event: EventRow) -> WebhookEventType:
    source = "INVITATION" if isinstance(event, models.InvitationEvent) else "MEMBER"
    return WebhookEventType(f"{source}_{event.kind}")


def type_name(kind: WebhookEventType) -> str:
    """`invitation.accepted` for INVITATION_ACCEPTED."""
    return kind.lower().replace("_", ".", 1)


async def names_of(events: Iterable[EventRow]) -> Names:
    """The users, roles and domains the events mention, by (kind, id)."""
    users: set[UUID] = set()
    roles: set[UUID] = set()
    domains: set[UUID] = set()
    for event in events:
        domains.add(event.domain_id)
        if isinstance(event, models.InvitationEvent):
            users.update(filter(None, (event.actor_id, event.invitee_id)))
            roles.add(event.role_id)
        else:
            users.update(filter(None, (event.actor_id, event.user_id)))
            roles.update(filter(None, (event.role_id, event.previous_role_id)))
    found = await sql.fetch(NAMES, list(users), list(roles), list(domains))
    return {(row[0], sql.uuid(row[1])): _named(row) for row in found}


def _named(row: sql.Row) -> dict[str, Any]:
    named = {"id": str(sql.uuid(row[1])), "name": row[2]}
    return named if row[3] is None else {**named, "email": row[3]}


def build(event: EventRow, names: Names) -> str:
    """The JSON body delivered for one event."""

    def find(kind: str, row_id: UUID | None) -> dict[str, Any] | None:
        return None if row_id is None else names.get((kind, row_id))

    data: dict[str, Any] = {"eventId": str(event.id)}
    if isinstance(event, models.InvitationEvent):
        data["invitation"] = {
            "id": str(event.invitation_id),
            "status": STATUS_AFTER[event.kind],
            "inviteeEmail": event.invitee_email,
        }
        data["domain"] = find("domain", event.domain_id)
        data["role"] = find("role", event.role_id)
        data["invitee"] = find("user", event.invitee_id)
    else:
        data["domain"] = find("domain", event.domain_id)
        data["member"] = find("user", event.user_id)
        data["role"] = find("role", event.role_id)
        data["previousRole"] = find("role", event.previous_role_id)
    data["actor"] = find("user", event.actor_id)
    body = {"type": type_name(event_type(event)), "timestamp": event.at.isoformat(), "data": data}
    return orjson.dumps(body).decode()
