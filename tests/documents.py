"""The GraphQL documents the tests send, one per operation, each selecting what every
test of that operation reads (the probes and limits tests keep their hostile documents)."""

from __future__ import annotations

# ---------------------------------------------------------------- accounts

SIGN_UP = """mutation SignUp($email: String!, $name: String!, $password: String!) {
  signUp(email: $email, name: $name, password: $password) {
    __typename
    ... on AuthPayload { token user { id email name } }
    ... on UserError { code message }
    ... on InvalidInput { field }
  }
}"""
SIGN_IN = """mutation SignIn($email: String!, $password: String!) {
  signIn(email: $email, password: $password) {
    __typename
    ... on AuthPayload { token user { email } }
    ... on UserError { code message }
  }
}"""
SIGN_OUT = "mutation { signOut }"
ME = "{ me { id email name } }"
USERS = """query Users($search: String!, $first: Int) {
  users(search: $search, first: $first) { id name email }
}"""

# ---------------------------------------------------------------- domains and roles

DOMAIN_FIELDS = """
  __typename id name createdAt invitationTtlSeconds
  myRole { name builtIn actions } roles { id name builtIn actions }
"""
CREATE_DOMAIN = f"""mutation CreateDomain($name: String!) {{
  createDomain(name: $name) {{
    __typename
    ... on Domain {{ {DOMAIN_FIELDS} }}
    ... on UserError {{ code message }}
  }}
}}"""
UPDATE_DOMAIN = f"""mutation UpdateDomain($domainId: ID!, $name: String, $ttl: Int) {{
  updateDomain(domainId: $domainId, name: $name, invitationTtlSeconds: $ttl) {{
    __typename
    ... on Domain {{ {DOMAIN_FIELDS} }}
    ... on UserError {{ code message }}
    ... on InvalidInput {{ field }}
  }}
}}"""
DOMAINS = f"{{ domains {{ {DOMAIN_FIELDS} }} }}"
DOMAIN = f"query Domain($id: ID!) {{ domain(id: $id) {{ {DOMAIN_FIELDS} }} }}"
CREATE_ROLE = """mutation CreateRole($domainId: ID!, $name: String!, $actions: [Action!]!) {
  createRole(domainId: $domainId, name: $name, actions: $actions) {
    __typename
    ... on Role { id name actions builtIn }
    ... on UserError { code message }
  }
}"""

# ---------------------------------------------------------------- invitations

# `message` under an alias: beside `... on UserError { message }` (a String!) in one
# selection, GraphQL refuses two `message` fields of different types.
INVITATION_FIELDS = """
  id status createdAt updatedAt confirmedAt rejectedAt resentAt resendCount expiresAt
  invitationMessage: message
  domain { id name } invitee { id name } invitedBy { id name } role { id name }
  history { kind at actor { id } invitationId }
"""
SEND = f"""mutation Send($domainId: ID!, $inviteeIds: [ID!]!, $roleId: ID!, $message: String) {{
  sendInvitations(domainId: $domainId, inviteeIds: $inviteeIds, roleId: $roleId,
                  message: $message) {{
    __typename
    ... on SendInvitationsPayload {{ results {{
      __typename
      ... on Invitation {{ {INVITATION_FIELDS} }}
      ... on UserError {{ code message }}
    }} }}
    ... on UserError {{ code message }}
    ... on InvalidInput {{ field }}
  }}
}}"""
RESPOND = f"""mutation Respond($id: ID!, $response: InvitationResponse!) {{
  respondToInvitation(invitationId: $id, response: $response) {{
    __typename
    ... on Invitation {{ {INVITATION_FIELDS} }}
    ... on UserError {{ code message }}
    ... on InvitationNotPending {{ status }}
  }}
}}"""
RESEND = f"""mutation Resend($id: ID!) {{
  resendInvitation(invitationId: $id) {{
    __typename
    ... on Invitation {{ {INVITATION_FIELDS} }}
    ... on UserError {{ code message }}
    ... on InvitationNotRejected {{ status }}
  }}
}}"""
DELETE = """mutation Delete($id: ID!) {
  deleteInvitation(invitationId: $id) {
    __typename
    ... on DeletedInvitation { id }
    ... on UserError { code message }
    ... on InvitationNotPending { status }
  }
}"""
INVITATION = f"query Invitation($id: ID!) {{ invitation(id: $id) {{ {INVITATION_FIELDS} }} }}"

# ---------------------------------------------------------------- pages
# Every relation a row has is selected, so that the query-count tests cover them all.

PENDING = """query Pending($first: Int, $after: String) {
  pendingInvitations(first: $first, after: $after) {
    totalCount
    edges { cursor node { id domain { name } role { name } invitedBy { name } createdAt } }
    nodes { id }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
MY_INVITATIONS = """query MyInvitations($status: InvitationStatus, $first: Int, $after: String) {
  myInvitations(status: $status, first: $first, after: $after) {
    totalCount nodes { id status updatedAt expiresAt } pageInfo { hasNextPage endCursor }
  }
}"""
INVITATIONS = """query Invitations($domainId: ID!, $status: InvitationStatus, $invitedBy: ID,
                             $inviteeId: ID, $first: Int, $after: String) {
  invitations(domainId: $domainId, status: $status, invitedBy: $invitedBy,
              inviteeId: $inviteeId, first: $first, after: $after) {
    totalCount
    nodes {
      id status domain { id name myRole { name } roles { name } }
      role { name actions } invitee { id name email } invitedBy { id name }
      history { kind actor { name } invitation { id status } }
    }
    pageInfo { hasNextPage endCursor }
  }
}"""
MEMBERS = """query Members($domainId: ID!, $first: Int, $after: String) {
  members(domainId: $domainId, first: $first, after: $after) {
    totalCount
    nodes { user { id name } role { name } joinedAt invitedBy { id name } }
    pageInfo { hasNextPage endCursor }
  }
}"""
AUDIT = """query Audit($domainId: ID!, $first: Int, $after: String) {
  auditLog(domainId: $domainId, first: $first, after: $after) {
    totalCount
    nodes { kind at actor { id name } invitationId invitee { id name } role { name }
            domain { id } invitation { id status } }
    pageInfo { hasNextPage endCursor }
  }
}"""

# ---------------------------------------------------------------- subscriptions

INVITATION_RECEIVED = """subscription InvitationReceived {
  invitationReceived { id status resendCount domain { id name } invitee { id }
                       invitedBy { name } role { name } }
}"""
INVITATION_EVENTS = """subscription InvitationEvents($domainId: ID!) {
  invitationEvents(domainId: $domainId) {
    kind invitationId actor { id } invitee { id } role { name } invitation { id status }
  }
}"""

# ---------------------------------------------------------------- members

MEMBER_FIELDS = "user { id name } role { id name } joinedAt invitedBy { id name }"
CHANGE_MEMBER_ROLE = f"""mutation ChangeMemberRole($domainId: ID!, $userId: ID!, $roleId: ID!) {{
  changeMemberRole(domainId: $domainId, userId: $userId, roleId: $roleId) {{
    __typename
    ... on Member {{ {MEMBER_FIELDS} }}
    ... on UserError {{ code message }}
  }}
}}"""
REMOVE_MEMBER = """mutation RemoveMember($domainId: ID!, $userId: ID!) {
  removeMember(domainId: $domainId, userId: $userId) {
    __typename
    ... on RemovedMember { domainId userId }
    ... on UserError { code message }
  }
}"""
LEAVE_DOMAIN = """mutation LeaveDomain($domainId: ID!) {
  leaveDomain(domainId: $domainId) {
    __typename
    ... on RemovedMember { domainId userId }
    ... on UserError { code message }
  }
}"""
MEMBER_EVENT_FIELDS = (
    "id kind at actor { id name } user { id name } role { name } previousRole { name }"
)
MEMBER_HISTORY = f"""query MemberHistory($domainId: ID!, $first: Int, $after: String) {{
  memberHistory(domainId: $domainId, first: $first, after: $after) {{
    totalCount
    nodes {{ {MEMBER_EVENT_FIELDS} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}"""
MEMBER_EVENTS = f"""subscription MemberEvents($domainId: ID!, $after: ID) {{
  memberEvents(domainId: $domainId, after: $after) {{ {MEMBER_EVENT_FIELDS} }}
}}"""
