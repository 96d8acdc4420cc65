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
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


class InvitationEventKind(StrEnum):
    SENT = "SENT"
    RESENT = "RESENT"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    DELETED = "DELETED"


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
    """At most one PENDING row per (domain, invitee): a partial unique index
    created by migration 0002, because Tortoise drops conditional constraints."""

    id = fields.UUIDField(primary_key=True, default=new_id)
    domain: fields.ForeignKeyRelation[Domain] = fields.ForeignKeyField(
        "models.Domain", related_name="invitations", on_delete=fields.CASCADE
    )
    invitee: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invitations_received", on_delete=fields.CASCADE
    )
    invited_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invitations_sent", on_delete=fields.CASCADE
    )
    role: fields.ForeignKeyRelation[Role] = fields.ForeignKeyField(
        "models.Role", related_name="invitations", on_delete=fields.RESTRICT
    )
    domain_id: UUID
    invitee_id: UUID
    invited_by_id: UUID
    role_id: UUID
    status = fields.CharEnumField(InvitationStatus, max_length=16)
    created_at = fields.DatetimeField(default=utcnow)
    updated_at = fields.DatetimeField(default=utcnow)
    confirmed_at = fields.DatetimeField(null=True)
    rejected_at = fields.DatetimeField(null=True)
    resent_at = fields.DatetimeField(null=True)
    resend_count = fields.IntField(default=0)

    class Meta:
        table = "invitation"
        indexes = (
            Index(fields=("invitee_id", "status", "created_at", "id")),
            Index(fields=("domain_id", "created_at", "id")),
            Index(fields=("domain_id", "status", "created_at", "id")),
        )


class InvitationEvent(Model):
    """One transition of an invitation. It outlives the invitation it describes,
    so it copies the domain, invitee and role instead of pointing at the row."""

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
    invitee: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="events_received", on_delete=fields.CASCADE
    )
    role: fields.ForeignKeyRelation[Role] = fields.ForeignKeyField(
        "models.Role", related_name="events", on_delete=fields.RESTRICT
    )
    actor_id: UUID | None
    domain_id: UUID
    invitee_id: UUID
    role_id: UUID

    class Meta:
        table = "invitation_event"
        indexes = (
            Index(fields=("invitation_id", "at")),
            Index(fields=("domain_id", "at", "id")),
        )
