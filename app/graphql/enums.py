"""GraphQL enums, declared once from the product's own enums, each value described."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry

from app.models import InvitationEventKind, InvitationStatus, MemberEventKind
from app.permissions import Action

E = TypeVar("E", bound=type[Enum])


def described(enum: E, description: str, values: Mapping[str, str]) -> E:
    """Register an enum with GraphQL (in place: the product's enums are used as is) with a
    description for it and for each value named in `values`. A value left out stays
    undescribed, which the schema linter reports; a name that is not a value is a mistake."""
    strawberry.enum(enum, description=description)
    definition = enum.__strawberry_definition__  # type: ignore[attr-defined]
    unknown = values.keys() - {value.name for value in definition.values}
    if unknown:
        raise ValueError(f"{enum.__name__} has no values {sorted(unknown)}")
    for value in definition.values:
        value.description = values.get(value.name)
    return enum


described(
    InvitationStatus,
    "Where an invitation stands.",
    {
        "PENDING": "Sent (or resent) and not answered yet: the invitee may accept or decline.",
        "ACCEPTED": "The invitee accepted and became a member of the domain.",
        "REJECTED": "The invitee declined; an admin may resend it.",
        "EXPIRED": "Not answered before its expiresAt; an admin may resend it.",
    },
)
described(
    InvitationEventKind,
    "What happened to an invitation.",
    {
        "SENT": "An admin sent it.",
        "RESENT": "An admin sent it again after it was rejected or expired.",
        "ACCEPTED": "The invitee accepted it.",
        "REJECTED": "The invitee declined it.",
        "DELETED": "An admin deleted it while it was PENDING.",
        "EXPIRED": "It was not answered in time (no actor).",
        "CLAIMED": "A signed-in user claimed an e-mail invitation with its secret.",
    },
)
described(
    Action,
    "What a role allows in its domain. The built-in `admin` role holds every action, "
    "`member` holds DOMAIN_READ and MEMBER_READ.",
    {
        "DOMAIN_READ": "See the domain and its roles.",
        "DOMAIN_UPDATE": "Change the domain's settings.",
        "MEMBER_READ": "See the Members table and its history.",
        "MEMBER_MANAGE": "Change members' roles and remove members.",
        "INVITATION_SEND": "Invite people, with a role no stronger than one's own.",
        "INVITATION_READ": "See the domain's invitations and its audit log.",
        "INVITATION_MANAGE": "Resend and delete invitations.",
        "ROLE_MANAGE": "Create custom roles.",
        "WEBHOOK_MANAGE": "Manage the domain's webhooks.",
    },
)

described(
    MemberEventKind,
    "What changed in a domain's membership.",
    {
        "JOINED": "The user became a member: they accepted an invitation or created the domain.",
        "ROLE_CHANGED": "The member's role changed (previousRole is the one before).",
        "REMOVED": "A member manager removed the member (actor).",
        "LEFT": "The member left the domain.",
    },
)


@strawberry.enum(description="Where an invitation's e-mail stands.")
class EmailDeliveryStatus(Enum):
    QUEUED = strawberry.enum_value(
        "QUEUED", description="Waiting to be sent, or to be retried after a failure."
    )
    SENT = strawberry.enum_value("SENT", description="The mail server accepted it.")
    FAILED = strawberry.enum_value(
        "FAILED",
        description="Given up: every retry failed, or the invitation changed before it went.",
    )


class InvitationResponse(Enum):
    ACCEPT = "ACCEPT"
    DECLINE = "DECLINE"


described(
    InvitationResponse,
    "An invitee's answer.",
    {
        "ACCEPT": "Join the domain with the invitation's role.",
        "DECLINE": "Turn the invitation down (it becomes REJECTED).",
    },
)

__all__ = [
    "Action",
    "EmailDeliveryStatus",
    "InvitationEventKind",
    "InvitationResponse",
    "InvitationStatus",
    "MemberEventKind",
]
