"""GraphQL enums, declared once from the product's own enums."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from app.models import InvitationEventKind, InvitationStatus, MemberEventKind
from app.permissions import Action


def _register(enum: type[Enum], description: str, values: dict[str, str] | None = None) -> None:
    """Register a product enum in place (so it is used as is), with descriptions."""
    strawberry.enum(enum, description=description)
    definition: Any = enum.__strawberry_definition__  # type: ignore[attr-defined]
    for value in definition.values:
        value.description = (values or {}).get(value.name)


_register(
    InvitationStatus,
    "Where an invitation stands.",
    {
        "PENDING": "Waiting for the invitee's answer, before its expiresAt.",
        "ACCEPTED": "The invitee accepted: they became a member with its role.",
        "REJECTED": "The invitee declined; it can be resent.",
        "EXPIRED": "Nobody answered before its expiresAt; it can be resent.",
    },
)
_register(
    InvitationEventKind,
    "What happened to an invitation.",
    {
        "SENT": "It was sent.",
        "RESENT": "A REJECTED or EXPIRED invitation was sent again.",
        "ACCEPTED": "The invitee accepted it.",
        "REJECTED": "The invitee declined it.",
        "DELETED": "It was deleted while PENDING.",
        "EXPIRED": "Its expiresAt passed with no answer (no actor; at is expiresAt).",
        "CLAIMED": "Someone claimed an e-mail invitation with its link.",
    },
)
_register(
    MemberEventKind,
    "What changed in a domain's membership.",
    {
        "JOINED": "The user became a member: they accepted an invitation or created the domain.",
        "ROLE_CHANGED": "The member's role changed (previousRole is the one before).",
        "REMOVED": "A member manager removed the member (actor).",
        "LEFT": "The member left the domain.",
    },
)
_register(Action, "What a role allows in its domain.")


@strawberry.enum(description="An invitee's answer.")
class InvitationResponse(Enum):
    ACCEPT = "ACCEPT"
    DECLINE = "DECLINE"


__all__ = [
    "Action",
    "InvitationEventKind",
    "InvitationResponse",
    "InvitationStatus",
    "MemberEventKind",
]
