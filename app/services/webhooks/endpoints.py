"""Managing a domain's webhooks: list, create, change, delete, rotate the secret, and
read a webhook's deliveries. Every function needs WEBHOOK_MANAGE in the domain."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, NamedTuple
from uuid import UUID

from tortoise.transactions import in_transaction

from app import errors, models, sql
from app.auth import Session
from app.ids import parse_id
from app.models import WebhookEventType
from app.permissions import Action, authorize, webhook_for_manager
from app.runtime import Runtime
from app.services.pagination import Page, Paging
from app.services.validation import check_text
from app.services.webhooks import destinations, reads, secrets

logger = logging.getLogger("app.webhooks")

MAX_WEBHOOKS = 20  # per domain: each event becomes one delivery per webhook
DESCRIPTION_MAX = 500
DELIVERIES_PAGE = 20


class WithSecret(NamedTuple):
    """A webhook and its signing secret, shown once: on creation and on rotation."""

    webhook: reads.Webhook
    secret: str


async def list_webhooks(caller: Session | None, *, domain_id: str) -> list[reads.Webhook]:
    """A domain's webhooks, newest first."""
    grant = await authorize(caller, Action.WEBHOOK_MANAGE, parse_id(domain_id, name="domainId"))
    return await reads.of_domain(grant.domain_id)


async def create(
    caller: Session | None,
    *,
    domain_id: str,
    url: str,
    events: Sequence[WebhookEventType],
    description: str | None,
    runtime: Runtime,
) -> WithSecret:
    """Add a webhook receiving the domain's events of the given types."""
    grant = await authorize(caller, Action.WEBHOOK_MANAGE, parse_id(domain_id, name="domainId"))
    url = await destinations.check_destination(url, production=runtime.settings.production)
    mask, note = _mask(events), _description(description)
    if await sql.fetch_value(reads.COUNT_OF_DOMAIN, grant.domain_id) >= MAX_WEBHOOKS:
        raise errors.InvalidInputError(
            f"A domain has at most {MAX_WEBHOOKS} webhooks: delete one first", field="domainId"
        )
    seed, now = secrets.new_seed(), runtime.clock.now()
    async with in_transaction():
        row = await models.Webhook.create(
            domain_id=grant.domain_id,
            url=url,
            event_mask=mask,
            description=note,
            secret=seed,
            created_at=now,
            updated_at=now,
        )
        created = await _current(row.id)
    logger.info("webhook %s created in domain %s by %s", row.id, grant.domain_id, grant.user_id)
    return WithSecret(created, secrets.signing_secret(runtime.settings.secret_key, seed))


async def update(
    caller: Session | None,
    *,
    webhook_id: str,
    url: str | None,
    events: Sequence[WebhookEventType] | None,
    enabled: bool | None,
    description: str | None,
    runtime: Runtime,
) -> reads.Webhook:
    """Change what is given; enabling clears an automatic disabling and its failures."""
    webhook = parse_id(webhook_id, name="webhookId")
    await webhook_for_manager(caller, webhook)
    changes: dict[str, Any] = {"updated_at": runtime.clock.now()}
    if url is not None:
        production = runtime.settings.production
        changes["url"] = await destinations.check_destination(url, production=production)
    if events is not None:
        changes["event_mask"] = _mask(events)
    if description is not None:
        changes["description"] = _description(description)
    if enabled is not None:
        changes.update(enabled=enabled, disabled_reason=None, consecutive_failures=0)
    return await _change(webhook, **changes)


async def delete(caller: Session | None, *, webhook_id: str) -> UUID:
    """Delete a webhook with its deliveries; nothing more is sent to it."""
    webhook = parse_id(webhook_id, name="webhookId")
    grant = await webhook_for_manager(caller, webhook)
    if not await models.Webhook.filter(id=webhook).delete():
        raise _gone()
    logger.info("webhook %s deleted by %s", webhook, grant.user_id)
    return webhook


async def rotate_secret(caller: Session | None, *, webhook_id: str, runtime: Runtime) -> WithSecret:
    """Replace the signing secret at once: every attempt from now on is signed with the new one."""
    webhook = parse_id(webhook_id, name="webhookId")
    grant = await webhook_for_manager(caller, webhook)
    seed = secrets.new_seed()
    changed = await _change(webhook, secret=seed, updated_at=runtime.clock.now())
    logger.info("webhook %s secret rotated by %s", webhook, grant.user_id)
    return WithSecret(changed, secrets.signing_secret(runtime.settings.secret_key, seed))


async def deliveries(
    caller: Session | None, *, webhook_id: str, paging: Paging
) -> Page[reads.Delivery]:
    """A webhook's deliveries, newest first."""
    webhook = parse_id(webhook_id, name="webhookId")
    await webhook_for_manager(caller, webhook)
    return await reads.DELIVERIES.page(
        ("d.webhook_id = ?",),
        [webhook],
        paging,
        size=DELIVERIES_PAGE,
        read=reads.delivery,
        key=lambda item: (item.created_at, item.id),
    )


def _mask(events: Sequence[WebhookEventType]) -> int:
    if not events:
        raise errors.InvalidInputError("events must name at least one event type", field="events")
    return reads.mask_of(events)


def _description(value: str | None) -> str | None:
    text = check_text(value or "", field="description", validated=True).strip()
    if len(text) > DESCRIPTION_MAX:
        raise errors.InvalidInputError(
            f"description must be at most {DESCRIPTION_MAX} characters", field="description"
        )
    return text or None


async def _change(webhook_id: UUID, **changes: Any) -> reads.Webhook:
    """Update the webhook and read it back in the same transaction (a delete right after
    the commit cannot turn the change into an error)."""
    async with in_transaction():
        if not await models.Webhook.filter(id=webhook_id).update(**changes):
            raise _gone()
        return await _current(webhook_id)


async def _current(webhook_id: UUID) -> reads.Webhook:
    found = await reads.one(webhook_id)
    if found is None:
        raise _gone()
    return found


def _gone() -> errors.NotFoundError:
    return errors.NotFoundError("No such webhook: it was deleted")
