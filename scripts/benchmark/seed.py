"""Seed rows through `app.models` (never through services): users, domains with their
built-in roles and admin, invitations with their history and the memberships of the
accepted ones. Each table's columns are written in one function here."""

from __future__ import annotations

import collections
import itertools
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from tortoise.models import Model
from tortoise.transactions import in_transaction

from app import models
from app.permissions import ADMIN_ROLE, BUILT_IN_ROLES, MEMBER_ROLE

Status = models.InvitationStatus
Kind = models.InvitationEventKind


@dataclass(frozen=True)
class Size:
    users: int
    domains: int
    invitations: int
    pending_users: int = 200  # users the read load signs in as
    pending_each: int = 8  # PENDING invitations each of them is guaranteed
    admin_domains: int = 50  # domains whose admins the domain-table load signs in as


TTL = timedelta(days=7)
QUICK = Size(users=2_000, domains=100, invitations=50_000)
FULL = Size(users=10_000, domains=1_000, invitations=1_000_000)
SMALL = Size(users=10_000, domains=1_000, invitations=10_000)


class DomainRows(NamedTuple):
    """What creating a domain writes: the domain, its built-in roles, its admin."""

    domain: models.Domain
    roles: dict[str, models.Role]
    admin: models.Membership


def domain_rows(name: str, admin_id: UUID, at: datetime) -> DomainRows:
    domain = models.Domain(name=name, created_at=at)
    roles = {
        role_name: models.Role(
            domain_id=domain.id,
            name=role_name,
            actions=sorted(actions),
            built_in=True,
            holds_all_actions=role_name == ADMIN_ROLE,
            created_at=at,
        )
        for role_name, actions in BUILT_IN_ROLES.items()
    }
    admin = models.Membership(
        domain_id=domain.id, user_id=admin_id, role_id=roles[ADMIN_ROLE].id, joined_at=at
    )
    return DomainRows(domain, roles, admin)


def invitation_row(
    role: models.Role,
    inviter: UUID,
    invitee: tuple[UUID, str],
    status: Status,
    sent: datetime,
    answered: datetime,
) -> models.Invitation:
    expires = sent + TTL
    return models.Invitation(
        domain_id=role.domain_id,
        invitee_id=invitee[0],
        invitee_email=invitee[1],
        invited_by_id=inviter,
        role_id=role.id,
        status=status,
        expires_at=expires,
        created_at=sent,
        updated_at=sent if status is Status.PENDING else answered,
        confirmed_at=answered if status is Status.ACCEPTED else None,
        rejected_at=answered if status is Status.REJECTED else None,
    )


def event_row(
    invitation: models.Invitation, kind: Kind, actor: UUID, at: datetime, position: int
) -> models.InvitationEvent:
    """A history row, already published: the relay starts after the seeded positions."""
    return models.InvitationEvent(
        invitation_id=invitation.id,
        kind=kind,
        at=at,
        actor_id=actor,
        domain_id=invitation.domain_id,
        invitee_id=invitation.invitee_id,
        invitee_email=invitation.invitee_email,
        role_id=invitation.role_id,
        position=position,
    )


async def bulk(model: type[Model], rows: list[Any], chunk: int = 5_000) -> None:
    for start in range(0, len(rows), chunk):
        async with in_transaction():
            await model.bulk_create(rows[start : start + chunk], batch_size=500)


@dataclass
class Batch:
    """Rows waiting to be written together."""

    invitations: list[models.Invitation] = field(default_factory=list)
    events: list[models.InvitationEvent] = field(default_factory=list)
    memberships: list[models.Membership] = field(default_factory=list)

    def clear(self) -> None:
        for rows in (self.invitations, self.events, self.memberships):
            rows.clear()


class SeededDomain(NamedTuple):
    rows: DomainRows
    admin: int  # index of its admin in Seeder.user_ids


class Seeder:
    """Writes `size` rows; users are addressed by index into `user_ids`. Users
    0..pending_users-1 are the read load's, the next one is the bench admin."""

    def __init__(self, size: Size, rng: random.Random) -> None:
        self.size, self.rng = size, rng
        self.now = models.utcnow()
        self.user_ids: list[UUID] = []
        self.domains: list[SeededDomain] = []
        # PENDING invitations of users outside the read load, for respondToInvitation.
        self.pending_of: dict[int, list[UUID]] = collections.defaultdict(list)
        self.counts: collections.Counter[str] = collections.Counter()
        self.positions = itertools.count(1)

    @property
    def bench_admin(self) -> int:
        return self.size.pending_users

    def _ago(self, days: float) -> datetime:
        return self.now - timedelta(seconds=self.rng.uniform(60, days * 86400))

    @staticmethod
    def email(user: int) -> str:
        return f"user{user}@bench.example"

    async def users(self, password_hash: str) -> None:
        rows = [
            models.User(
                email=self.email(i),
                name=f"User {i}",
                password_hash=password_hash,
                created_at=self.now - timedelta(days=400),
            )
            for i in range(self.size.users)
        ]
        await bulk(models.User, rows)
        self.user_ids = [u.id for u in rows]
        self.counts["users"] = len(rows)

    def _admin_of(self, d: int) -> int:
        first = self.bench_admin + 1
        return first + d % (self.size.users - first)

    async def seed_domains(self) -> None:
        for d in range(self.size.domains):
            admin = self._admin_of(d)
            rows = domain_rows(f"Domain {d}", self.user_ids[admin], self._ago(400))
            self.domains.append(SeededDomain(rows, admin))
        await self.write_domains([d.rows for d in self.domains])

    async def write_domains(self, made: list[DomainRows]) -> None:
        await bulk(models.Domain, [d.domain for d in made])
        await bulk(models.Role, [r for d in made for r in d.roles.values()])
        await bulk(models.Membership, [d.admin for d in made])
        self.counts["domains"] += len(made)
        self.counts["memberships"] += len(made)

    async def invitations(self) -> None:
        """`size.invitations` spread over the domains; each read-load user gets
        `pending_each` PENDING ones, the rest are random with a random outcome."""
        size, rng = self.size, self.rng
        forced: dict[int, list[int]] = collections.defaultdict(list)
        for u in range(size.pending_users):
            for d in rng.sample(range(size.domains), min(size.pending_each, size.domains)):
                forced[d].append(u)
        per_domain, extra = divmod(size.invitations, size.domains)
        batch = Batch()
        for d, seeded in enumerate(self.domains):
            wanted = per_domain + (1 if d < extra else 0)
            chosen = forced[d][:wanted]
            excluded = {seeded.admin, *chosen}
            pool = rng.sample(range(size.users), min(size.users, wanted + len(excluded) + 8))
            randoms = [u for u in pool if u not in excluded][: wanted - len(chosen)]
            for i, u in enumerate(chosen + randoms):
                status = Status.PENDING if i < len(chosen) else self._outcome()
                role = seeded.rows.roles[ADMIN_ROLE if rng.random() < 0.1 else MEMBER_ROLE]
                self._invitation(batch, role, seeded.admin, u, status)
            if len(batch.invitations) >= 20_000 or d == len(self.domains) - 1:
                await self._flush(batch)

    def _outcome(self) -> Status:
        statuses = [Status.PENDING, Status.ACCEPTED, Status.REJECTED]
        return self.rng.choices(statuses, [40, 35, 25])[0]

    def _invitation(
        self, batch: Batch, role: models.Role, admin: int, invitee: int, status: Status
    ) -> None:
        # An invitation still PENDING was sent within its TTL (older ones read as EXPIRED),
        # a day short of it, so it stays PENDING for the whole run.
        sent = self._ago(TTL.days - 1 if status is Status.PENDING else 365)
        answered = min(self.now, sent + timedelta(seconds=self.rng.uniform(60, 3 * 86400)))
        inviter, invitee_id = self.user_ids[admin], self.user_ids[invitee]
        inv = invitation_row(
            role, inviter, (invitee_id, self.email(invitee)), status, sent, answered
        )
        batch.invitations.append(inv)
        batch.events.append(event_row(inv, Kind.SENT, inviter, sent, next(self.positions)))
        if status is Status.ACCEPTED:
            batch.events.append(
                event_row(inv, Kind.ACCEPTED, invitee_id, answered, next(self.positions))
            )
            batch.memberships.append(
                models.Membership(
                    domain_id=role.domain_id,
                    user_id=invitee_id,
                    role_id=role.id,
                    joined_at=answered,
                    invitation_id=inv.id,
                )
            )
        elif status is Status.REJECTED:
            batch.events.append(
                event_row(inv, Kind.REJECTED, invitee_id, answered, next(self.positions))
            )
        elif invitee > self.bench_admin:
            self.pending_of[invitee].append(inv.id)

    async def _flush(self, batch: Batch) -> None:
        await bulk(models.Invitation, batch.invitations)
        await bulk(models.InvitationEvent, batch.events)
        await bulk(models.Membership, batch.memberships)
        self.counts["invitations"] += len(batch.invitations)
        self.counts["invitation_events"] += len(batch.events)
        self.counts["memberships"] += len(batch.memberships)
        batch.clear()

    async def mark_published(self) -> None:
        """The relay's cursor after the seeded events, so it publishes only new ones."""
        assigned = next(self.positions) - 1
        await models.RelayCursor.filter(id=1).update(assigned=assigned)
