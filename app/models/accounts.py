"""People, their sign-in tokens, domains, roles and memberships."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from app.ids import new_id
from app.models.base import utcnow

if TYPE_CHECKING:
    from app.models.invitations import Invitation


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
