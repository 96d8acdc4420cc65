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
  id status createdAt updatedAt confirmedAt rejectedAt resentAt resendCount inviteeEmail
  expiresAt invitationMessage: message
  domain { id name } invitee { id name } invitedBy { id name } role { id name }
  history { kind at actor { id } invitationId invitee { id } }
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
SEND_TO = f"""mutation SendTo($domainId: ID!, $inviteeIds: [ID!], $emails: [String!],
                         $roleId: ID!) {{
  sendInvitations(domainId: $domainId, inviteeIds: $inviteeIds, emails: $emails,
                  roleId: $roleId) {{
    __typename
    ... on SendInvitationsPayload {{ results {{
      __typename
      ... on Invitation {{
        {INVITATION_FIELDS} emailDelivery {{ status attempts lastError sentAt }}
      }}
      ... on UserError {{ code message }}
      ... on InvalidInput {{ field }}
    }} }}
    ... on UserError {{ code message }}
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
EMAIL_DELIVERY = """query EmailDelivery($id: ID!) {
  invitation(id: $id) { id emailDelivery { status attempts lastError sentAt } }
}"""

# ---------------------------------------------------------------- invitation links

BY_TOKEN = """query ByToken($token: String!) {
  invitationByToken(token: $token) {
    domainName roleName inviterName inviteeEmail message expiresAt status
  }
}"""
CLAIM = f"""mutation Claim($token: String!) {{
  claimInvitation(token: $token) {{
    __typename
    ... on Invitation {{ {INVITATION_FIELDS} }}
    ... on UserError {{ code message }}
    ... on InvitationNotPending {{ status }}
  }}
}}"""
SIGN_UP_CLAIMING = """mutation SignUpClaiming($email: String!, $name: String!, $password: String!,
                               $token: String) {
  signUp(email: $email, name: $name, password: $password, invitationToken: $token) {
    __typename
    ... on AuthPayload { token user { id email name } invitation { id status inviteeEmail
                                                                  invitee { id } } }
    ... on UserError { code message }
    ... on InvitationNotPending { status }
  }
}"""

# ---------------------------------------------------------------- pages
# Every relation a row has is selected, so that the query-count tests cover them all.

PENDING = """query Pending($first: Int, $after: String, $last: Int, $before: String) {
  pendingInvitations(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { id domain { name } role { name } invitedBy { name } createdAt } }
    nodes { id }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
MY_INVITATIONS = """query MyInvitations($status: InvitationStatus, $first: Int, $after: String,
                               $last: Int, $before: String) {
  myInvitations(status: $status, first: $first, after: $after, last: $last, before: $before) {
    totalCount nodes { id status updatedAt expiresAt }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
INVITATIONS = """query Invitations($domainId: ID!, $status: InvitationStatus, $invitedBy: ID,
                             $inviteeId: ID, $first: Int, $after: String, $last: Int,
                             $before: String) {
  invitations(domainId: $domainId, status: $status, invitedBy: $invitedBy,
              inviteeId: $inviteeId, first: $first, after: $after, last: $last,
              before: $before) {
    totalCount
    nodes {
      id status domain { id name myRole { name } roles { name } }
      role { name actions } invitee { id name email } invitedBy { id name }
      history { kind actor { name } invitation { id status } }
    }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
MEMBERS = """query Members($domainId: ID!, $first: Int, $after: String, $last: Int,
                        $before: String) {
  members(domainId: $domainId, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    nodes { user { id name } role { name } joinedAt invitedBy { id name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
AUDIT = """query Audit($domainId: ID!, $first: Int, $after: String, $last: Int,
                      $before: String) {
  auditLog(domainId: $domainId, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    nodes { id kind at actor { id name } invitationId invitee { id name } role { name }
            domain { id } invitation { id status } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""

# ---------------------------------------------------------------- objects by id

NODE_FIELDS = """
  __typename id
  ... on User { name } ... on Domain { name } ... on Role { name }
  ... on Invitation { status } ... on InvitationEvent { kind }
"""
NODE = f"query Node($id: ID!) {{ node(id: $id) {{ {NODE_FIELDS} }} }}"
NODES = f"query Nodes($ids: [ID!]!) {{ nodes(ids: $ids) {{ {NODE_FIELDS} }} }}"

# ---------------------------------------------------------------- subscriptions

INVITATION_RECEIVED = """subscription InvitationReceived {
  invitationReceived { id status resendCount domain { id name } invitee { id }
                       invitedBy { name } role { name } }
}"""
INVITATION_EVENTS = """subscription InvitationEvents($domainId: ID!, $after: ID) {
  invitationEvents(domainId: $domainId, after: $after) {
    id kind invitationId actor { id } invitee { id } role { name } invitation { id status }
  }
}"""
INVITE_CANDIDATES = """query Candidates($domainId: ID!, $search: String!, $first: Int) {
  inviteCandidates(domainId: $domainId, search: $search, first: $first) {
    totalCount nodes { user { id name } isMember pendingInvitationId }
  }
}"""

# ---------------------------------------------------------------- webhooks

WEBHOOK_FIELDS = "id url events enabled disabledReason description createdAt"
WEBHOOKS = f"""query Webhooks($domainId: ID!) {{
  webhooks(domainId: $domainId) {{ {WEBHOOK_FIELDS} }}
}}"""
CREATE_WEBHOOK = f"""mutation CreateWebhook($domainId: ID!, $url: String!,
                              $events: [WebhookEventType!]!, $description: String) {{
  createWebhook(domainId: $domainId, url: $url, events: $events, description: $description) {{
    __typename
    ... on WebhookCreated {{ secret webhook {{ {WEBHOOK_FIELDS} }} }}
    ... on UserError {{ code message }}
    ... on InvalidInput {{ field }}
  }}
}}"""
UPDATE_WEBHOOK = f"""mutation UpdateWebhook($webhookId: ID!, $url: String,
                              $events: [WebhookEventType!], $enabled: Boolean,
                              $description: String) {{
  updateWebhook(webhookId: $webhookId, url: $url, events: $events, enabled: $enabled,
                description: $description) {{
    __typename
    ... on Webhook {{ {WEBHOOK_FIELDS} }}
    ... on UserError {{ code message }}
    ... on InvalidInput {{ field }}
  }}
}}"""
DELETE_WEBHOOK = """mutation DeleteWebhook($webhookId: ID!) {
  deleteWebhook(webhookId: $webhookId) {
    __typename
    ... on DeletedWebhook { id }
    ... on UserError { code message }
  }
}"""
ROTATE_WEBHOOK_SECRET = f"""mutation RotateWebhookSecret($webhookId: ID!) {{
  rotateWebhookSecret(webhookId: $webhookId) {{
    __typename
    ... on WebhookSecretRotated {{ secret webhook {{ {WEBHOOK_FIELDS} }} }}
    ... on UserError {{ code message }}
  }}
}}"""
WEBHOOK_DELIVERIES = """query WebhookDeliveries($domainId: ID!, $first: Int, $after: String) {
  webhooks(domainId: $domainId) {
    id enabled disabledReason
    deliveries(first: $first, after: $after) {
      totalCount
      nodes {
        id eventId eventType status attempts lastStatusCode lastAttemptAt nextAttemptAt
        createdAt payload
        attemptLog { at statusCode error durationMs responseBody }
      }
      pageInfo { hasNextPage endCursor }
    }
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
