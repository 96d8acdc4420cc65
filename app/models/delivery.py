"""What the server delivers, and keeps for that: the relay's cursor, idempotency keys,
the e-mail outbox, webhooks and their deliveries."""

from __future__ import annotations

from uuid import UUID

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from app.ids import new_id
from app.models.accounts import Domain, User
from app.models.base import utcnow
from app.models.enums import DeliveryStatus, EmailStatus
from app.models.invitations import Invitation


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
