"""Tortoise models and their enums: the only place that knows the tables (Tortoise finds
the models here, under the app label `models`)."""

from app.models.accounts import AuthToken, Domain, Membership, Role, User
from app.models.base import utcnow
from app.models.delivery import (
    EmailMessage,
    IdempotencyKey,
    RelayCursor,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from app.models.enums import (
    DeliveryStatus,
    EmailStatus,
    InvitationEventKind,
    InvitationStatus,
    MemberEventKind,
    WebhookEventType,
)
from app.models.invitations import Invitation, InvitationEvent, MemberEvent

__all__ = [
    "AuthToken",
    "DeliveryStatus",
    "Domain",
    "EmailMessage",
    "EmailStatus",
    "IdempotencyKey",
    "Invitation",
    "InvitationEvent",
    "InvitationEventKind",
    "InvitationStatus",
    "MemberEvent",
    "MemberEventKind",
    "Membership",
    "RelayCursor",
    "Role",
    "User",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEventType",
    "utcnow",
]
