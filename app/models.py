"""Tortoise models and their enums: the only place that knows the tables."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from uuid import UUID

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from app.ids import new_id


def utcnow() -> datetime:
    return datetime.now(UTC)


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


class User(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    email = fields.CharField(max_length=254, unique=True)
    name = fields.CharField(max_length=100)
    password_hash = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "user"


class AuthToken(Model):
    """A sign-in session: the token itself is never stored, only its keyed hash."""

    id = fields.UUIDField(primary_key=True, default=new_id)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="tokens", on_delete=fields.CASCADE
    )
    user_id: UUID
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(default=utcnow)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "auth_token"


class Domain(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    name = fields.CharField(max_length=100)
    created_at = fields.DatetimeField(default=utcnow)
    # Lifetime of invitations sent or resent from now on; null: the server default.
    invitation_ttl_seconds = fields.IntField(null=True)

    class Meta:
        table = "domain"


class Role(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    domain: fields.ForeignKeyRelation[Domain] = fields.ForeignKeyField(
        "models.Domain", related_name="roles", on_delete=fields.CASCADE
    )
    domain_id: UUID
    name = fields.CharField(max_length=100)
    # Action names; see app.permissions.Action.
    actions: list[str] = fields.JSONField(default=list)
    built_in = fields.BooleanField(default=False)
    # Whether `actions` is every action: a domain keeps at least one member whose role
    # is, so LAST_ADMIN can be one conditional statement. Roles are never edited.
    holds_all_actions = fields.BooleanField(default=False, db_default=False)
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "role"
        unique_together = (("domain", "name"),)


class Membership(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    domain: fields.ForeignKeyRelation[Domain] = fields.ForeignKeyField(
        "models.Domain", related_name="memberships", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="memberships", on_delete=fields.CASCADE
    )
    role: fields.ForeignKeyRelation[Role] = fields.ForeignKeyField(
        "models.Role", related_name="memberships", on_delete=fields.RESTRICT
    )
    domain_id: UUID
    user_id: UUID
    role_id: UUID
    joined_at = fields.DatetimeField(default=utcnow)
    invitation: fields.ForeignKeyNullableRelation[Invitation] = fields.ForeignKeyField(
        "models.Invitation", related_name="memberships", null=True, on_delete=fields.SET_NULL
    )
    invitation_id: UUID | None

    class Meta:
        table = "membership"
        unique_together = (("domain", "user"),)
        indexes = (
            Index(fields=("domain_id", "joined_at", "id")),
            Index(fields=("user_id", "joined_at")),
        )


class Invitation(Model):
    """At most one PENDING row per (domain, invitee) and per (domain, invitee_email):
    partial unique indexes created by migrations, because Tortoise drops conditional
    constraints. `invitee` is null for an e-mail invitation nobody has claimed yet;
    `invitee_email` is always the address invited (an account's e-mail otherwise)."""

    id = fields.UUIDField(primary_key=True, default=new_id)
    domain: fields.ForeignKeyRelation[Domain] = fields.ForeignKeyField(
        "models.Domain", related_name="invitations", on_delete=fields.CASCADE
    )
    invitee: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invitations_received", null=True, on_delete=fields.CASCADE
    )
    invited_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invitations_sent", on_delete=fields.CASCADE
    )
    role: fields.ForeignKeyRelation[Role] = fields.ForeignKeyField(
        "models.Role", related_name="invitations", on_delete=fields.RESTRICT
    )
    domain_id: UUID
    invitee_id: UUID | None
    invited_by_id: UUID
    role_id: UUID
    invitee_email = fields.CharField(max_length=254)
    status = fields.CharEnumField(InvitationStatus, max_length=16)
    message = fields.TextField(null=True)
    created_at = fields.DatetimeField(default=utcnow)
    updated_at = fields.DatetimeField(default=utcnow)
    expires_at = fields.DatetimeField()
    confirmed_at = fields.DatetimeField(null=True)
    rejected_at = fields.DatetimeField(null=True)
    resent_at = fields.DatetimeField(null=True)
    resend_count = fields.IntField(default=0)
    # Keyed hash of the one-time secret of an e-mail invitation; null once used or voided.
    secret_hash = fields.CharField(max_length=64, null=True, unique=True)

    class Meta:
        table = "invitation"
        indexes = (
            Index(fields=("invitee_id", "status", "created_at", "id")),
            Index(fields=("domain_id", "created_at", "id")),
            Index(fields=("domain_id", "status", "created_at", "id")),
            Index(fields=("domain_id", "invitee_email")),
        )


class InvitationEvent(Model):
    """One transition of an invitation. It outlives the invitation it describes,
    so it copies the domain, invitee and role instead of pointing at the row.
    `position` is assigned by the relay when it publishes the event (app/relay.py):
    null until then, and the order of replay after."""

    id = fields.UUIDField(primary_key=True, default=new_id)
    invitation_id = fields.UUIDField()
    kind = fields.CharEnumField(InvitationEventKind, max_length=16)
    at = fields.DatetimeField(default=utcnow)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="events_acted", null=True, on_delete=fields.SET_NULL
    )
    domain: fields.ForeignKeyRelation[Domain] = fields.ForeignKeyField(
        "models.Domain", related_name="invitation_events", on_delete=fields.CASCADE
    )
    invitee: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="events_received", null=True, on_delete=fields.CASCADE
    )
    role: fields.ForeignKeyRelation[Role] = fields.ForeignKeyField(
        "models.Role", related_name="events", on_delete=fields.RESTRICT
    )
    actor_id: UUID | None
    domain_id: UUID
    invitee_id: UUID | None
    role_id: UUID
    invitee_email = fields.CharField(max_length=254)
    position = fields.BigIntField(null=True)

    class Meta:
        table = "invitation_event"
        indexes = (
            Index(fields=("invitation_id", "at")),
            Index(fields=("domain_id", "at", "id")),
            Index(fields=("domain_id", "position")),
            Index(fields=("invitee_id", "position")),
        )


class MemberEvent(Model):
    """One change of a domain's membership, kept for the domain's member history."""

    id = fields.UUIDField(primary_key=True, default=new_id)
    kind = fields.CharEnumField(MemberEventKind, max_length=16)
    at = fields.DatetimeField(default=utcnow)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="member_events_acted", null=True, on_delete=fields.SET_NULL
    )
    domain: fields.ForeignKeyRelation[Domain] = fields.ForeignKeyField(
        "models.Domain", related_name="member_events", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="member_events", on_delete=fields.CASCADE
    )
    role: fields.ForeignKeyNullableRelation[Role] = fields.ForeignKeyField(
        "models.Role", related_name="member_events", null=True, on_delete=fields.RESTRICT
    )
    previous_role: fields.ForeignKeyNullableRelation[Role] = fields.ForeignKeyField(
        "models.Role", related_name="member_events_before", null=True, on_delete=fields.RESTRICT
    )
    actor_id: UUID | None
    domain_id: UUID
    user_id: UUID
    role_id: UUID | None
    previous_role_id: UUID | None
    position = fields.BigIntField(null=True)

    class Meta:
        table = "member_event"
        indexes = (
            Index(fields=("domain_id", "at", "id")),
            Index(fields=("domain_id", "position")),
        )


class RelayCursor(Model):
    """The last position the relay assigned: one row, locked while a relay publishes."""

    id = fields.IntField(primary_key=True)
    assigned = fields.BigIntField(default=0)

    class Meta:
        table = "relay_cursor"


class IdempotencyKey(Model):
    """A mutation request made with an Idempotency-Key: its body's hash, and once done,
    the answer to replay. Forgotten after 24 h."""

    id = fields.UUIDField(primary_key=True, default=new_id)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="idempotency_keys", on_delete=fields.CASCADE
    )
    user_id: UUID
    key = fields.CharField(max_length=255)
    request_hash = fields.CharField(max_length=64)
    # Set while the first request runs; a repeat before it is done is a conflict.
    locked_until = fields.DatetimeField(null=True)
    response_status = fields.IntField(null=True)
    response_body = fields.BinaryField(null=True)
    created_at = fields.DatetimeField(default=utcnow)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "idempotency_key"
        unique_together = (("user", "key"),)
        indexes = (Index(fields=("expires_at",)),)


class EmailMessage(Model):
    """The outbox: each e-mail to send, written in the transaction of what it tells,
    sent (and retried) by the mailer. An invitation's link secret is never stored:
    it is derived from `nonce` and SECRET_KEY when the message is rendered."""

    id = fields.UUIDField(primary_key=True, default=new_id)
    invitation: fields.ForeignKeyNullableRelation[Invitation] = fields.ForeignKeyField(
        "models.Invitation", related_name="emails", null=True, on_delete=fields.SET_NULL
    )
    invitation_id: UUID | None
    to_address = fields.CharField(max_length=254)
    nonce = fields.CharField(max_length=64, null=True)
    status = fields.CharEnumField(EmailStatus, max_length=16, default=EmailStatus.QUEUED)
    attempts = fields.IntField(default=0)
    last_error = fields.TextField(null=True)
    next_attempt_at = fields.DatetimeField(null=True)
    locked_until = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "email_message"
        indexes = (
            Index(fields=("status", "next_attempt_at")),
            Index(fields=("invitation_id", "created_at")),
        )


class Webhook(Model):
    """An endpoint of a domain that receives its events, signed with its secret."""

    id = fields.UUIDField(primary_key=True, default=new_id)
    domain: fields.ForeignKeyRelation[Domain] = fields.ForeignKeyField(
        "models.Domain", related_name="webhooks", on_delete=fields.CASCADE
    )
    domain_id: UUID
    url = fields.CharField(max_length=2048)
    description = fields.CharField(max_length=500, null=True)
    # One bit per WebhookEventType (WebhookEventType.bit).
    event_mask = fields.BigIntField(default=0)
    # Not the signing secret: a random seed it is derived from with SECRET_KEY
    # (services/webhooks/secrets.py), so a copy of the database alone cannot sign.
    secret = fields.CharField(max_length=128)
    enabled = fields.BooleanField(default=True)
    # Deliveries in a row that exhausted their retries; a success resets it.
    consecutive_failures = fields.IntField(default=0)
    disabled_reason = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField(default=utcnow)
    updated_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "webhook"
        indexes = (Index(fields=("domain_id", "created_at")),)


class WebhookDelivery(Model):
    """One event to deliver to one webhook, written in the transaction of the event."""

    id = fields.UUIDField(primary_key=True, default=new_id)
    webhook: fields.ForeignKeyRelation[Webhook] = fields.ForeignKeyField(
        "models.Webhook", related_name="deliveries", on_delete=fields.CASCADE
    )
    webhook_id: UUID
    # The event reported: also the webhook-id header, the same on every attempt.
    event_id = fields.UUIDField()
    event_type = fields.CharField(max_length=40)
    # The JSON body, built in the event's transaction: every attempt sends these bytes.
    payload = fields.TextField()
    status = fields.CharEnumField(DeliveryStatus, max_length=16, default=DeliveryStatus.PENDING)
    attempts = fields.IntField(default=0)
    last_status_code = fields.IntField(null=True)
    last_attempt_at = fields.DatetimeField(null=True)
    next_attempt_at = fields.DatetimeField(null=True)
    # The lease of the process sending it now: claimed again only once it has passed.
    locked_until = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "webhook_delivery"
        indexes = (
            Index(fields=("webhook_id", "created_at", "id")),
            Index(fields=("status", "next_attempt_at")),
        )


class WebhookAttempt(Model):
    """One try of a delivery: what the receiver answered (at most 1 KiB of it kept)."""

    id = fields.UUIDField(primary_key=True, default=new_id)
    delivery: fields.ForeignKeyRelation[WebhookDelivery] = fields.ForeignKeyField(
        "models.WebhookDelivery", related_name="attempts_made", on_delete=fields.CASCADE
    )
    delivery_id: UUID
    at = fields.DatetimeField(default=utcnow)
    status_code = fields.IntField(null=True)
    error = fields.CharField(max_length=500, null=True)
    duration_ms = fields.IntField(default=0)
    response_body = fields.TextField(null=True)

    class Meta:
        table = "webhook_attempt"
        indexes = (Index(fields=("delivery_id", "at")),)
