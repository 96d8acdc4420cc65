"""Output types, each built from a read row by a one-line `from_row`.

A type's nested objects come from the read class it converts (the SQL that fills
them sits beside that class in its service); fields needing another read go through
the per-request loaders. Every type with an id implements `Node` (Relay's object
identification): ids are UUIDs, unique across all types, so `node(id:)` refetches any
of them.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from app import ids, rows
from app.graphql.context import Info
from app.graphql.enums import (
    Action,
    EmailDeliveryStatus,
    InvitationEventKind,
    InvitationStatus,
)
from app.services.invitations import emails, reads
from app.services.memberships import Member as MemberRow


@strawberry.interface(
    description="An object with an id: `node(id:)` fetches it again, as its own fields "
    "would show it to the caller (Relay's object identification)."
)
class Node:
    id: strawberry.ID = strawberry.field(
        description="Unique across every type (a UUID), stable, opaque to clients."
    )


@strawberry.type(description="A person with an account. Any signed-in user may find users.")
class User(Node):
    email: str = strawberry.field(description="Their sign-in address, lower-case.")
    name: str = strawberry.field(description="Their display name (1..100 characters).")

    @classmethod
    def from_row(cls, row: rows.User) -> User:
        return cls(id=strawberry.ID(ids.text(row.id)), email=row.email, name=row.name)


def _optional_user(row: rows.User | None) -> User | None:
    return User.from_row(row) if row else None


@strawberry.type(description="A named set of actions in one domain; members hold one role each.")
class Role(Node):
    name: str = strawberry.field(description="Unique within its domain.")
    actions: list[Action] = strawberry.field(description="What holders of this role may do.")
    built_in: bool = strawberry.field(
        description="`admin` and `member`, made with the domain: they cannot be changed."
    )

    @classmethod
    def from_row(cls, row: rows.Role) -> Role:
        return cls(
            id=strawberry.ID(ids.text(row.id)),
            name=row.name,
            actions=[Action(a) for a in row.actions],
            built_in=row.built_in,
        )


@strawberry.type(
    description="A workspace whose members hold roles. Visible to its members with "
    "DOMAIN_READ; its name also to the people it invites."
)
class Domain(Node):
    name: str = strawberry.field(description="1..100 characters.")
    created_at: datetime = strawberry.field(description="When it was created.")
    invitation_ttl_seconds: int | None = strawberry.field(
        description=(
            "How long invitations sent or resent from this domain stay open, in seconds; "
            "null: the server's default (INVITATION_TTL_SECONDS). Set with updateDomain."
        )
    )

    @strawberry.field(description="The caller's role here; null when not a member.")
    async def my_role(self, info: Info) -> Role | None:
        grant = await info.context.loaders.grant.load(UUID(self.id))
        return Role.from_row(grant.role) if grant else None

    @strawberry.field(description="The domain's roles, built-in first; empty without DOMAIN_READ.")
    async def roles(self, info: Info) -> list[Role]:
        return [Role.from_row(r) for r in await info.context.loaders.roles.load(UUID(self.id))]

    @classmethod
    def from_row(cls, row: rows.Domain) -> Domain:
        return cls(
            id=strawberry.ID(ids.text(row.id)),
            name=row.name,
            created_at=row.created_at,
            invitation_ttl_seconds=row.invitation_ttl_seconds,
        )


@strawberry.type(description="A signed-in session: the token and whose it is.")
class AuthPayload:
    token: str = strawberry.field(
        description="Send as `Authorization: Bearer <token>` (HTTP) or in `connection_init` "
        "(WebSocket); valid until it expires or `signOut`."
    )
    user: User = strawberry.field(description="The signed-in user.")
    invitation: Invitation | None = strawberry.field(
        default=None,
        description=(
            "The invitation signUp claimed with its invitationToken (now the new user's, "
            "PENDING); null otherwise."
        ),
    )


@strawberry.type(description="A user's membership of a domain (a row of the Members table).")
class Member:
    user: User = strawberry.field(description="The member.")
    role: Role = strawberry.field(description="Their role in the domain.")
    joined_at: datetime = strawberry.field(description="When they joined.")
    invited_by: User | None = strawberry.field(
        description="Who invited them; null for the domain's creator."
    )

    @classmethod
    def from_row(cls, row: MemberRow) -> Member:
        return cls(
            user=User.from_row(row.user),
            role=Role.from_row(row.role),
            joined_at=row.joined_at,
            invited_by=_optional_user(row.invited_by),
        )


@strawberry.type(
    description="An invitation to join a domain with a role. Visible to its invitee and to "
    "members of its domain with INVITATION_READ."
)
class Invitation(Node):
    domain: Domain = strawberry.field(description="The domain it invites to.")
    invitee: User | None = strawberry.field(
        description="The invited user; null for an e-mail invitation nobody has claimed yet."
    )
    invited_by: User = strawberry.field(description="Who sent it.")
    role: Role = strawberry.field(description="The role the invitee gets on accepting.")
    status: InvitationStatus = strawberry.field(description="Where it stands now.")
    created_at: datetime = strawberry.field(description="When it was first sent.")
    updated_at: datetime = strawberry.field(description="When anything last happened to it.")
    confirmed_at: datetime | None = strawberry.field(
        description="When it was accepted; null until then."
    )
    rejected_at: datetime | None = strawberry.field(
        description="When it was declined; null until then, and again after a resend."
    )
    resent_at: datetime | None = strawberry.field(
        description="When it was last resent; null if never."
    )
    resend_count: int = strawberry.field(description="How many times it was resent.")
    invitee_email: str = strawberry.field(
        description=(
            "The address invited: the one typed for an invitation by e-mail (kept after it "
            "is claimed), else the invitee's account e-mail."
        )
    )
    expires_at: datetime = strawberry.field(
        description=(
            "When it expires if nobody answers: when it was sent or last resent, plus the "
            "domain's invitationTtlSeconds (or the server's default) in force then. Past "
            "it, a PENDING invitation reads as EXPIRED."
        )
    )
    message: str | None = strawberry.field(
        description="The inviter's note, plain text of at most 500 characters; null when none."
    )

    @strawberry.field(
        description=(
            "The state of the latest e-mail about this invitation; null when none was sent "
            "or the caller lacks INVITATION_READ in its domain."
        )
    )
    async def email_delivery(self, info: Info) -> EmailDelivery | None:
        key = (UUID(self.domain.id), UUID(self.id))
        found = await info.context.loaders.email_delivery.load(key)
        return EmailDelivery.from_row(found) if found else None

    @strawberry.field(description="Every transition, oldest first; survives resend and delete.")
    async def history(self, info: Info) -> list[InvitationEvent]:
        events = await info.context.loaders.history.load(UUID(self.id))
        return [InvitationEvent.from_row(e) for e in events]

    @classmethod
    def from_row(cls, row: reads.Invitation) -> Invitation:
        return cls(
            id=strawberry.ID(ids.text(row.id)),
            domain=Domain.from_row(row.domain),
            invitee=_optional_user(row.invitee),
            invited_by=User.from_row(row.invited_by),
            role=Role.from_row(row.role),
            status=InvitationStatus(row.status),
            created_at=row.created_at,
            updated_at=row.updated_at,
            confirmed_at=row.confirmed_at,
            rejected_at=row.rejected_at,
            resent_at=row.resent_at,
            resend_count=row.resend_count,
            invitee_email=row.invitee_email,
            expires_at=row.expires_at,
            message=row.message,
        )


@strawberry.type(description="How the e-mail about an invitation fared.")
class EmailDelivery:
    status: EmailDeliveryStatus = strawberry.field(description="QUEUED, SENT or FAILED.")
    attempts: int = strawberry.field(description="Sends tried so far (retries included).")
    last_error: str | None = strawberry.field(
        description="Why the last attempt failed (the mail server's answer); null once sent."
    )
    sent_at: datetime | None = strawberry.field(description="When the mail server accepted it.")

    @classmethod
    def from_row(cls, row: emails.Delivery) -> EmailDelivery:
        return cls(
            status=EmailDeliveryStatus(row.status),
            attempts=row.attempts,
            last_error=row.last_error,
            sent_at=row.sent_at,
        )


@strawberry.type(
    description="One thing that happened to an invitation; kept after the invitation is "
    "deleted. Visible to the invitation's invitee and to INVITATION_READ holders."
)
class InvitationEvent(Node):
    id: strawberry.ID = strawberry.field(
        description="Unique across every type; `invitationEvents(after:)` resumes after it."
    )
    kind: InvitationEventKind = strawberry.field(description="What happened.")
    at: datetime = strawberry.field(description="When it happened.")
    actor: User | None = strawberry.field(description="Who did it; null when nobody did (expiry).")
    invitation_id: strawberry.ID = strawberry.field(
        description="The invitation's id, also once it is deleted."
    )
    domain: Domain = strawberry.field(description="The invitation's domain.")
    invitee: User | None = strawberry.field(
        description="The invitee at the time; null for an unclaimed e-mail invitation."
    )
    role: Role = strawberry.field(description="The invitation's role at the time.")

    @strawberry.field(description="The invitation as it is now; null once deleted.")
    async def invitation(self, info: Info) -> Invitation | None:
        row = await info.context.loaders.invitation.load(UUID(self.invitation_id))
        return Invitation.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: reads.Event) -> InvitationEvent:
        return cls(
            id=strawberry.ID(ids.text(row.id)),
            kind=InvitationEventKind(row.kind),
            at=row.at,
            actor=_optional_user(row.actor),
            invitation_id=strawberry.ID(ids.text(row.invitation_id)),
            domain=Domain.from_row(row.domain),
            invitee=_optional_user(row.invitee),
            role=Role.from_row(row.role),
        )


@strawberry.type(
    description="What deleteInvitation removed. Not a Node: `id` names an invitation that "
    "no longer exists (Apollo: evict `Invitation:<id>`; Relay: `id @deleteRecord`)."
)
class DeletedInvitation:
    id: strawberry.ID = strawberry.field(description="The deleted invitation's id.")
