// The GraphQL documents the app sends, named as in the public schema.

const USER = "id name email";
const ROLE = "id name actions builtIn";
const ERROR = "__typename ... on UserError { code message }";
const INVITATION = `id status createdAt updatedAt confirmedAt rejectedAt resentAt resendCount
  expiresAt message domain { id name } invitee { ${USER} } invitedBy { ${USER} } role { id name }`;
const HISTORY = "history { kind at actor { name } }";
// Invitations of a domain's table: the address invited, and how its e-mail fared.
const ADDRESSED = "inviteeEmail emailDelivery { status attempts lastError sentAt }";
const PAGE_INFO = "pageInfo { hasNextPage endCursor } totalCount";

export const ME = `query Me { me { ${USER} } }`;

// With an invitation link's secret, the account is made and the invitation claimed together.
export const SIGN_UP = `mutation SignUp(
  $email: String!, $name: String!, $password: String!, $invitationToken: String
) {
  signUp(email: $email, name: $name, password: $password, invitationToken: $invitationToken) {
    ${ERROR} ... on AuthPayload { token user { ${USER} } invitation { id } }
  }
}`;

export const SIGN_IN = `mutation SignIn($email: String!, $password: String!) {
  signIn(email: $email, password: $password) {
    ${ERROR} ... on AuthPayload { token user { ${USER} } }
  }
}`;

export const SIGN_OUT = "mutation SignOut { signOut }";

export const DOMAINS = `query Domains { domains { id name createdAt myRole { ${ROLE} } } }`;

export const DOMAIN = `query Domain($id: ID!) {
  domain(id: $id) { id name createdAt myRole { ${ROLE} } roles { ${ROLE} } }
}`;

export const CREATE_DOMAIN = `mutation CreateDomain($name: String!) {
  createDomain(name: $name) { ${ERROR} ... on Domain { id name } }
}`;

export const PENDING_INVITATIONS = `query PendingInvitations($first: Int, $after: String) {
  pendingInvitations(first: $first, after: $after) { nodes { ${INVITATION} } ${PAGE_INFO} }
}`;

export const RESPOND = `mutation Respond($invitationId: ID!, $response: InvitationResponse!) {
  respondToInvitation(invitationId: $invitationId, response: $response) {
    ${ERROR} ... on Invitation { id status }
  }
}`;

export const INVITATIONS = `query Invitations(
  $domainId: ID!, $status: InvitationStatus, $first: Int, $after: String
) {
  invitations(domainId: $domainId, status: $status, first: $first, after: $after) {
    nodes { ${INVITATION} ${ADDRESSED} ${HISTORY} } ${PAGE_INFO}
  }
}`;

export const RESEND = `mutation Resend($invitationId: ID!) {
  resendInvitation(invitationId: $invitationId) { ${ERROR} ... on Invitation { id status } }
}`;

export const DELETE = `mutation Delete($invitationId: ID!) {
  deleteInvitation(invitationId: $invitationId) { ${ERROR} ... on DeletedInvitation { id } }
}`;

export const INVITE_CANDIDATES = `query InviteCandidates(
  $domainId: ID!, $search: String!, $first: Int
) {
  inviteCandidates(domainId: $domainId, search: $search, first: $first) {
    totalCount nodes { user { ${USER} } isMember pendingInvitationId }
  }
}`;

// One result per id, then one per address, each in input order.
export const SEND_INVITATIONS = `mutation SendInvitations(
  $domainId: ID!, $inviteeIds: [ID!], $emails: [String!], $roleId: ID!, $message: String
) {
  sendInvitations(
    domainId: $domainId, inviteeIds: $inviteeIds, emails: $emails, roleId: $roleId,
    message: $message
  ) {
    ${ERROR}
    ... on SendInvitationsPayload {
      results {
        ${ERROR}
        ... on Invitation { id status inviteeEmail invitee { ${USER} } emailDelivery { status } }
      }
    }
  }
}`;

export const INVITATION_BY_TOKEN = `query InvitationByToken($token: String!) {
  invitationByToken(token: $token) {
    domainName roleName inviterName inviteeEmail message expiresAt status
  }
}`;

export const CLAIM_INVITATION = `mutation ClaimInvitation($token: String!) {
  claimInvitation(token: $token) { ${ERROR} ... on Invitation { id status } }
}`;

export const MEMBERS = `query Members($domainId: ID!, $first: Int, $after: String) {
  members(domainId: $domainId, first: $first, after: $after) {
    nodes { user { ${USER} } role { id name } joinedAt invitedBy { ${USER} } } ${PAGE_INFO}
  }
}`;

export const INVITATION_RECEIVED = `subscription InvitationReceived {
  invitationReceived { id domain { name } role { name } invitedBy { name } }
}`;

export const INVITATION_EVENTS = `subscription InvitationEvents($domainId: ID!) {
  invitationEvents(domainId: $domainId) { kind at invitationId }
}`;

const WEBHOOK = "id url events enabled disabledReason description createdAt";
// Mutations refusing their input name the argument to correct.
const INVALID = `${ERROR} ... on InvalidInput { field }`;

export const WEBHOOKS = `query Webhooks($domainId: ID!) {
  webhooks(domainId: $domainId) { ${WEBHOOK} }
}`;

export const CREATE_WEBHOOK = `mutation CreateWebhook(
  $domainId: ID!, $url: String!, $events: [WebhookEventType!]!, $description: String
) {
  createWebhook(domainId: $domainId, url: $url, events: $events, description: $description) {
    ${INVALID} ... on WebhookCreated { secret webhook { ${WEBHOOK} } }
  }
}`;

export const UPDATE_WEBHOOK = `mutation UpdateWebhook(
  $webhookId: ID!, $url: String, $events: [WebhookEventType!], $enabled: Boolean,
  $description: String
) {
  updateWebhook(
    webhookId: $webhookId, url: $url, events: $events, enabled: $enabled,
    description: $description
  ) { ${INVALID} ... on Webhook { ${WEBHOOK} } }
}`;

export const DELETE_WEBHOOK = `mutation DeleteWebhook($webhookId: ID!) {
  deleteWebhook(webhookId: $webhookId) { ${ERROR} ... on DeletedWebhook { id } }
}`;

export const ROTATE_WEBHOOK_SECRET = `mutation RotateWebhookSecret($webhookId: ID!) {
  rotateWebhookSecret(webhookId: $webhookId) {
    ${ERROR} ... on WebhookSecretRotated { secret webhook { ${WEBHOOK} } }
  }
}`;

// Deliveries are a field of each webhook and the API has no query for one webhook: every
// webhook of the domain answers the page, and the client keeps the one it shows.
export const WEBHOOK_DELIVERIES = `query WebhookDeliveries($domainId: ID!, $first: Int, $after: String) {
  webhooks(domainId: $domainId) {
    id enabled disabledReason
    deliveries(first: $first, after: $after) {
      nodes {
        id eventId eventType status attempts lastStatusCode lastAttemptAt nextAttemptAt createdAt
        payload attemptLog { at statusCode error durationMs responseBody }
      }
      ${PAGE_INFO}
    }
  }
}`;

// Member management: change a member's role, remove a member, leave, and the Members table's
// live feed. Each mutation answers the member or the membership that ended.
export const CHANGE_MEMBER_ROLE = `mutation ChangeMemberRole($domainId: ID!, $userId: ID!, $roleId: ID!) {
  changeMemberRole(domainId: $domainId, userId: $userId, roleId: $roleId) {
    ${ERROR} ... on Member { user { id } role { id name } }
  }
}`;

export const REMOVE_MEMBER = `mutation RemoveMember($domainId: ID!, $userId: ID!) {
  removeMember(domainId: $domainId, userId: $userId) {
    ${ERROR} ... on RemovedMember { domainId userId }
  }
}`;

export const LEAVE_DOMAIN = `mutation LeaveDomain($domainId: ID!) {
  leaveDomain(domainId: $domainId) { ${ERROR} ... on RemovedMember { domainId userId } }
}`;

export const MEMBER_EVENTS = `subscription MemberEvents($domainId: ID!) {
  memberEvents(domainId: $domainId) { id kind at user { id } role { name } }
}`;
