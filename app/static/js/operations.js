// The GraphQL documents the app sends, named as in the public schema.

const USER = "id name email";
const ROLE = "id name actions builtIn";
const ERROR = "__typename ... on UserError { code message }";
const INVITATION = `id status createdAt updatedAt confirmedAt rejectedAt resentAt resendCount
  domain { id name } invitee { ${USER} } invitedBy { ${USER} } role { id name }`;
const HISTORY = "history { kind at actor { name } }";
const PAGE_INFO = "pageInfo { hasNextPage endCursor } totalCount";

export const ME = `query Me { me { ${USER} } }`;

export const SIGN_UP = `mutation SignUp($email: String!, $name: String!, $password: String!) {
  signUp(email: $email, name: $name, password: $password) {
    ${ERROR} ... on AuthPayload { token user { ${USER} } }
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
    nodes { ${INVITATION} ${HISTORY} } ${PAGE_INFO}
  }
}`;

export const RESEND = `mutation Resend($invitationId: ID!) {
  resendInvitation(invitationId: $invitationId) { ${ERROR} ... on Invitation { id status } }
}`;

export const DELETE = `mutation Delete($invitationId: ID!) {
  deleteInvitation(invitationId: $invitationId) { ${ERROR} ... on DeletedInvitation { id } }
}`;

export const USERS = `query Users($search: String!) {
  users(search: $search, first: 10) { ${USER} }
}`;

export const SEND_INVITATIONS = `mutation Send($domainId: ID!, $inviteeIds: [ID!]!, $roleId: ID!) {
  sendInvitations(domainId: $domainId, inviteeIds: $inviteeIds, roleId: $roleId) {
    ${ERROR}
    ... on SendInvitationsPayload {
      results { ${ERROR} ... on Invitation { id invitee { ${USER} } } }
    }
  }
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
