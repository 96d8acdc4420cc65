"""Reading invitations: the caller's lists, a domain's table, one invitation, the audit log.

Each function authorizes first, then reads through the compiled SQL in `reads`.
"""

from __future__ import annotations

from app import errors
from app.auth import Session
from app.ids import parse_id
from app.models import InvitationStatus as Status
from app.permissions import Action, authorize, invitation_for_reader, signed_in
from app.runtime import Runtime
from app.services.invitations import reads
from app.services.pagination import Page, Paging

PENDING_PAGE = 5
MINE_PAGE = 20
DOMAIN_PAGE = 10
AUDIT_PAGE = 20


async def pending(
    caller: Session | None, *, paging: Paging, runtime: Runtime
) -> Page[reads.Invitation]:
    """The caller's PENDING invitations, newest first (the pop-up and "View All")."""
    return await mine(
        caller, status=Status.PENDING, paging=paging, runtime=runtime, size=PENDING_PAGE
    )


async def mine(
    caller: Session | None,
    *,
    status: Status | None,
    paging: Paging,
    runtime: Runtime,
    size: int = MINE_PAGE,
) -> Page[reads.Invitation]:
    """The caller's invitations in any (or one) status, newest first."""
    user = signed_in(caller).user
    now = runtime.clock.now()
    return await reads.OWN_LIST.page(
        ("i.invitee_id = ?",),
        [user.id],
        branches=reads.status_is(status, now),
        select_params=reads.as_of(now),
        paging=paging,
        size=size,
        read=lambda row: reads.invitation(row, invitee=user),
        key=reads.invitation_key,
    )


async def of_domain(
    caller: Session | None,
    *,
    domain_id: str,
    status: Status | None,
    invited_by: str | None,
    invitee_id: str | None,
    paging: Paging,
    runtime: Runtime,
) -> Page[reads.Invitation]:
    """A domain's invitations for its Invitations table, newest first."""
    domain = parse_id(domain_id, name="domainId")
    await authorize(caller, Action.INVITATION_READ, domain)
    filters = {
        "i.invited_by_id = ?": invited_by and parse_id(invited_by, name="invitedBy"),
        "i.invitee_id = ?": invitee_id and parse_id(invitee_id, name="inviteeId"),
    }
    given = {condition: value for condition, value in filters.items() if value is not None}
    now = runtime.clock.now()
    return await reads.DOMAIN_LIST.page(
        ("i.domain_id = ?", *given),
        [domain, *given.values()],
        branches=reads.status_is(status, now),
        select_params=reads.as_of(now),
        paging=paging,
        size=DOMAIN_PAGE,
        read=reads.invitation,
        key=reads.invitation_key,
    )


async def get(
    caller: Session | None, *, invitation_id: str, runtime: Runtime
) -> reads.Invitation | None:
    """One invitation for its invitee or a reader of its domain; None when not visible."""
    try:
        ref = await invitation_for_reader(caller, parse_id(invitation_id, name="id"))
    except errors.NotFoundError:
        return None
    return await reads.one(ref.id, runtime.clock.now())  # None: deleted since authorized


async def audit_log(caller: Session | None, *, domain_id: str, paging: Paging) -> Page[reads.Event]:
    """Every invitation event of a domain, deletions included, newest first."""
    domain = parse_id(domain_id, name="domainId")
    await authorize(caller, Action.INVITATION_READ, domain)
    return await reads.AUDIT_LIST.page(
        ("v.domain_id = ?",),
        [domain],
        paging,
        size=AUDIT_PAGE,
        read=reads.event,
        key=reads.event_key,
    )
