"""GraphQL enums, declared once from the product's own enums."""

from __future__ import annotations

from enum import Enum

import strawberry

from app import models
from app.permissions import Action as _Action

InvitationStatus = strawberry.enum(models.InvitationStatus, name="InvitationStatus")
InvitationEventKind = strawberry.enum(models.InvitationEventKind, name="InvitationEventKind")
Action = strawberry.enum(_Action, name="Action")


@strawberry.enum(description="An invitee's answer.")
class InvitationResponse(Enum):
    ACCEPT = "ACCEPT"
    DECLINE = "DECLINE"
