"""Invitations and the history rows of invitations and memberships."""

from __future__ import annotations

from uuid import UUID

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from app.ids import new_id
from app.models.accounts import Domain, Role, User
from app.models.base import utcnow
from app.models.enums import InvitationEventKind, InvitationStatus, MemberEventKind


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
            # An invitee's earlier invitations in a domain, whatever their status.
            Index(fields=("domain_id", "invitee_id")),
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
