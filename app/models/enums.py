"""The enums stored in the tables (and used as is by the services and the schema)."""

from __future__ import annotations

from enum import StrEnum


class InvitationStatus(StrEnum):
    """Stored statuses. A PENDING row whose expires_at has passed reads as EXPIRED
    everywhere before the sweep stores EXPIRED (services/invitations/expiry.py)."""

    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"


class InvitationEventKind(StrEnum):
    SENT = "SENT"
    RESENT = "RESENT"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    DELETED = "DELETED"
    EXPIRED = "EXPIRED"
    CLAIMED = "CLAIMED"


class MemberEventKind(StrEnum):
    JOINED = "JOINED"
    ROLE_CHANGED = "ROLE_CHANGED"
    REMOVED = "REMOVED"
    LEFT = "LEFT"


class EmailStatus(StrEnum):
    QUEUED = "QUEUED"
    SENT = "SENT"
    FAILED = "FAILED"


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class WebhookEventType(StrEnum):
    """What a webhook may subscribe to: the invitation and member event kinds. A type's
    position is its bit in Webhook.event_mask, so new types are appended, never inserted."""

    INVITATION_SENT = "INVITATION_SENT"
    INVITATION_RESENT = "INVITATION_RESENT"
    INVITATION_ACCEPTED = "INVITATION_ACCEPTED"
    INVITATION_REJECTED = "INVITATION_REJECTED"
    INVITATION_DELETED = "INVITATION_DELETED"
    INVITATION_EXPIRED = "INVITATION_EXPIRED"
    INVITATION_CLAIMED = "INVITATION_CLAIMED"
    MEMBER_JOINED = "MEMBER_JOINED"
    MEMBER_ROLE_CHANGED = "MEMBER_ROLE_CHANGED"
    MEMBER_REMOVED = "MEMBER_REMOVED"
    MEMBER_LEFT = "MEMBER_LEFT"

    @property
    def bit(self) -> int:
        return 1 << list(WebhookEventType).index(self)
