"""The GraphQL documents the load sends, and the one request line format wrk replays.

`INVITATIONS` and `MEMBERS` are the web app's Invitations and Members tables
(app/static/js/operations.js, with the page sizes of app/static/js/views/domain.js).
`PENDING` is the pop-up's first page in the shape the peer's schema also serves.
The floor answers exactly these read documents.
"""

from __future__ import annotations

import json
from typing import Any

PENDING = (
    "query Pending { pendingInvitations(first: 5) { totalCount edges { cursor node { id "
    "domain { name } role { name } invitedBy { name } createdAt } } "
    "pageInfo { hasNextPage endCursor } } }"
)
PENDING_NO_COUNT = PENDING.replace("totalCount ", "")

USER = "id name email"
INVITATION = (
    "id status createdAt updatedAt confirmedAt rejectedAt resentAt resendCount "
    f"domain {{ id name }} invitee {{ {USER} }} invitedBy {{ {USER} }} role {{ id name }}"
)
PAGE_INFO = "pageInfo { hasNextPage endCursor } totalCount"
INVITATIONS_PAGE, MEMBERS_PAGE = 10, 20
INVITATIONS = (
    "query Invitations($domainId: ID!, $status: InvitationStatus, $first: Int, $after: String) "
    "{ invitations(domainId: $domainId, status: $status, first: $first, after: $after) "
    f"{{ nodes {{ {INVITATION} }} {PAGE_INFO} }} }}"
)
MEMBERS = (
    "query Members($domainId: ID!, $first: Int, $after: String) "
    "{ members(domainId: $domainId, first: $first, after: $after) "
    f"{{ nodes {{ user {{ {USER} }} role {{ id name }} joinedAt invitedBy {{ {USER} }} }} "
    f"{PAGE_INFO} }} }}"
)

SEND = (
    "mutation Send($d: ID!, $u: [ID!]!, $r: ID!) { sendInvitations(domainId: $d, "
    "inviteeIds: $u, roleId: $r) { __typename ... on SendInvitationsPayload { results { "
    "__typename ... on Invitation { id status } ... on UserError { code message } } } "
    "... on UserError { code message } } }"
)
RESPOND = (
    "mutation Respond($i: ID!, $r: InvitationResponse!) { respondToInvitation(invitationId: $i,"
    " response: $r) { __typename ... on Invitation { id status } "
    "... on UserError { code message } } }"
)


def invitations_variables(domain_id: str) -> dict[str, Any]:
    """What the Invitations table sends for its first page with no status filter."""
    return {"domainId": domain_id, "status": None, "first": INVITATIONS_PAGE}


def members_variables(domain_id: str) -> dict[str, Any]:
    return {"domainId": domain_id, "first": MEMBERS_PAGE}


def line(token: str | None, query: str, variables: dict[str, Any] | None = None) -> str:
    """One request for load.lua: `<Authorization value>\\t<JSON body>`."""
    body: dict[str, Any] = {"query": query}
    if variables:
        body["variables"] = variables
    return f"{'Bearer ' + token if token else ''}\t{json.dumps(body, separators=(',', ':'))}"
